"""A page's transaction: everything a pull commits for one page, after the lease fence.

The records (already mapped and prepared by :mod:`leadloop.sync.pull`), the deletions, the rejects,
the run's counters and the new watermark commit together; a crash anywhere repeats at most this
page and those handed over after it, and the idempotent upsert makes the repeat harmless. What
crosses into here is plain data (:class:`PageWork`), so the same transaction runs in the job's
process or in a page writer process (:mod:`leadloop.sync.writer`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, insert, update
from sqlalchemy.engine import Connection

from ..store.leads import LeadBatch, write_leads
from ..store.tables import rejects
from ..store.types import utcnow
from . import checkpoints, conflicts, memberships, runs
from .leases import Lease, fence
from .records import table_for, upsert_records
from .runs import RunStats


@dataclass(frozen=True)
class WriteContext:
    """Who writes: the run's identity and the lease every page commit proves it still holds."""

    tenant: str
    connector: str
    job: str
    run_id: int
    lease: Lease


@dataclass
class PageWork:
    """One page as the transaction needs it."""

    object_type: str
    watermark: dict[str, Any]
    counted: dict[str, int]
    """The run's counters the reading side keeps (pages, read, failed, api_calls) as of this page."""
    mapped: int
    """Records that passed mapping: each is written or counted skipped."""
    leads: list[LeadBatch] = field(default_factory=list)
    """Mapped leads, a batch per set of fields."""
    last_modified_wins: bool = False
    """The leads' sync mode compares their stamps with hub changes, which needs the outbox as of the
    transaction (:func:`leadloop.sync.conflicts.resolve`)."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    """Mapped rows of any other object type."""
    deleted: list[str] = field(default_factory=list)
    """External ids the source deleted: kept, stamped ``deleted_at`` (none for campaign members)."""
    rejects: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Written:
    """What a page's transaction wrote: added to the run's counters once it has committed."""

    written: int
    inserted: int
    updated: int
    skipped: int


def write_page(conn: Connection, ctx: WriteContext, work: PageWork) -> Written:
    """The page's statements inside ``conn``'s transaction, the run's counters included."""
    fence(conn, ctx.lease)
    inserted = updated = 0
    if work.object_type == "lead":
        for prepared in work.leads:
            batches = [prepared]
            if work.last_modified_wins:
                batches = conflicts.resolve(conn, ctx.tenant, ctx.connector, prepared)
            for batch in batches:
                counts = write_leads(conn, ctx.tenant, batch)
                inserted += counts.inserted
                updated += counts.updated
        written = inserted + updated
    elif work.object_type == "campaign_member":
        written = memberships.tag_leads(conn, ctx.tenant, ctx.connector, work.rows)
    else:
        written = upsert_records(conn, ctx.tenant, ctx.connector, work.object_type, work.rows)
    _record_deletions(conn, ctx, work.object_type, work.deleted)
    if work.rejects:
        conn.execute(insert(rejects), work.rejects)
    checkpoints.save(conn, ctx.tenant, ctx.connector, ctx.job, work.object_type, work.watermark)
    result = Written(written, inserted, updated, work.mapped - written)
    runs.page_committed(conn, ctx.run_id, work.counted, result.written, result.skipped)
    return result


def add(stats: RunStats, written: Written) -> None:
    stats.written += written.written
    stats.inserted += written.inserted
    stats.updated += written.updated
    stats.skipped += written.skipped


def _record_deletions(conn: Connection, ctx: WriteContext, object_type: str, external_ids: list[str]) -> None:
    """Deleted at the source: kept in the hub, stamped ``deleted_at``, never silently dropped."""
    if not external_ids:
        return
    table = table_for(object_type)
    conn.execute(
        update(table)
        .where(and_(table.c.tenant_id == ctx.tenant, table.c.source_connector == ctx.connector,
                    table.c.external_id.in_(external_ids), table.c.deleted_at.is_(None)))
        .values(deleted_at=utcnow())
    )
