"""Registers the Salesforce connector type and answers credential refreshes for it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from leadloop import ConnectorContext, ConnectorType, hookimpl
from leadloop.schemas import package_schema

from .auth import refresh_credentials
from .connector import SalesforceConnector
from .mappings import DEFAULT_MAPPINGS

# Salesforce's standard LeadStatus picklist, and the channel package's Distribution_Status__c;
# tenants override per org in their status_map. Going in, a value several statuses share reads as
# the first of them in the canonical order ("Working - Contacted" is Contacted, not Nurture).
DEFAULT_STATUS_MAP = {
    "sales": {
        "Not Contacted": "Open - Not Contacted",
        "Contacted": "Working - Contacted",
        "Nurture": "Working - Contacted",
        "Converted Opportunity": "Closed - Converted",
        "Unqualified/Invalid": "Closed - Not Converted",
    },
    "distribution": {
        "unassigned": "Unassigned",
        "assigned": "Assigned",
        "accepted": "Accepted",
        "rejected": "Rejected",
        "pulled_back": "Pulled Back",
        "rerouted": "Rerouted",
    },
}


@hookimpl
def leadloop_register_connectors(register: Callable[[ConnectorType], None]) -> None:
    register(
        ConnectorType(
            name="salesforce",
            title="Salesforce",
            config_schema=package_schema("leadloop_salesforce"),
            reads=("lead", "contact", "account", "opportunity", "campaign", "campaign_member"),
            writes=("lead", "opportunity"),
            jobs=("pull", "push"),
            page_size=2000,
            batch_size=200,
            default_uniqueness="email+campaign",
            default_status_map=DEFAULT_STATUS_MAP,
            secrets=("client_secret", "refresh_token"),
            default_mappings=DEFAULT_MAPPINGS,
            factory=SalesforceConnector,
        )
    )


@hookimpl
def leadloop_refresh_credentials(
    connector: ConnectorContext, credentials: Mapping[str, str]
) -> dict[str, str] | None:
    """Salesforce's OAuth refresh; other connector types are left to their own plugins."""
    if connector.type != "salesforce":
        return None
    return refresh_credentials(connector, credentials)
