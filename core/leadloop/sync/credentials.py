"""Connector credentials kept in the store, encrypted, behind a lock that spans processes."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..secrets import SecretBox
from ..store import Store
from ..store.tables import connectors, secrets


class StoredCredentials:
    """:class:`leadloop.source.Credentials` over the ``secrets`` table.

    :meth:`lock` opens a write transaction and holds it: on PostgreSQL it locks the connector's row
    (``FOR UPDATE``), on SQLite the transaction holds the database's write lock. Reads and updates made
    while it is held go through that same transaction, so a refresh and the persisting of a rotated
    refresh token are one atomic step that no other job can interleave with.
    """

    def __init__(self, store: Store, box: SecretBox, tenant: str, connector: str) -> None:
        self._store = store
        self._box = box
        self._tenant = tenant
        self._connector = connector
        self._thread_lock = threading.RLock()
        self._conn: Connection | None = None

    def __repr__(self) -> str:
        return f"StoredCredentials({self._tenant!r}, {self._connector!r})"

    @contextmanager
    def lock(self) -> Iterator[None]:
        with self._thread_lock:
            if self._conn is not None:  # re-entered by the same thread
                yield
                return
            with self._store.transaction() as conn:
                conn.execute(
                    select(connectors.c.name)
                    .where(connectors.c.tenant_id == self._tenant, connectors.c.name == self._connector)
                    .with_for_update()
                )
                self._conn = conn
                try:
                    yield
                finally:
                    self._conn = None

    def get(self) -> dict[str, str]:
        with self._connection() as conn:
            rows = conn.execute(
                select(secrets.c.name, secrets.c.ciphertext).where(
                    secrets.c.tenant_id == self._tenant, secrets.c.connector == self._connector
                )
            )
            return {
                row.name: self._box.decrypt(row.ciphertext, what=f"secret {row.name!r} of connector "
                                            f"{self._connector!r} (tenant {self._tenant!r})")
                for row in rows
            }

    def update(self, values: Mapping[str, str]) -> None:
        tenant = self._store.tenant(self._tenant)
        with self._connection() as conn:
            for name, value in values.items():
                tenant.put_secret(self._connector, name, self._box.encrypt(str(value)), conn=conn)

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        with self._thread_lock:  # another thread must not borrow the lock holder's transaction
            if self._conn is not None:
                yield self._conn
            else:
                with self._store.transaction() as conn:
                    yield conn
