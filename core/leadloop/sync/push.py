"""The push job: the outbox drained to the source in the largest batches it accepts.

Each batch is marked ``sent`` in its own transaction before the call, so a crash after the call
leaves it ``sent``, and the next run sends it again: pushes must be safe to repeat, and the outbox
records each change's outcome exactly once. Only what the source confirmed leaves the queue of work;
a record the source refused for good is ``failed`` with the reason; a timeout is ``unknown`` and
sent again; a retriable refusal is retried alone, with backoff.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection

from ..errors import RetriableError
from ..source import Change, PushResult, PushSink
from ..store.tables import outbox
from ..store.types import utcnow
from . import runs
from .job import STATUS_KINDS, Job
from .leases import fence
from .pull import Stopped
from .records import TABLES

_SENDABLE = ("pending", "sent", "unknown")


def push(job: Job, sink: PushSink, object_type: str) -> None:
    after = 0
    retry_alone: list[int] = []
    while batch := _next_batch(job, object_type, after, job.ctype.batch_size):
        after = batch[-1]["id"]
        results = _send(job, sink, object_type, batch)
        retry_alone += [r.outbox_id for r in results if r.ok is False and r.retriable]
        if job.stop.is_set():
            raise Stopped
    for outbox_id in retry_alone:
        if not _retry_alone(job, sink, object_type, outbox_id):
            job.stats.failed += 1


def _next_batch(job: Job, object_type: str, after: int, size: int) -> list[dict[str, Any]]:
    now = utcnow()
    with job.store.read() as conn:
        rows = conn.execute(
            select(outbox)
            .where(outbox.c.tenant_id == job.tenant, outbox.c.connector == job.name,
                   outbox.c.object_type == object_type, outbox.c.status.in_(_SENDABLE), outbox.c.id > after,
                   or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now))
            .order_by(outbox.c.id).limit(size)
        ).mappings()
        return [dict(r) for r in rows]


def _send(job: Job, sink: PushSink, object_type: str, batch: list[dict[str, Any]]) -> list[PushResult]:
    changes = [Change(r["id"], object_type, r["external_id"], _source_fields(job, object_type, r["payload"]))
               for r in batch]
    with job.store.transaction() as conn:
        fence(conn, job.lease)
        conn.execute(update(outbox).where(outbox.c.id.in_([r["id"] for r in batch]))
                     .values(status="sent", attempts=outbox.c.attempts + 1))
    attempt = 0
    while True:
        try:
            results = sink.push(object_type, changes)
            break
        except RetriableError as exc:
            attempt += 1
            job.stats.notes.append(f"push retry {attempt}: {exc}")
            job.retry.wait(attempt, exc)
    _record(job, batch, results)
    return results


def _retry_alone(job: Job, sink: PushSink, object_type: str, outbox_id: int) -> bool:
    """Send one refused change again by itself, with backoff; True once settled (confirmed, or
    refused for good and counted as failed when recorded). A change still refused after the
    policy's attempts stays pending for a later run."""
    for attempt in range(1, job.retry.attempts + 1):
        job.retry.sleep(job.retry.delay(attempt, RetriableError("refused")))
        with job.store.read() as conn:
            row = conn.execute(select(outbox).where(outbox.c.id == outbox_id)).mappings().one()
        result = _send(job, sink, object_type, [dict(row)])[0]
        if result.ok or not result.retriable:
            return True
    return False


def _source_fields(job: Job, object_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    core = {k: job.translate_out(STATUS_KINDS[k], v) if k in STATUS_KINDS and v else v
            for k, v in payload.items()}
    return job.map_out(object_type, core)


def _record(job: Job, batch: list[dict[str, Any]], results: list[PushResult]) -> None:
    now = utcnow()
    by_id = {r["id"]: r for r in batch}
    with job.store.transaction() as conn:
        fence(conn, job.lease)
        for result in results:
            row = by_id[result.outbox_id]
            if result.ok:
                values: dict[str, Any] = {"status": "confirmed", "confirmed_at": now, "last_error": None}
                job.stats.written += 1
                _remember_external_id(conn, job, row, result.external_id)
            elif result.ok is None:
                values = {"status": "unknown", "last_error": result.error}
            elif result.retriable:
                delay = job.retry.delay(row["attempts"] + 1, RetriableError(result.error or ""))
                values = {"status": "pending", "last_error": result.error,
                          "next_attempt_at": now + timedelta(seconds=delay)}
            else:
                values = {"status": "failed", "last_error": result.error}
                job.stats.failed += 1
            conn.execute(update(outbox).where(outbox.c.id == result.outbox_id).values(**values))
        job.stats.api_calls = job.runtime.api_calls
        runs.progress(conn, job.run_id, job.stats)


def _remember_external_id(conn: Connection, job: Job, row: dict[str, Any], external_id: str | None) -> None:
    """A record the source created (a lead, a registered deal) gets its source id, so later changes
    update it and the next pull of it updates the hub's record instead of adding a second one."""
    if row["external_id"] or not external_id:
        return
    conn.execute(update(outbox).where(outbox.c.id == row["id"]).values(external_id=external_id))
    table = TABLES.get(row["object_type"])
    if table is not None:
        mine = and_(table.c.tenant_id == job.tenant, table.c.id == row["record_id"])
        conn.execute(update(table).where(mine).values(external_id=external_id, source_connector=job.name))
