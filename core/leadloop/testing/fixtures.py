"""pytest fixtures for testing leadloop and its connector plugins against real parts.

Loaded in every pytest run where leadloop is installed (entry point ``pytest11``); each fixture's
name starts with ``leadloop_`` so none shadows a project's own. A connector's tests typically use::

    def test_pull(leadloop_apply, leadloop_run, my_sandbox):
        leadloop_apply({"crm": {"type": "mycrm", "settings": {"url": my_sandbox.url}, ...}})
        run = leadloop_run("acme", "crm", "pull")
        assert run["outcome"] == "ok" and run["records_read"] == 100

Every test gets its own database: a SQLite file, and, when ``LEADLOOP_TEST_DATABASE_URL`` names a
PostgreSQL server, a second run on a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, make_url

from ..config import TenantConfig, load_tenant_file
from ..plugins import Plugins, load
from ..secrets import SecretBox
from ..store import Store
from ..sync.retry import RetryPolicy
from ..sync.runner import run_job
from ..sync.runs import get
from ..tenants import apply_tenant

PG_URL_VAR = "LEADLOOP_TEST_DATABASE_URL"
FAST_RETRY = RetryPolicy(attempts=50, base=0.005, cap=0.02)
"""The engine's backoff arithmetic in milliseconds, so that retries do not slow tests down."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: runs on the PostgreSQL named by LEADLOOP_TEST_DATABASE_URL")


@pytest.fixture
def leadloop_plugin_modules() -> list[str]:
    """Modules loaded as plugins beside the installed ones; override it to add a test plugin
    (``return ["leadloop.testing.fakesource"]``)."""
    return []


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def leadloop_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (no tables): a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'leadloop.db'}"
        return
    server = os.environ.get(PG_URL_VAR)
    if not server:
        pytest.skip(f"set {PG_URL_VAR} to run on PostgreSQL too")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def leadloop_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, leadloop_database_url: str, leadloop_plugin_modules: list[str]
) -> dict[str, str]:
    """A leadloop process's environment (home, database, secret key, the installed plugins plus
    :func:`leadloop_plugin_modules`), set in this process and returned whole for the subprocesses a
    test starts."""
    values = {
        "LEADLOOP_HOME": str(tmp_path / "leadloop-home"),
        "LEADLOOP_DATABASE_URL": leadloop_database_url,
        "LEADLOOP_SECRET_KEY": Fernet.generate_key().decode(),
    }
    if leadloop_plugin_modules:
        values["LEADLOOP_PLUGIN_MODULES"] = ",".join(leadloop_plugin_modules)
    for key in ("LEADLOOP_PLUGINS", "LEADLOOP_DISABLE_PLUGINS", "LEADLOOP_PLUGIN_MODULES", "LEADLOOP_SECRET_KEY_FILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return {**os.environ, **values}


@pytest.fixture
def leadloop_plugins(leadloop_env: dict[str, str]) -> Plugins:
    return load()


@pytest.fixture
def leadloop_store(leadloop_env: dict[str, str]) -> Iterator[Store]:
    """The migrated store of :func:`leadloop_env`; closed before its database goes away."""
    store = Store.open()
    store.migrate()
    yield store
    store.close()


@pytest.fixture
def leadloop_apply(leadloop_store: Store, leadloop_plugins: Plugins, tmp_path: Path) -> Callable[..., TenantConfig]:
    """``leadloop_apply(connectors, tenant="acme")``: write a tenant file with these connectors, check
    it and apply it, as ``leadloop apply -f`` does."""

    def apply(connectors: dict[str, Any], tenant: str = "acme") -> TenantConfig:
        path = tmp_path / f"{tenant}.yaml"
        path.write_text(yaml.safe_dump({"tenant": tenant, "connectors": connectors}), encoding="utf-8")
        config = load_tenant_file(path, leadloop_plugins)
        apply_tenant(leadloop_store, SecretBox.from_environment(), config)
        return config

    return apply


@pytest.fixture
def leadloop_run(leadloop_store: Store, leadloop_plugins: Plugins) -> Callable[..., dict[str, Any]]:
    """``leadloop_run(tenant, connector, job, **run_job_options)``: one job now, with fast retries;
    returns its run as ``leadloop runs show --json`` does (rejects included)."""

    def run(tenant: str, connector: str, job: str, **options: Any) -> dict[str, Any]:
        options.setdefault("retry", FAST_RETRY)
        result = run_job(leadloop_store, leadloop_plugins, tenant, connector, job, **options)
        assert result.run_id is not None, f"{tenant}/{connector}/{job} did not run: {result.error}"
        return get(leadloop_store, result.run_id)

    return run
