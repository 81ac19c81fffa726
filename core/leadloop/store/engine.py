"""Which database, and an engine tuned for it.

SQLite is the default so that one machine needs nothing installed; several processes (the CLI, the
scheduler, workers) share its file, hence WAL (readers never block the writer), a busy timeout
(a writer waits for the other instead of failing at once) and ``BEGIN IMMEDIATE`` for write
transactions (a transaction that read first and then writes cannot be refused halfway, which a busy
timeout does not prevent). PostgreSQL is chosen by URL.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError

from ..errors import ConfigError
from ..home import home

BUSY_TIMEOUT_MS = 30_000
SQLITE_PRAGMAS = (
    # In WAL mode NORMAL never corrupts; a power cut may lose the last commits, which the sync
    # design tolerates (pages repeat idempotently, pushes are safe to repeat).
    "synchronous=NORMAL",
    "foreign_keys=ON",
    # Leads arrive in no key order, so each page's upsert touches index pages all over the file:
    # 16 MiB of page cache instead of 2 made a 100k-lead pull's upserts ~40% faster.
    "cache_size=-16384",
    # A checkpoint (and its fsync) every ~40 MB of WAL instead of every ~4 MB: a 2,000-lead page
    # writes ~4 MB, and checkpointing after each one cost as much as half its upsert.
    "wal_autocheckpoint=10000",
)
"""Set on every SQLite connection after WAL (the CSV benchmark's bare reference sets them too)."""
_json_slow = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json_text(value: Any) -> str:
    """Compact UTF-8 JSON, as the standard encoder writes it, from orjson: every imported lead
    carries a list or a ``custom`` dict, and the standard encoder took a tenth of an import's time.
    What orjson refuses (integers beyond 64 bits) goes to the standard encoder."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return _json_slow(value)
READ_ONLY = "leadloop_read_only"
"""Execution option: the connection only reads, so on SQLite it begins without the write lock."""


def default_url() -> str:
    """``LEADLOOP_DATABASE_URL``, else the SQLite file ``$LEADLOOP_HOME/leadloop.db``."""
    return os.environ.get("LEADLOOP_DATABASE_URL") or f"sqlite:///{home() / 'leadloop.db'}"


def open_engine(url: str) -> Engine:
    """An engine for ``url``; raises :class:`ConfigError` for a URL leadloop cannot use."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise ConfigError(f"database URL {url!r} is not valid: {exc}") from None
    if backend == "sqlite":
        engine = create_engine(url, json_serializer=_json_text)
        _tune_sqlite(engine)
        return engine
    if backend == "postgresql":
        return create_engine(url, json_serializer=_json_text, pool_pre_ping=True)
    raise ConfigError(
        f"database URL {url!r}: leadloop stores its data in SQLite or PostgreSQL, not {backend!r} "
        "(set LEADLOOP_DATABASE_URL, e.g. postgresql+psycopg://user@host/db)"
    )


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own implicit BEGIN is switched off: _on_begin issues the right one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL (it stays so: later connections find it done).

    Switching needs a lock that SQLite does not wait for through the busy timeout: several processes
    opening a new database at once (the first scheduler, worker and CLI of a machine) would get
    "database is locked". So it is retried here, within the same time budget.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
