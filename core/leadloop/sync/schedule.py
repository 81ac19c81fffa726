"""When jobs are due: one row per (tenant, connector, job) with its next run time.

The scheduler's tick is one indexed query for rows whose time has come; the cron or interval
arithmetic runs only when a job is claimed, so ten thousand idle connectors cost nothing per tick.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from croniter import croniter  # type: ignore[import-untyped]
from sqlalchemy import and_, delete, select, update
from sqlalchemy.engine import Connection

from ..store import Store
from ..store.tables import connectors, schedules
from ..store.types import utcnow


@dataclass(frozen=True)
class DueJob:
    tenant: str
    connector: str
    job: str


def next_time(every_seconds: int | None, cron: str | None, after: datetime) -> datetime:
    if every_seconds:
        return after + timedelta(seconds=every_seconds)
    return croniter(cron, after).get_next(datetime)  # type: ignore[no-any-return]


def replace(conn: Connection, tenant: str, connector: str, jobs: Mapping[str, Mapping[str, Any]]) -> None:
    """Make the connector's schedule rows match ``jobs`` (from an applied tenant file).

    A new job is due at once; a job whose timing changed is due at its next time from now; an
    unchanged one keeps its next run time.
    """
    now = utcnow()
    key = and_(schedules.c.tenant_id == tenant, schedules.c.connector == connector)
    current = {row.job: row for row in conn.execute(select(schedules).where(key))}
    conn.execute(delete(schedules).where(key, schedules.c.job.not_in(list(jobs))))
    for kind, spec in jobs.items():
        every, cron, enabled = spec.get("every_seconds"), spec.get("cron"), bool(spec.get("enabled", True))
        old = current.get(kind)
        if old is None:
            conn.execute(schedules.insert().values(tenant_id=tenant, connector=connector, job=kind,
                                                   every_seconds=every, cron=cron, enabled=enabled,
                                                   next_run_at=now))
        elif (old.every_seconds, old.cron) != (every, cron) or old.enabled != enabled:
            conn.execute(update(schedules).where(key, schedules.c.job == kind).values(
                every_seconds=every, cron=cron, enabled=enabled, next_run_at=next_time(every, cron, now)))


def due(store: Store, now: datetime | None = None, limit: int = 1000) -> list[DueJob]:
    """Jobs of enabled, working connectors whose time has come, oldest first."""
    now = now or utcnow()
    query = (
        select(schedules.c.tenant_id, schedules.c.connector, schedules.c.job)
        .join(connectors, and_(connectors.c.tenant_id == schedules.c.tenant_id,
                               connectors.c.name == schedules.c.connector))
        .where(schedules.c.enabled.is_(True), schedules.c.next_run_at <= now,
               connectors.c.enabled.is_(True), connectors.c.state == "ok")
        .order_by(schedules.c.next_run_at)
        .limit(limit)
    )
    with store.read() as conn:
        return [DueJob(*row) for row in conn.execute(query)]


def claim(store: Store, tenant: str, connector: str, job: str, now: datetime | None = None) -> bool:
    """Under the job's lease: if it is still due, move its next run time on and say so."""
    now = now or utcnow()
    key = and_(schedules.c.tenant_id == tenant, schedules.c.connector == connector, schedules.c.job == job)
    with store.transaction() as conn:
        row = conn.execute(select(schedules).where(key)).first()
        if row is None or row.next_run_at > now:
            return False
        conn.execute(update(schedules).where(key).values(next_run_at=next_time(row.every_seconds, row.cron, now)))
        return True
