"""The bulk lead upsert: the hot path of every import.

A million-row file must not cost a million ORM objects or statement compilations, so one plain
``INSERT ... ON CONFLICT (tenant_id, uniqueness_key) DO UPDATE`` is built per set of row keys (and
cached), each row becomes a tuple, and the driver's ``executemany`` runs them. Values go through
the same SQLAlchemy type processors Core uses, so Core reads back exactly what Core would have
written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

from ..errors import ConfigError, FatalError
from ..model import LEAD_FIELDS
from .tables import leads
from .types import utcnow

_RENAMED = {
    "source_system": "source_connector",
    "created_at": "source_created_at",
    "modified_at": "source_modified_at",
}

LEAD_COLUMNS: dict[str, str] = {
    **{field: _RENAMED.get(field, field.replace(".", "_")) for field in LEAD_FIELDS},
    "uniqueness_key": "uniqueness_key",
    "source_connector": "source_connector",
    "custom": "custom",
}
"""Row key -> ``leads`` column. Keys are the lead's flat field names (:data:`leadloop.model.LEAD_FIELDS`)
plus what the sync engine adds. The model's ``created_at``/``modified_at`` are the source's stamps
(``source_created_at``/``source_modified_at``); the table's own ``created_at``/``updated_at`` say when
the hub stored the lead. ``source_system`` is the model's name for ``source_connector``."""

_SET_BY_STORE = ("tenant_id", "id", "created_at", "updated_at")
_KEPT_ON_UPDATE = frozenset(
    {"tenant_id", "id", "created_at", "uniqueness_key", "source_connector", "external_id"}
)
"""What an update never changes: identity, and the lead's origin (the connector and record that
created it). Leaving the origin out of the SET list also spares SQLite a foreign-key check per
updated row, which made new-lead inserts ~25% slower."""
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int
    updated: int


@dataclass(frozen=True)
class _Statement:
    sql: str
    count_sql: str
    """How many leads have ids in a range: those a batch inserted (see :func:`upsert_leads`)."""
    keys: tuple[str, ...]
    convert: tuple[tuple[int, Callable[[Any], Any]], ...]
    """(position in ``keys``, type processor) for the columns whose values need converting."""
    stamp: Callable[[Any], Any]


@dataclass(frozen=True)
class LeadBatch:
    """Lead rows that carry the same fields, already in the form the database driver binds.

    Built by :func:`prepare_leads` wherever the rows are mapped, written by :func:`write_leads`
    inside a transaction, possibly in another process: a batch is plain lists and pickles compactly.
    """

    keys: tuple[str, ...]
    """The rows' fields in statement order; ``columns[i]`` holds every row's value of ``keys[i]``."""
    columns: tuple[Sequence[Any], ...]
    size: int

    def __reduce__(self) -> tuple[Any, ...]:
        return _unpack_batch, (self.keys, tuple(_pack(column) for column in self.columns), self.size)

    def column(self, key: str) -> Sequence[Any]:
        return self.columns[self.keys.index(key)]

    def take(self, rows: Sequence[int], drop: Collection[str] = ()) -> LeadBatch:
        """The rows at positions ``rows``, without the fields ``drop`` (their stored values stay)."""
        kept = [i for i, key in enumerate(self.keys) if key not in drop]
        return LeadBatch(
            tuple(self.keys[i] for i in kept),
            tuple([self.columns[i][r] for r in rows] for i in kept),
            len(rows),
        )


_SEPARATOR = "\x1f"


class _Joined(str):
    """A column of text values pickled as one string: a page is ~150k values, and pickling each on
    its own (and building each back) took a fifth of a long import's time in each process."""


def _pack(column: Sequence[Any]) -> Sequence[Any] | _Joined:
    try:
        joined = _SEPARATOR.join(column)
    except TypeError:  # not all text: numbers, or NULLs
        return column
    if joined.count(_SEPARATOR) != len(column) - 1:  # a value holds the separator itself
        return column
    return _Joined(joined)


def _unpack_batch(keys: tuple[str, ...], columns: tuple[Any, ...], size: int) -> LeadBatch:
    return LeadBatch(
        keys, tuple(c.split(_SEPARATOR) if isinstance(c, _Joined) else c for c in columns), size
    )


def upsert_leads(conn: Connection, tenant_id: str, rows: Sequence[Mapping[str, Any]]) -> UpsertCounts:
    """Insert new leads and update known ones, matched by ``uniqueness_key`` within the tenant.

    Only the columns the rows carry are written: a lead updated from a file without a phone column
    keeps its phone; a key some rows of the batch lack is written as NULL for those rows. An update
    keeps the lead's origin (``source_connector``, ``external_id``) and makes it alive again
    (``deleted_at`` cleared). A key repeated within the batch counts as one insert and then updates.
    """
    if not rows:
        return UpsertCounts(0, 0)
    return write_leads(conn, tenant_id, prepare_leads(conn.dialect, rows))


def prepare_leads(dialect: Dialect, rows: Sequence[Mapping[str, Any]]) -> LeadBatch:
    """Turn mapped lead rows into a :class:`LeadBatch` for ``dialect``; checks the fields are known."""
    # Column by column: C-level passes over the rows and one comprehension per converted column cost
    # far less than a Python loop over every value of every row, and leave no per-row garbage for
    # the cyclic GC to trace (its full collections otherwise cost a fifth of the time).
    names = tuple(rows[0]) if rows else ()
    table = _uniform(rows, names)
    if table is not None:  # the usual case: every row carries the same fields
        return prepare_columns(dialect, dict(zip(names, table, strict=True)), len(rows))
    statement = _statement(dialect, frozenset().union(*rows))
    return _converted(statement, [_column(rows, key) for key in statement.keys], len(rows))


