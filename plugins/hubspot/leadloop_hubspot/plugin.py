"""Registers the HubSpot connector type."""

from __future__ import annotations

from collections.abc import Callable

from leadloop import ConnectorType, hookimpl
from leadloop.schemas import package_schema

# hs_lead_status internal values.
DEFAULT_STATUS_MAP = {
    "sales": {
        "Not Contacted": "NEW",
        "Contacted": "IN_PROGRESS",
        "Nurture": "BAD_TIMING",
        "Converted Opportunity": "OPEN_DEAL",
        "Unqualified/Invalid": "UNQUALIFIED",
    },
}


@hookimpl
def leadloop_register_connectors(register: Callable[[ConnectorType], None]) -> None:
    register(
        ConnectorType(
            name="hubspot",
            title="HubSpot",
            config_schema=package_schema("leadloop_hubspot"),
            reads=("lead", "contact", "account", "opportunity"),
            writes=("lead", "opportunity"),
            jobs=("pull", "push"),
            page_size=200,
            batch_size=100,
            default_uniqueness="email",
            default_status_map=DEFAULT_STATUS_MAP,
            secrets=("client_secret", "refresh_token", "private_app_token"),
        )
    )
