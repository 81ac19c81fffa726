"""Registers the Dynamics 365 / Dataverse connector type."""

from __future__ import annotations

from collections.abc import Callable

from leadloop import ConnectorType, hookimpl
from leadloop.schemas import package_schema

# Dataverse lead statuscode labels (statecode Open/Qualified/Disqualified implied by each).
DEFAULT_STATUS_MAP = {
    "sales": {
        "Not Contacted": "New",
        "Contacted": "Contacted",
        "Nurture": "Contacted",
        "Converted Opportunity": "Qualified",
        "Unqualified/Invalid": "Cannot Contact",
    },
}


@hookimpl
def leadloop_register_connectors(register: Callable[[ConnectorType], None]) -> None:
    register(
        ConnectorType(
            name="dynamics",
            title="Microsoft Dynamics 365 (Dataverse)",
            config_schema=package_schema("leadloop_dynamics"),
            reads=("lead", "contact", "account", "opportunity", "campaign"),
            writes=("lead", "opportunity"),
            jobs=("pull", "push"),
            page_size=5000,
            batch_size=1000,
            default_uniqueness="email",
            default_status_map=DEFAULT_STATUS_MAP,
            secrets=("client_secret",),
        )
    )
