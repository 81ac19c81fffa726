"""Migrations: a fresh database gets the whole schema, again and again is harmless, and the migrated
schema is exactly what ``leadloop.store.tables`` declares."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from leadloop.errors import ConfigError
from leadloop.store import Store
from leadloop.store.migrate import MIGRATIONS, alembic_config
from leadloop.store.tables import metadata


def _tables(store: Store) -> set[str]:
    with store.read() as conn:
        return set(inspect(conn).get_table_names())


def _version(store: Store) -> str:
    with store.read() as conn:
        return str(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one())


def test_migrate_creates_every_table_on_a_fresh_database(database_url: str) -> None:
    store = Store.open(database_url)
    try:
        assert _tables(store) == set()
        store.migrate()
        assert _tables(store) == set(metadata.tables) | {"alembic_version"}
        with store.transaction() as conn:
            head = ScriptDirectory.from_config(alembic_config(conn)).get_current_head()
        assert _version(store) == head
    finally:
        store.close()


def test_migrate_again_changes_nothing_and_keeps_data(store: Store) -> None:
    store.tenant("acme").upsert_tenant("Acme")
    version = _version(store)
    store.migrate()
    store.migrate()
    assert _version(store) == version
    assert [t.id for t in store.list_tenants()] == ["acme"]


def test_migrated_schema_matches_the_tables_module(store: Store) -> None:
    with store.read() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, metadata) == []


def test_several_processes_migrating_at_once_all_succeed(database_url: str) -> None:
    stores = [Store.open(database_url) for _ in range(4)]
    errors: list[BaseException] = []

    def migrate(store: Store) -> None:
        try:
            store.migrate()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=migrate, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert _tables(stores[0]) == set(metadata.tables) | {"alembic_version"}
    finally:
        for s in stores:
            s.close()


def test_migrations_ship_inside_the_package() -> None:
    assert MIGRATIONS.parent.name == "store"
    assert (MIGRATIONS / "env.py").is_file()
    assert list((MIGRATIONS / "versions").glob("0001_*.py"))


def test_default_database_is_a_file_in_leadloop_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("LEADLOOP_HOME", str(home))
    monkeypatch.delenv("LEADLOOP_DATABASE_URL", raising=False)
    store = Store.open()
    try:
        store.migrate()
        assert store.url == f"sqlite:///{home / 'leadloop.db'}"
        assert (home / "leadloop.db").is_file()
    finally:
        store.close()


def test_database_url_variable_wins_over_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLOOP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LEADLOOP_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    store = Store.open()
    try:
        assert store.url.endswith("elsewhere.db")
        assert not (tmp_path / "home" / "leadloop.db").exists()
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [("mysql+pymysql://u@h/db", "SQLite or PostgreSQL"), ("not a url", "is not valid")],
)
def test_unusable_database_url_is_a_config_error(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Store.open(url)
