"""Fixtures: a real SFTP sandbox on 127.0.0.1 per test, with a password user and a key user; a real
SQLite store and a tenant whose csv_sftp connector reads the sandbox's inbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from leadloop.sync.retry import RetryPolicy
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


# --- the engine: the test kit's store and plugins, a tenant with a csv_sftp connector ----------





@pytest.fixture
def apply(leadloop_apply: Callable[..., Any], settings: dict[str, Any]) -> Callable[..., None]:
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
        leadloop_apply({"drop": connector})

    return apply_


@pytest.fixture
def pull(leadloop_run: Callable[..., dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """Run the connector's real pull job once; the run as ``leadloop runs show`` sees it."""

    def pull_() -> dict[str, Any]:
        return leadloop_run("acme", "drop", "pull", retry=RetryPolicy(attempts=2, base=0.01, cap=0.02))

    return pull_
