"""Changes made in the hub (a partner accepts, works or rejects a lead, registers a deal) and the
write-back they owe.

A change and its outbox entries commit in one transaction: either the lead changed and the source
will hear of it, or neither happened.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, select, update

from .errors import ConfigError
from .model import Opportunity
from .plugins import Plugins
from .store import Store
from .store.leads import LEAD_COLUMNS
from .store.tables import leads, opportunities, outbox
from .sync.job import sync_settings

_DEAL_FIELDS = set(Opportunity.model_fields) - {
    "id", "tenant", "source_system", "external_id", "created_at", "modified_at", "custom", "lead_id",
    "registered_deal",
}
"""What a partner gives when registering a deal; the rest is the hub's or the source's to set."""


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


def register_deal(
    store: Store, plugins: Plugins, tenant: str, lead_id: str, fields: Mapping[str, Any]
) -> tuple[str, list[int]]:
    """A partner registers a deal on a lead: a new opportunity in the hub (``registered_deal``), and its
    creation queued for the connector the lead came from. ``fields`` are opportunity fields (``name``,
    ``stage``, ``amount``, ``close_date``, ...), checked by the model. Returns the opportunity's id and
    the outbox ids queued (none when that connector does not write opportunities back)."""
    unknown = set(fields) - _DEAL_FIELDS
    if unknown:
        raise ConfigError(f"lead {lead_id!r}: a registered deal takes {', '.join(sorted(_DEAL_FIELDS))}, "
                          f"not {', '.join(sorted(unknown))}")
    try:
        deal = Opportunity(lead_id=lead_id, registered_deal=True, **fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"lead {lead_id!r}: the registered deal is not valid: {problems}") from None
    deal_id = uuid.uuid4().hex
    columns = deal.model_dump(include=_DEAL_FIELDS | {"lead_id", "registered_deal"})
    columns["stage"] = deal.stage.value
    with store.transaction() as conn:
        source = conn.execute(
            select(leads.c.source_connector).where(leads.c.tenant_id == tenant, leads.c.id == lead_id)
        ).first()
        if source is None:
            raise ConfigError(f"tenant {tenant!r} has no lead {lead_id!r}")
        conn.execute(insert(opportunities).values(tenant_id=tenant, id=deal_id, **columns))
        origin = source.source_connector
        connector = store.tenant(tenant).get_connector(origin) if origin else None
        if connector is None:
            return deal_id, []
        ctype = plugins.connectors.get(connector.type)
        sync = sync_settings(connector, ctype, "opportunity")
        if "opportunity" not in ctype.writes or sync["mode"] == "source_wins":
            return deal_id, []
        # A create carries the whole record: the model's defaults (the first stage) included.
        record = deal.model_dump(include=_DEAL_FIELDS)
        payload = {k: _json_value(v) for k, v in record.items() if v is not None}
        queued = conn.execute(
            insert(outbox).values(tenant_id=tenant, connector=connector.name, object_type="opportunity",
                                  record_id=deal_id, external_id=None, payload=payload, origin="hub",
                                  status="pending").returning(outbox.c.id)
        ).scalar_one()
        return deal_id, [queued]


def _json_value(value: Any) -> Any:
    """A checked model value as the outbox's JSON keeps it: amounts stay numbers (a CRM refuses "25000"
    for a currency field), dates become ISO 8601, enums their value."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
