"""Fixtures: a real SFTP sandbox on 127.0.0.1 per test, with a password user and a key user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
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
