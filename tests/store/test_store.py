"""The store shared by several processes: SQLite is set up for it, and writers queue rather than fail."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from leadloop.store import Store, TenantStore

LeadRow = Callable[..., dict[str, Any]]
PRAGMAS = ("journal_mode", "foreign_keys", "busy_timeout", "cache_size", "wal_autocheckpoint", "synchronous")


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(store: Store) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with store.read() as conn:
        settings = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one() for name in PRAGMAS}
    assert settings["journal_mode"] == "wal"
    assert settings["foreign_keys"] == 1
    assert settings["busy_timeout"] >= 5000
    # Bulk upserts: a 16 MiB page cache, a checkpoint every ~40 MB of WAL, no fsync per commit.
    assert (settings["cache_size"], settings["wal_autocheckpoint"], settings["synchronous"]) == (-16384, 10000, 1)


def test_writers_that_read_first_queue_instead_of_failing(
    database_url: str, store: Store, acme: TenantStore, lead_row: LeadRow
) -> None:
    """Each transaction counts the leads, then writes one: on SQLite a transaction that began as a
    reader cannot become the writer once another has committed, unless it took the write lock first."""
    workers = [Store.open(database_url) for _ in range(3)]
    errors: list[BaseException] = []

    def work(worker: Store, first: int) -> None:
        tenant = worker.tenant("acme")
        try:
            for n in range(first, first + 15):
                with worker.transaction() as conn:
                    conn.exec_driver_sql("SELECT count(*) FROM leads").scalar_one()
                    tenant.upsert_leads(conn, [lead_row(n)])
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w, i * 100)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in workers:
        w.close()
    assert errors == []
    assert acme.count_leads() == 45


def test_a_reader_does_not_wait_for_a_writer(
    database_url: str, store: Store, acme: TenantStore, lead_row: LeadRow
) -> None:
    with store.transaction() as conn:
        acme.upsert_leads(conn, [lead_row(1)])
    other = Store.open(database_url)
    try:
        with store.transaction() as conn:
            acme.upsert_leads(conn, [lead_row(2)])  # holds the write lock, not yet committed
            started = time.monotonic()
            assert other.tenant("acme").count_leads() == 1  # sees the last commit, at once
            assert time.monotonic() - started < 2
        assert other.tenant("acme").count_leads() == 2
    finally:
        other.close()


def test_a_wal_checkpoint_puts_what_was_committed_into_the_database_file(store: Store) -> None:
    if store.engine.dialect.name != "sqlite":
        store.checkpoint_wal()  # nothing to do elsewhere, and no error either
        return
    store.tenant("acme").upsert_tenant("Acme")
    # The database file alone, as a reader that ignores the log would see it.
    path = store.engine.url.database
    assert path

    def tenants_in_file() -> list[str]:
        file_only = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        try:
            return [row[0] for row in file_only.execute("SELECT id FROM tenants")]
        except sqlite3.OperationalError:  # the schema itself is still only in the log
            return []
        finally:
            file_only.close()

    assert tenants_in_file() == []  # committed, but only to the write-ahead log
    store.checkpoint_wal()
    assert tenants_in_file() == ["acme"]