def prepare_columns(dialect: Dialect, columns: Mapping[str, Sequence[Any]], size: int) -> LeadBatch:
    """A :class:`LeadBatch` of ``size`` leads given as columns (field -> every lead's value)."""
    statement = _statement(dialect, frozenset(columns))
    return _converted(statement, [columns[key] for key in statement.keys], size)


def _converted(statement: _Statement, columns: list[Sequence[Any]], size: int) -> LeadBatch:
    for i, process in statement.convert:
        columns[i] = [None if v is None else process(v) for v in columns[i]]
    return LeadBatch(statement.keys, tuple(columns), size)


def write_leads(conn: Connection, tenant_id: str, batch: LeadBatch) -> UpsertCounts:
    """Upsert a prepared batch (see :func:`upsert_leads` for what is written and what is kept)."""
    if not batch.size:
        return UpsertCounts(0, 0)
    if not conn.in_transaction():
        raise FatalError("writing leads needs a connection in a transaction: use Store.transaction()")
    statement = _statement(conn.dialect, frozenset(batch.keys))
    now = statement.stamp(utcnow())
    # Every id of the batch shares one random prefix (a UUID's first 74 random bits) and numbers its
    # row in the last 48, so the rows this batch inserted are exactly the ids in the prefix's range.
    prefix = str(uuid.uuid4())[:24]
    n = batch.size
    row_id = f"{prefix}{{:012x}}".format
    # A lazy iterator, not a list: the driver binds each tuple and drops it, so zip reuses one
    # tuple for every row and the cyclic GC never runs during the statement.
    params = zip(
        repeat(tenant_id, n), map(row_id, range(n)), repeat(now, n), repeat(now, n), *batch.columns, strict=True
    )
    dbapi_error = conn.dialect.loaded_dbapi.Error
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(statement.sql, params)  # type: ignore[arg-type]  # drivers take any iterable
    except dbapi_error as exc:  # raised as SQLAlchemy raises it for every other statement
        raise DBAPIError.instance(statement.sql, None, exc, dbapi_error, dialect=conn.dialect) from exc
    finally:
        cursor.close()
    inserted = conn.exec_driver_sql(statement.count_sql, (tenant_id, row_id(0), row_id(n - 1))).scalar_one()
    return UpsertCounts(inserted=inserted, updated=n - inserted)


def _uniform(rows: Sequence[Mapping[str, Any]], names: tuple[str, ...]) -> list[tuple[Any, ...]] | None:
    """Each field's values in ``names`` order if every row has exactly the fields ``names``, else ``None``."""
    if len(names) < 2 or set(map(len, rows)) != {len(names)}:
        return None
    try:
        values = list(map(itemgetter(*names), rows))  # a row of the same size with all of them has no other
    except KeyError:
        return None
    return list(zip(*values, strict=True))


def _column(rows: Sequence[Mapping[str, Any]], key: str) -> list[Any]:
    try:
        return list(map(itemgetter(key), rows))
    except KeyError:  # some row lacks a key the others carry: NULL for it
        return [row.get(key) for row in rows]


@lru_cache(maxsize=64)
def _statement(dialect: Dialect, row_keys: frozenset[str]) -> _Statement:
    unknown = row_keys - LEAD_COLUMNS.keys()
    if unknown:
        raise ConfigError(
            f"lead rows carry fields the store does not know: {', '.join(sorted(unknown))} "
            f"(known: {', '.join(LEAD_COLUMNS)})"
        )
    if "uniqueness_key" not in row_keys:
        raise ConfigError(
            "lead rows carry no uniqueness_key: the store cannot tell new leads from known ones"
        )
    # source_connector, set by the sync engine, wins over a source_system the mapping produced.
    keys = tuple(sorted(k for k in row_keys if not (k == "source_system" and "source_connector" in row_keys)))
    columns = [*_SET_BY_STORE, *(LEAD_COLUMNS[k] for k in keys)]
    quote = dialect.identifier_preparer.quote
    placeholder = _PLACEHOLDERS[dialect.paramstyle]
    updates = [f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in _KEPT_ON_UPDATE]
    updates.append("deleted_at = NULL")
    sql = (
        f"INSERT INTO leads ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([placeholder] * len(columns))}) "
        f"ON CONFLICT (tenant_id, uniqueness_key) DO UPDATE SET {', '.join(updates)}"
    )
    processors = [_processor(dialect, LEAD_COLUMNS[k]) for k in keys]
    stamp = _processor(dialect, "created_at")
    assert stamp is not None  # a UTCDateTime always converts
    return _Statement(
        sql=sql,
        count_sql=f"SELECT count(*) FROM leads WHERE tenant_id = {placeholder} "
        f"AND id BETWEEN {placeholder} AND {placeholder}",
        keys=keys,
        convert=tuple((i, p) for i, p in enumerate(processors) if p is not None),
        stamp=stamp,
    )


def _processor(dialect: Dialect, column: str) -> Callable[[Any], Any] | None:
    type_ = leads.c[column].type
    return type_.dialect_impl(dialect).bind_processor(dialect)
