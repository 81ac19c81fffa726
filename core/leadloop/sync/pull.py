"""The pull job: pages from the source into the store, each page one transaction.

A page is mapped and prepared here, where it was read, and committed by a page writer
(:mod:`leadloop.sync.writer`): in this process, or for a long pull in a process of its own, so that
storing one page overlaps reading and mapping the next on another core. The transaction itself is
:func:`leadloop.sync.commit.write_page`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Dialect

from ..default_plugin import uniqueness_keys
from ..errors import BadRecord, ConfigError, RetriableError
from ..source import Page, PullSource
from ..store.leads import LeadBatch, prepare_columns, prepare_leads
from . import checkpoints, conflicts
from .commit import PageWork
from .job import Job
from .records import TABLES
from .writer import open_writer


class Stopped(Exception):
    """The job was asked to stop (SIGTERM); it did after committing its current page."""


def pull(job: Job, source: PullSource, object_type: str) -> None:
    watermark = checkpoints.load(job.store, job.tenant, job.name, job.kind, object_type)
    attempt = 0
    with open_writer(job) as writer:
        while True:
            try:
                for page in source.pull(object_type, watermark):
                    # A page the source acts on when resumed has committed when submit returns.
                    writer.submit(prepare(job, object_type, page), read_on=not page.resume_after_commit)
                    watermark = page.watermark
                    attempt = 0
                    if job.stop.is_set():
                        raise Stopped  # leaving the writer's block commits what was handed over
                return
            except RetriableError as exc:
                # The source's iterator is dead; a new one resumes after the last page handed over,
                # once that page has committed.
                writer.drain()
                attempt += 1
                job.stats.notes.append(f"retry {attempt}: {exc}")
                job.retry.wait(attempt, exc)


def prepare(job: Job, object_type: str, page: Page) -> PageWork:
    """Map a page and put it in the form its transaction writes; counts what was read and refused."""
    as_tuples = _tuple_mapper(job, object_type, page) if object_type == "lead" else None
    if as_tuples is not None:
        columns, mapped, bad = _map_to_columns(job, object_type, page, *as_tuples)
    else:
        rows, bad = _map(job, object_type, page)
        mapped = len(rows)
    # Rows the source itself refused (unreadable, or its own checks) were read too; a reject without
    # a row number concerns a whole file (say, already imported) and is no record.
    refused_by_source = len({(r.get("source"), r["row"]) for r in page.rejects if r.get("row") is not None})
    stats = job.stats
    stats.pages += 1
    stats.read += len(page.records) + refused_by_source
    stats.failed += len(page.records) - mapped + refused_by_source
    stats.api_calls = job.runtime.api_calls
    work = PageWork(
        object_type=object_type,
        watermark=page.watermark,
        counted={"pages": stats.pages, "read": stats.read, "failed": stats.failed, "api_calls": stats.api_calls},
        mapped=mapped,
        # A membership ended leaves its lead tagged: it came from that campaign.
        deleted=[d.external_id for d in page.deleted] if object_type in TABLES else [],
        rejects=_rejects(job, bad + page.rejects),
    )
    if object_type != "lead":
        work.rows = rows
        return work
    sync = job.sync("lead")
    allowed = conflicts.fields_in(sync)
    work.last_modified_wins = sync["mode"] == "last_modified_wins"
    dialect = job.store.engine.dialect
    if as_tuples is None:
        work.leads = _lead_batches(dialect, rows, allowed)
    elif mapped:
        work.leads = [prepare_columns(dialect, {k: v for k, v in columns.items() if allowed is None or k in allowed},
                                      mapped)]
    return work


def _lead_batches(dialect: Dialect, rows: list[dict[str, Any]], allowed: frozenset[str] | None) -> list[LeadBatch]:
    """Rows grouped by the fields they carry: a field a row leaves out (the hub's later change kept,
    or a field not synced) must keep its stored value, not become NULL."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        if allowed is not None:
            row = {k: v for k, v in row.items() if k in allowed}
        # Rows from one mapping have their fields in one order: a tuple is a cheap key.
        groups.setdefault(tuple(row), []).append(row)
    return [prepare_leads(dialect, group) for group in groups.values()]


def _map(job: Job, object_type: str, page: Page) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Map a page's records; every bad record becomes reject rows naming record, field and reason."""
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    name = job.name
    is_lead = object_type == "lead"
    for i, (label, mapped) in enumerate(_mapped(job, object_type, page)):
        if isinstance(mapped, BadRecord):
            bad += _refused(page, i, mapped, label)
            continue
        mapped["source_connector"] = mapped["source_system"] = name
        if page.external_ids is not None:
            mapped["external_id"] = page.external_ids[i]
        if is_lead:
            key = job.key(mapped)
            if key == f"source:{name}:":
                raise _unidentified(name, label)
            mapped["uniqueness_key"] = key
        rows.append(mapped)
    return rows, bad


