"""The pull job: pages from the source into the store, each page one transaction.

A page's records, its deletions, its rejects, the run's counters and the new watermark commit
together, after the lease fence; a crash anywhere repeats at most that page, and the idempotent
upsert makes the repeat harmless.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import and_, insert, update
from sqlalchemy.engine import Connection

from ..errors import BadRecord, ConfigError, RetriableError
from ..source import Page, PullSource
from ..store.tables import rejects
from ..store.types import utcnow
from . import checkpoints, conflicts, memberships, runs
from .job import Job
from .leases import fence
from .records import TABLES, table_for, upsert_records


class Stopped(Exception):
    """The job was asked to stop (SIGTERM); it did after committing its current page."""


def pull(job: Job, source: PullSource, object_type: str) -> None:
    watermark = checkpoints.load(job.store, job.tenant, job.name, job.kind, object_type)
    attempt = 0
    while True:
        try:
            for page in source.pull(object_type, watermark):
                commit_page(job, object_type, page)
                watermark = page.watermark
                attempt = 0
                if job.stop.is_set():
                    raise Stopped
            return
        except RetriableError as exc:
            # The source's iterator is dead; a new one resumes from the last committed watermark.
            attempt += 1
            job.stats.notes.append(f"retry {attempt}: {exc}")
            job.retry.wait(attempt, exc)


def commit_page(job: Job, object_type: str, page: Page) -> None:
    rows, bad = _map(job, object_type, page)
    # Rows the source itself refused (unreadable, or its own checks) were read too; a reject without
    # a row number concerns a whole file (say, already imported) and is no record.
    refused_by_source = len({(r.get("source"), r["row"]) for r in page.rejects if r.get("row") is not None})
    refused_by_mapping = len(page.records) - len(rows)
    job.stats.pages += 1
    job.stats.read += len(page.records) + refused_by_source
    job.stats.failed += refused_by_mapping + refused_by_source
    job.stats.api_calls = job.runtime.api_calls
    with job.store.transaction() as conn:
        fence(conn, job.lease)
        if object_type == "lead":
            written = _upsert_leads(conn, job, conflicts.resolve(conn, job, rows))
        elif object_type == "campaign_member":
            written = memberships.tag_leads(conn, job, rows)
        else:
            written = upsert_records(conn, job.tenant, job.name, object_type, rows)
        job.stats.written += written
        job.stats.skipped += len(rows) - written
        if object_type in TABLES:  # a membership ended leaves its lead tagged: it came from that campaign
            _record_deletions(conn, job, object_type, [d.external_id for d in page.deleted])
        _record_rejects(conn, job, bad + page.rejects)
        checkpoints.save(conn, job.tenant, job.name, job.kind, object_type, page.watermark)
        runs.progress(conn, job.run_id, job.stats)
    if job.progress is not None:
        job.progress(job.stats)


def _upsert_leads(conn: Connection, job: Job, rows: list[dict[str, Any]]) -> int:
    """Upsert rows in groups of the same fields: a field a row leaves out (the hub's later change
    kept, or a field not synced) must keep its stored value, not become NULL."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    tenant = job.store.tenant(job.tenant)
    written = 0
    for group in groups.values():
        counts = tenant.upsert_leads(conn, group)
        job.stats.inserted += counts.inserted
        job.stats.updated += counts.updated
        written += counts.inserted + counts.updated
    return written


def _map(job: Job, object_type: str, page: Page) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Map a page's records; every bad record becomes reject rows naming record, field and reason."""
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    name = job.name
    is_lead = object_type == "lead"
    for i, (label, mapped) in enumerate(_mapped(job, object_type, page)):
        if isinstance(mapped, BadRecord):
            row_number = page.row_numbers[i] if page.row_numbers is not None else None
            bad.extend({"source": page.source, "record": mapped.record, "row": row_number, "field": p.field,
                        "reason": p.reason, "value": p.value} for p in mapped.problems)
            continue
        mapped["source_connector"] = mapped["source_system"] = name
        if page.external_ids is not None:
            mapped["external_id"] = page.external_ids[i]
        if is_lead:
            key = job.key(mapped)
            if key == f"source:{name}:":
                raise ConfigError(
                    f"connector {name!r}: {label} has no external_id and uniqueness is 'none', so it could not be "
                    "told apart from any other record: map the source's id to external_id"
                )
            mapped["uniqueness_key"] = key
        rows.append(mapped)
    return rows, bad


def _mapped(job: Job, object_type: str, page: Page) -> Iterator[tuple[str, dict[str, Any] | BadRecord]]:
    mapper = job.row_mapper(object_type, page.columns) if page.columns is not None else None
    for i, record in enumerate(page.records):
        try:
            if isinstance(record, Mapping):
                label = f"{object_type} {record.get('Id') or record.get('id') or f'#{i + 1}'}"
                yield label, job.map_in(object_type, record, label)
                continue
            label = f"row {page.row_numbers[i]}" if page.row_numbers is not None else f"row #{i + 1}"
            if mapper is not None:
                yield label, mapper(record, label)
            else:
                yield label, job.map_in(object_type, dict(zip(page.columns or (), record, strict=False)), label)
        except BadRecord as exc:
            yield label, exc


def _record_deletions(conn: Connection, job: Job, object_type: str, external_ids: list[str]) -> None:
    """Deleted at the source: kept in the hub, stamped ``deleted_at``, never silently dropped."""
    if not external_ids:
        return
    table = table_for(object_type)
    conn.execute(
        update(table)
        .where(and_(table.c.tenant_id == job.tenant, table.c.source_connector == job.name,
                    table.c.external_id.in_(external_ids), table.c.deleted_at.is_(None)))
        .values(deleted_at=utcnow())
    )


def _record_rejects(conn: Connection, job: Job, problems: list[dict[str, Any]]) -> None:
    if problems:
        conn.execute(
            insert(rejects),
            [
                {"tenant_id": job.tenant, "connector": job.name, "run_id": job.run_id, "source": p.get("source"),
                 "record": p.get("record") or (f"row {p['row']}" if "row" in p else None), "field": p.get("field"),
                 "reason": p["reason"], "value": None if p.get("value") is None else str(p["value"])[:1000]}
                for p in problems
            ],
        )
