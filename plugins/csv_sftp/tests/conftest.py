"""Fixtures: a real SFTP sandbox on 127.0.0.1 per test, with a password user and a key user; a real
SQLite store and a tenant whose csv_sftp connector reads the sandbox's inbox."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
import yaml
from cryptography.fernet import Fernet
from leadloop.config import load_tenant_file
from leadloop.plugins import Plugins, load
from leadloop.secrets import SecretBox
from leadloop.store import Store
from leadloop.sync.retry import RetryPolicy
from leadloop.sync.runner import run_job
from leadloop.sync.runs import get as get_run
from leadloop.tenants import apply_tenant
from leadloop_csv_sftp import SftpInbox, sandbox


@pytest.fixture(scope="session")
def client_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


@pytest.fixture
def sftp_root(tmp_path: Path) -> Path:
    root = tmp_path / "sftp"
    (root / "inbox").mkdir(parents=True)
    return root


@pytest.fixture
def inbox_dir(sftp_root: Path) -> Path:
    return sftp_root / "inbox"


@pytest.fixture
def server(sftp_root: Path, client_key: asyncssh.SSHKey) -> Iterator[sandbox.SftpSandbox]:
    with sandbox.start(
        sftp_root,
        users={"acme": "secret"},
        authorized_keys={"keyed": client_key.export_public_key().decode()},
    ) as running:
        yield running


@pytest.fixture
def settings(server: sandbox.SftpSandbox) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": server.port,
        "username": "acme",
        "known_hosts": server.host_key_line,
        "directory": "/inbox",
        "pattern": "*.csv",
        "completion": "done_marker",
    }


@pytest.fixture
def inbox(settings: dict[str, Any]) -> Iterator[SftpInbox]:
    with SftpInbox(settings, {"password": "secret"}, retry_delays=(0.05, 0.1)) as opened:
        yield opened


# --- the engine: a real SQLite store, the installed plugins, a tenant with a csv_sftp connector ----


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of a leadloop process (the connector opens the store it names)."""
    values = {
        "LEADLOOP_HOME": str(tmp_path / "home"),
        "LEADLOOP_DATABASE_URL": f"sqlite:///{tmp_path / 'leadloop.db'}",
        "LEADLOOP_SECRET_KEY": Fernet.generate_key().decode(),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    for key in ("LEADLOOP_PLUGINS", "LEADLOOP_DISABLE_PLUGINS", "LEADLOOP_PLUGIN_MODULES"):
        monkeypatch.delenv(key, raising=False)
    return {**os.environ, **values}


@pytest.fixture
def plugins(env: dict[str, str]) -> Plugins:
    return load()


@pytest.fixture
def store(env: dict[str, str]) -> Iterator[Store]:
    opened = Store.open()
    opened.migrate()
    yield opened
    opened.close()


@pytest.fixture
def apply(store: Store, plugins: Plugins, tmp_path: Path, settings: dict[str, Any]) -> Callable[..., None]:
    """Apply tenant 'acme' with the csv_sftp connector 'drop' on the sandbox, through a tenant file;
    keyword arguments override connector settings, ``uniqueness`` and ``mappings`` the connector's."""

    def apply_(*, uniqueness: str | None = None, mappings: dict[str, Any] | None = None, **overrides: Any) -> None:
        connector: dict[str, Any] = {
            "type": "csv_sftp",
            "settings": {**settings, **overrides},
            "secrets": {"password": {"value": "secret"}},
            "jobs": {"pull": {"every": "1m"}},
        }
        if uniqueness:
            connector["uniqueness"] = uniqueness
        if mappings:
            connector["mappings"] = mappings
        path = tmp_path / "acme.yaml"
        path.write_text(yaml.safe_dump({"tenant": "acme", "connectors": {"drop": connector}}), encoding="utf-8")
        apply_tenant(store, SecretBox.from_environment(), load_tenant_file(path, plugins))

    return apply_


@pytest.fixture
def pull(store: Store, plugins: Plugins) -> Callable[[], dict[str, Any]]:
    """Run the connector's real pull job once; the run as ``leadloop runs show`` sees it."""

    def pull_() -> dict[str, Any]:
        result = run_job(store, plugins, "acme", "drop", "pull", retry=RetryPolicy(attempts=2, base=0.01, cap=0.02))
        assert result.run_id is not None, result
        return get_run(store, result.run_id)

    return pull_
