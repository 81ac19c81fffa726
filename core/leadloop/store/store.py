"""The store: one database, many tenants."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from . import tables
from .engine import READ_ONLY, default_url, open_engine
from .tenant import TenantStore


@dataclass(frozen=True)
class TenantRecord:
    id: str
    name: str
    created_at: datetime
    updated_at: datetime


class Store:
    """The hub's database. Everything about one tenant goes through :meth:`tenant`, which scopes
    every query to it; :meth:`list_tenants` is the only question asked across tenants."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Open ``url``, else ``LEADLOOP_DATABASE_URL``, else ``$LEADLOOP_HOME/leadloop.db``.

        Opening does not touch the schema: call :meth:`migrate` first.
        """
        return cls(open_engine(url or default_url()))

    @property
    def url(self) -> str:
        """The database URL, password hidden: fit for logs and messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Upgrade the schema to the newest revision (idempotent, safe from several processes)."""
        from . import migrate  # Alembic is a tenth of a second of imports most processes never use

        with self.transaction() as conn:
            migrate.upgrade(conn)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a write transaction: committed when the block ends, rolled back if it raises.

        On SQLite it holds the database's write lock from its first statement, so concurrent writers
        queue (up to the busy timeout) instead of failing halfway through.
        """
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading only: on SQLite it does not wait for or block a writer."""
        with self.engine.connect() as conn:
            yield conn.execution_options(**{READ_ONLY: True})

    def checkpoint_wal(self) -> None:
        """On SQLite, copy the pages other connections committed from the write-ahead log into the
        database file now, as far as no reader still needs them (a passive checkpoint: it waits for
        no lock). Otherwise the connection whose commit finds the log long does it, inside that
        commit; a process with time to spare while another commits takes the work off it. A no-op
        on PostgreSQL."""
        if self.engine.url.get_backend_name() != "sqlite":
            return
        connection = self.engine.raw_connection()
        try:
            connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").close()
        except sqlite3.OperationalError:
            pass  # could not run now (the file is being recovered, say): the next commit's own checkpoint will
        finally:
            connection.close()

    def tenant(self, tenant_id: str) -> TenantStore:
        """The view of one tenant's data; every one of its methods is scoped to ``tenant_id``."""
        return TenantStore(self, tenant_id)

    def list_tenants(self) -> list[TenantRecord]:
        with self.read() as conn:
            rows = conn.execute(select(tables.tenants).order_by(tables.tenants.c.id)).mappings()
            return [TenantRecord(**row) for row in rows]

    def close(self) -> None:
        """Close pooled connections (a test or a forked worker ends with this)."""
        self.engine.dispose()