def _tuple_mapper(
    job: Job, object_type: str, page: Page
) -> tuple[Callable[[Any], tuple[Any, ...]], tuple[str, ...]] | None:
    """The page's records to value tuples, and their fields, when the core's defaults map and key
    them (a plugin overriding either sees each record as a dict)."""
    if page.columns is None:  # records as dicts, the way API sources deliver them
        return job.record_tuple_mapper(object_type)
    rows = job.tuple_mapper(object_type, page.columns)
    return None if rows is None else (rows, rows.fields)


def _map_to_columns(
    job: Job, object_type: str, page: Page, mapper: Callable[[Any], tuple[Any, ...]], fields: tuple[str, ...]
) -> tuple[dict[str, Sequence[Any]], int, list[dict[str, Any]]]:
    """:func:`_map` for a page of leads when the core's defaults map and key them, the page held as
    columns: no dict per record to build, fill and take apart again (a fifth of a long import)."""
    values: list[tuple[Any, ...]] = []
    refused: list[int] = []
    bad: list[dict[str, Any]] = []
    for i, record in enumerate(page.records):
        try:
            values.append(mapper(record))
        except BadRecord as exc:  # labelled here: building every record's label costs more than mapping some
            refused.append(i)
            bad += _refused(page, i, exc, _label(object_type, page, i))
    size = len(values)
    if not size:
        return {}, 0, bad
    kept = [i for i in range(len(page.records)) if i not in set(refused)] if refused else range(size)
    columns: dict[str, Sequence[Any]] = dict(zip(fields, zip(*values, strict=True), strict=True))
    name = job.name
    columns["source_connector"] = columns["source_system"] = (name,) * size
    if page.external_ids is not None:
        ids = page.external_ids
        columns["external_id"] = [ids[i] for i in kept] if refused else ids
    keys = uniqueness_keys(columns, size, job.context.uniqueness)
    unnamed = f"source:{name}:"
    if unnamed in keys:
        raise _unidentified(name, _label(object_type, page, kept[keys.index(unnamed)]))
    columns["uniqueness_key"] = keys
    return columns, size, bad


def _label(object_type: str, page: Page, i: int) -> str:
    """How reports name the page's record ``i``: its row number in a file, else its id."""
    if page.columns is None:
        record = page.records[i]
        assert isinstance(record, Mapping)
        return f"{object_type} {record.get('Id') or record.get('id') or f'#{i + 1}'}"
    return f"row {page.row_numbers[i]}" if page.row_numbers is not None else f"row #{i + 1}"


def _refused(page: Page, i: int, exc: BadRecord, label: str) -> list[dict[str, Any]]:
    row_number = page.row_numbers[i] if page.row_numbers is not None else None
    return [{"source": page.source, "record": label, "row": row_number, "field": p.field, "reason": p.reason,
             "value": p.value} for p in exc.problems]


def _unidentified(connector: str, label: str) -> ConfigError:
    return ConfigError(
        f"connector {connector!r}: {label} has no external_id and uniqueness is 'none', so it could not be "
        "told apart from any other record: map the source's id to external_id"
    )


def _mapped(job: Job, object_type: str, page: Page) -> Iterator[tuple[str, dict[str, Any] | BadRecord]]:
    """Each record's label and its core fields, or the BadRecord saying why it has none."""
    if page.columns is None:  # records as dicts, the way API sources deliver them
        for i, record in enumerate(page.records):
            label = _label(object_type, page, i)
            try:
                yield label, job.map_in(object_type, record, label)
            except BadRecord as exc:
                yield label, exc
        return
    columns = page.columns

    def as_dict(record: Any, label: str) -> dict[str, Any]:  # a plugin maps: it sees each row as a dict
        return job.map_in(object_type, dict(zip(columns, record, strict=False)), label)

    mapper: Callable[[Any, str], dict[str, Any]] = job.row_mapper(object_type, columns) or as_dict
    for i, record in enumerate(page.records):
        label = _label(object_type, page, i)
        try:
            yield label, mapper(record, label)
        except BadRecord as exc:
            yield label, exc


def _rejects(job: Job, problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reject rows naming source, record, field and reason, as the ``rejects`` table keeps them."""
    return [
        {"tenant_id": job.tenant, "connector": job.name, "run_id": job.run_id, "source": p.get("source"),
         "record": p.get("record") or (f"row {p['row']}" if "row" in p else None), "field": p.get("field"),
         "reason": p["reason"], "value": None if p.get("value") is None else str(p["value"])[:1000]}
        for p in problems
    ]
