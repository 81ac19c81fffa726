"""Registers the Salesforce connector type."""

from __future__ import annotations

from collections.abc import Callable

from leadloop import ConnectorType, hookimpl
from leadloop.schemas import package_schema

# Salesforce's standard LeadStatus picklist; tenants override per org in their status_map.
DEFAULT_STATUS_MAP = {
    "sales": {
        "Not Contacted": "Open - Not Contacted",
        "Contacted": "Working - Contacted",
        "Nurture": "Working - Contacted",
        "Converted Opportunity": "Closed - Converted",
        "Unqualified/Invalid": "Closed - Not Converted",
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
        )
    )
