"""Who wins when a lead changed in the hub and in its source: the connector's sync mode decides.

* ``source_wins``: the source overwrites the hub; nothing is written back.
* ``last_modified_wins``: both ways; a field changed on both sides keeps the later change. The
  source's stamp is compared with the time the hub's change was made; on a tie the source wins,
  being the system of record. A hub change that lost is marked ``superseded`` and never pushed.
* ``selective``: both ways, but only the fields listed under ``in`` flow in and those under
  ``out`` flow out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Connection

from ..store.tables import leads, outbox
from .job import Job

PENDING = ("pending", "sent", "unknown")
"""Outbox statuses of a change not yet confirmed by the source nor given up on."""
_IDENTITY = {"uniqueness_key", "source_connector", "external_id"}


def resolve(conn: Connection, job: Job, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sync = job.sync("lead")
    if sync["mode"] == "selective":
        allowed = set(sync.get("in", [])) | _IDENTITY
        return [{k: v for k, v in row.items() if k in allowed} for row in rows]
    if sync["mode"] != "last_modified_wins" or not rows:
        return rows
    waiting = _pending_changes(conn, job, [r["uniqueness_key"] for r in rows])
    superseded: list[int] = []
    for row in rows:
        stamp: datetime | None = row.get("modified_at")
        for change_id, fields, made_at in waiting.get(row["uniqueness_key"], []):
            if stamp is not None and stamp >= made_at:
                superseded.append(change_id)
            else:
                for name in fields:
                    row.pop(name, None)
    if superseded:
        conn.execute(
            update(outbox).where(outbox.c.id.in_(superseded))
            .values(status="superseded", last_error="a later change arrived from the source")
        )
    return rows


def _pending_changes(conn: Connection, job: Job, keys: list[str]) -> dict[str, list[tuple[int, list[str], datetime]]]:
    query = (
        select(leads.c.uniqueness_key, outbox.c.id, outbox.c.payload, outbox.c.created_at)
        .join(leads, and_(leads.c.tenant_id == outbox.c.tenant_id, leads.c.id == outbox.c.record_id))
        .where(outbox.c.tenant_id == job.tenant, outbox.c.connector == job.name, outbox.c.object_type == "lead",
               outbox.c.status.in_(PENDING), leads.c.uniqueness_key.in_(keys))
    )
    found: dict[str, list[tuple[int, list[str], datetime]]] = defaultdict(list)
    for key, change_id, payload, made_at in conn.execute(query):
        found[key].append((change_id, list(payload), made_at))
    return found
