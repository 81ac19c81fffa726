"""Run history: one row per job run, with what it read, wrote, skipped and spent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ..errors import ConfigError
from ..store import Store
from ..store.tables import rejects, runs
from ..store.types import utcnow


@dataclass
class RunStats:
    pages: int = 0
    read: int = 0
    written: int = 0
    inserted: int = 0  # of the written: new records (leads) ...
    updated: int = 0  # ... and known ones changed
    skipped: int = 0
    failed: int = 0
    api_calls: int = 0
    notes: list[str] = field(default_factory=list)

    def values(self) -> dict[str, int]:
        return {
            "pages": self.pages,
            "records_read": self.read,
            "records_written": self.written,
            "records_skipped": self.skipped,
            "records_failed": self.failed,
            "api_calls": self.api_calls,
        }


def start(store: Store, tenant: str, connector: str, job: str) -> int:
    with store.transaction() as conn:
        return int(
            conn.execute(
                runs.insert()
                .values(tenant_id=tenant, connector=connector, job=job, started_at=utcnow(), outcome="running",
                        **RunStats().values())
                .returning(runs.c.id)
            ).scalar_one()
        )


def progress(conn: Connection, run_id: int, stats: RunStats) -> None:
    """Counters committed with each page, so a killed run still shows what it did."""
    conn.execute(update(runs).where(runs.c.id == run_id).values(**stats.values()))


def page_committed(conn: Connection, run_id: int, counted: dict[str, int], written: int, skipped: int) -> None:
    """A page's share of the counters, committed with it: the reading side's totals as of the page
    (``counted``: pages, read, failed, api_calls) and what the page wrote, added to what earlier
    pages wrote. Pages may commit in another process than the one counting, so writes are added
    rather than set."""
    conn.execute(
        update(runs).where(runs.c.id == run_id).values(
            pages=counted["pages"], records_read=counted["read"], records_failed=counted["failed"],
            api_calls=counted["api_calls"], records_written=runs.c.records_written + written,
            records_skipped=runs.c.records_skipped + skipped,
        )
    )


def finish(store: Store, run_id: int, outcome: str, stats: RunStats, error: str | None = None) -> None:
    with store.transaction() as conn:
        conn.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(outcome=outcome, ended_at=utcnow(), error=error, **stats.values())
        )


def recent(store: Store, *, tenant: str | None = None, connector: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    query = select(runs).order_by(runs.c.id.desc()).limit(limit)
    if tenant:
        query = query.where(runs.c.tenant_id == tenant)
    if connector:
        query = query.where(runs.c.connector == connector)
    with store.read() as conn:
        return [_row(r) for r in conn.execute(query).mappings()]


def get(store: Store, run_id: int) -> dict[str, Any]:
    """One run with its rejected records; :class:`ConfigError` if there is no such run."""
    with store.read() as conn:
        row = conn.execute(select(runs).where(runs.c.id == run_id)).mappings().first()
        if row is None:
            raise ConfigError(f"no run {run_id} (leadloop runs list shows the latest)")
        found = conn.execute(
            select(rejects.c.source, rejects.c.record, rejects.c.field, rejects.c.reason, rejects.c.value)
            .where(rejects.c.tenant_id == row["tenant_id"], rejects.c.run_id == run_id).order_by(rejects.c.id)
        ).mappings()
        return {**_row(row), "rejects": [dict(r) for r in found]}


def _row(row: Any) -> dict[str, Any]:
    out = dict(row)
    out["tenant"] = out.pop("tenant_id")
    for stamp in ("started_at", "ended_at"):
        if out.get(stamp) is not None:
            out[stamp] = out[stamp].isoformat(timespec="seconds")
    return out
