"""Changes made in the hub (a partner accepts, works or rejects a lead) and the write-back they owe.

A change and its outbox entries commit in one transaction: either the lead changed and the source
will hear of it, or neither happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, update

from .errors import ConfigError
from .plugins import Plugins
from .store import Store
from .store.leads import LEAD_COLUMNS
from .store.tables import leads, outbox
from .sync.job import sync_settings


def change_lead(store: Store, plugins: Plugins, tenant: str, lead_id: str, fields: Mapping[str, Any]) -> list[int]:
    """Apply ``fields`` (core names, e.g. ``{"sales_status": "Contacted"}``) to a lead and queue the
    write-back to the connector it came from; returns the outbox ids queued (none when that
    connector does not write leads back, or its sync mode or field list excludes these fields)."""
    unknown = set(fields) - LEAD_COLUMNS.keys()
    if unknown:
        raise ConfigError(f"lead {lead_id!r}: no such lead field(s): {', '.join(sorted(unknown))}")
    columns = {LEAD_COLUMNS[k]: v for k, v in fields.items()}
    ts = store.tenant(tenant)
    with store.transaction() as conn:
        row = conn.execute(
            select(leads.c.source_connector, leads.c.external_id)
            .where(leads.c.tenant_id == tenant, leads.c.id == lead_id)
        ).first()
        if row is None:
            raise ConfigError(f"tenant {tenant!r} has no lead {lead_id!r}")
        conn.execute(update(leads).where(leads.c.tenant_id == tenant, leads.c.id == lead_id).values(**columns))
        connector = ts.get_connector(row.source_connector) if row.source_connector else None
        if connector is None:
            return []
        ctype = plugins.connectors.get(connector.type)
        sync = sync_settings(connector, ctype, "lead")
        if "lead" not in ctype.writes or sync["mode"] == "source_wins":
            return []
        payload = {k: v for k, v in fields.items() if sync["mode"] != "selective" or k in sync.get("out", [])}
        if not payload:
            return []
        return [
            conn.execute(
                insert(outbox).values(tenant_id=tenant, connector=connector.name, object_type="lead",
                                      record_id=lead_id, external_id=row.external_id, payload=payload,
                                      origin="hub", status="pending").returning(outbox.c.id)
            ).scalar_one()
        ]
