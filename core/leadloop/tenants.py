"""Applying a checked tenant file to the store: all of it or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from .config import TenantConfig
from .secrets import SecretBox
from .store import Store
from .sync import schedule


@dataclass(frozen=True)
class ApplyResult:
    created: int
    updated: int
    secrets: int


def apply_tenant(store: Store, box: SecretBox, config: TenantConfig) -> ApplyResult:
    """Create or update the tenant, its connectors and their encrypted secrets in one transaction.

    Connectors stored earlier but missing from the file are left as they are: removing one is a
    deliberate act (``leadloop connectors disable``), not a side effect of an edit.
    """
    tenant = store.tenant(config.id)
    existing = {c.name for c in tenant.list_connectors()}
    secrets = 0
    with store.transaction() as conn:
        tenant.upsert_tenant(config.name, conn=conn)
        for connector in config.connectors.values():
            tenant.upsert_connector(
                connector.name,
                connector.type,
                uniqueness=connector.uniqueness,
                settings=connector.settings,
                status_map=connector.status_map,
                mapping=connector.mappings,
                jobs={kind: schedule.to_json() for kind, schedule in connector.jobs.items()},
                sync=connector.sync,
                enabled=connector.enabled,
                conn=conn,
            )
            for name, value in connector.secrets.items():
                tenant.put_secret(connector.name, name, box.encrypt(value), conn=conn)
                secrets += 1
            schedule.replace(conn, config.id, connector.name,
                             {kind: s.to_json() for kind, s in connector.jobs.items()})
            if connector.secrets:
                # Fresh credentials are the fix for "needs re-authorisation": the connector runs again.
                tenant.set_connector_state(connector.name, "ok", None, conn=conn)
    created = len(set(config.connectors) - existing)
    return ApplyResult(created=created, updated=len(config.connectors) - created, secrets=secrets)
