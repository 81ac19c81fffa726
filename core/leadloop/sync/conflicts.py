"""Who wins when a lead changed in the hub and in its source: the connector's sync mode decides.

* ``source_wins``: the source overwrites the hub; nothing is written back.
* ``last_modified_wins``: both ways; a field changed on both sides keeps the later change. The
  source's stamp is compared with the time the hub's change was made; on a tie the source wins,
  being the system of record. A hub change that lost is marked ``superseded`` and never pushed.
* ``selective``: both ways, but only the fields listed under ``in`` flow in and those under
  ``out`` flow out.

Selecting fields needs only the settings (:func:`select_fields`, where records are mapped); the
last-modified check reads the outbox, so it runs inside the page's transaction (:func:`resolve`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Connection

from ..store.leads import LeadBatch
from ..store.tables import leads, outbox

PENDING = ("pending", "sent", "unknown")
"""Outbox statuses of a change not yet confirmed by the source nor given up on."""
_IDENTITY = frozenset({"uniqueness_key", "source_connector", "source_system", "external_id"})


def fields_in(sync: dict[str, Any]) -> frozenset[str] | None:
    """The fields a pull may write: in ``selective`` mode those listed under ``in`` and the lead's
    identity; ``None`` (all of them) otherwise."""
    if sync["mode"] != "selective":
        return None
    return frozenset(sync.get("in", [])) | _IDENTITY


def resolve(conn: Connection, tenant: str, connector: str, batch: LeadBatch) -> list[LeadBatch]:
    """``last_modified_wins`` for a batch, by the rows' ``modified_at`` (the source's stamps).

    Returns the batches to write: a row whose hub change is newer loses that change's fields (they
    keep the hub's values); a hub change the source's is newer than (or as new as) is superseded.
    """
    if not _any_pending(conn, tenant, connector):  # the usual case: one indexed probe per page
        return [batch]
    waiting = _pending_changes(conn, tenant, connector, batch.column("uniqueness_key"))
    stamps = batch.column("modified_at") if "modified_at" in batch.keys else [None] * batch.size
    superseded: list[int] = []
    dropped: dict[int, set[str]] = {}
    for i, key in enumerate(batch.column("uniqueness_key")):
        for change_id, fields, made_at in waiting.get(key, ()):
            stamp = _instant(stamps[i])
            if stamp is not None and stamp >= made_at:
                superseded.append(change_id)
            else:
                dropped.setdefault(i, set()).update(f for f in fields if f not in _IDENTITY)
    if superseded:
        conn.execute(
            update(outbox).where(outbox.c.id.in_(superseded))
            .values(status="superseded", last_error="a later change arrived from the source")
        )
    if not dropped:
        return [batch]
    groups: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, lost in dropped.items():
        groups[frozenset(lost)].append(i)
    kept = [i for i in range(batch.size) if i not in dropped]
    return [batch.take(kept), *(batch.take(rows, drop) for drop, rows in groups.items())]


def _instant(stamp: datetime | str | None) -> datetime | None:
    """A stamp as the batch holds it (prepared for the database: text on SQLite) as a UTC instant."""
    if isinstance(stamp, str):
        return datetime.fromisoformat(stamp).replace(tzinfo=UTC)
    return stamp


def _any_pending(conn: Connection, tenant: str, connector: str) -> bool:
    return conn.execute(
        select(outbox.c.id).where(outbox.c.tenant_id == tenant, outbox.c.connector == connector,
                                  outbox.c.status.in_(PENDING), outbox.c.object_type == "lead").limit(1)
    ).first() is not None


def _pending_changes(conn: Connection, tenant: str, connector: str,
                     keys: Sequence[str]) -> dict[str, list[tuple[int, list[str], datetime]]]:
    query = (
        select(leads.c.uniqueness_key, outbox.c.id, outbox.c.payload, outbox.c.created_at)
        .join(leads, and_(leads.c.tenant_id == outbox.c.tenant_id, leads.c.id == outbox.c.record_id))
        .where(outbox.c.tenant_id == tenant, outbox.c.connector == connector, outbox.c.object_type == "lead",
               outbox.c.status.in_(PENDING), leads.c.uniqueness_key.in_(list(keys)))
    )
    found: dict[str, list[tuple[int, list[str], datetime]]] = defaultdict(list)
    for key, change_id, payload, made_at in conn.execute(query):
        found[key].append((change_id, list(payload), made_at))
    return found
