"""Connecting to the sandbox over real SFTP: authentication, host keys, the root, the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from leadloop.errors import AuthError, ConfigError
from leadloop_csv_sftp import SftpInbox, sandbox
from leadloop_csv_sftp.connection import SftpConnection


def connect(settings: dict[str, Any], secrets: dict[str, str]) -> SftpConnection:
    return SftpConnection(
        settings["host"], settings["port"], settings["username"], settings["known_hosts"], secrets,
        retry_delays=(),
    )


def listing(conn: SftpConnection, path: str = "/") -> list[str]:
    return sorted(conn.call(lambda sftp: sftp.listdir(path), "listing"))


def test_password_auth(settings: dict[str, Any]) -> None:
    conn = connect(settings, {"password": "secret"})
    assert listing(conn) == ["inbox"]
    conn.close()


def test_wrong_password_is_refused_with_an_auth_error(settings: dict[str, Any]) -> None:
    conn = connect(settings, {"password": "guess"})
    with pytest.raises(AuthError, match=r"refused user 'acme': password refused"):
        listing(conn)


def test_key_auth_with_openssh_ed25519_text(settings: dict[str, Any], client_key: asyncssh.SSHKey) -> None:
    key_text = client_key.export_private_key("openssh").decode()
    assert key_text.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    conn = connect({**settings, "username": "keyed"}, {"private_key": key_text})
    assert listing(conn) == ["inbox"]
    conn.close()


def test_key_auth_with_pem_rsa_text(sftp_root: Path) -> None:
    key = asyncssh.generate_private_key("ssh-rsa", key_size=2048)
    with sandbox.start(sftp_root, users={}, authorized_keys={"rsa": key.export_public_key().decode()}) as server:
        key_text = key.export_private_key("pkcs1-pem").decode()
        assert key_text.startswith("-----BEGIN RSA PRIVATE KEY-----")
        conn = SftpConnection("127.0.0.1", server.port, "rsa", server.host_key_line, {"private_key": key_text})
        assert listing(conn) == ["inbox"]
        conn.close()


def test_a_key_the_server_does_not_know_is_refused(settings: dict[str, Any]) -> None:
    stranger = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    conn = connect({**settings, "username": "keyed"}, {"private_key": stranger})
    with pytest.raises(AuthError, match="private key refused"):
        listing(conn)


def test_a_refusal_says_what_was_tried_and_what_the_server_did(settings: dict[str, Any]) -> None:
    stranger = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    conn = connect(settings, {"private_key": stranger, "password": "secret"})
    # The sandbox (asyncssh) allows one authentication service request per connection; OpenSSH
    # would go on to the password.
    with pytest.raises(AuthError, match="private key refused; the server hung up instead of checking the password"):
        listing(conn)


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        ({}, "set the password or the private_key secret"),
        ({"private_key": "not a key"}, "not an RSA, ECDSA or Ed25519 private key"),
        (
            {"private_key": asyncssh.generate_private_key("ssh-ed25519").export_private_key(passphrase="pw").decode()},
            "encrypted",
        ),
    ],
)
def test_unusable_secrets_are_config_errors(settings: dict[str, Any], secrets: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        connect(settings, secrets)


def test_mismatched_host_key_is_refused_naming_both_fingerprints(
    settings: dict[str, Any], server: sandbox.SftpSandbox
) -> None:
    impostor = asyncssh.generate_private_key("ssh-ed25519")
    host = f"[127.0.0.1]:{server.port}"
    known = f"{host} {impostor.export_public_key().decode().split()[0]} {impostor.export_public_key().decode().split()[1]}"
    conn = connect({**settings, "known_hosts": known}, {"password": "secret"})
    with pytest.raises(ConfigError) as caught:
        listing(conn)
    message = str(caught.value)
    expected_fp = asyncssh.import_public_key(known.split(" ", 1)[1]).get_fingerprint("sha256")
    offered_fp = asyncssh.import_public_key(server.host_key_line.split(" ", 1)[1]).get_fingerprint("sha256")
    assert f"host key mismatch for {host}" in message
    assert f"expects ssh-ed25519 {expected_fp}" in message
    assert f"offered ssh-ed25519 {offered_fp}" in message
    assert "replace the connector's known_hosts" in message


def test_unknown_host_is_refused_with_the_line_to_add(settings: dict[str, Any], server: sandbox.SftpSandbox) -> None:
    other_port = server.host_key_line.replace(f"]:{server.port} ", "]:2200 ")
    conn = connect({**settings, "known_hosts": "# vendor's SFTP\n" + other_port}, {"password": "secret"})
    with pytest.raises(ConfigError) as caught:
        listing(conn)
    message = str(caught.value)
    assert f"SFTP host [127.0.0.1]:{server.port} is not in the connector's known_hosts" in message
    assert "(it lists [127.0.0.1]:2200)" in message
    assert message.endswith(f"add this line to known_hosts: {server.host_key_line}")


def test_unreadable_known_hosts_is_a_config_error(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="known_hosts line 2"):
        connect({**settings, "known_hosts": settings["known_hosts"] + "\nsftp.example.com ssh-ed25519"}, {"password": "x"})


def test_the_sandbox_root_cannot_be_left(settings: dict[str, Any], sftp_root: Path) -> None:
    outside = sftp_root.parent / "outside.txt"
    outside.write_text("secret outside the root")
    (sftp_root / "inbox" / "link.txt").symlink_to(outside)
    conn = connect(settings, {"password": "secret"})

    def read(path: str) -> bytes:
        return conn.call(lambda sftp: sftp.open(path).read(), f"reading {path}")

    with pytest.raises(FileNotFoundError):
        read("../outside.txt")  # resolves to /outside.txt inside the root
    with pytest.raises(FileNotFoundError):
        read("/inbox/../../../outside.txt")
    with pytest.raises(PermissionError):
        read("/inbox/link.txt")  # a symlink that leads out
    assert listing(conn, "../..") == ["inbox"]
    conn.close()


@pytest.mark.timeout(60)
def test_cli_serves_in_the_foreground_and_prints_the_known_hosts_line(tmp_path: Path) -> None:
    root = tmp_path / "served"
    process = subprocess.Popen(
        [sys.executable, "-m", "leadloop_csv_sftp.sandbox", "--port", "0", "--root", str(root), "--user", "bob:pw"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        host, key_type, _ = line.split()
        assert host.startswith("[127.0.0.1]:") and key_type == "ssh-ed25519"
        (root / "inbox").mkdir()
        (root / "inbox" / "a.csv").write_text("x\n1\n")
        settings = {
            "host": "127.0.0.1", "port": int(host.rsplit(":", 1)[1]), "username": "bob",
            "known_hosts": line, "completion": "stable_size",
        }
        with SftpInbox(settings, {"password": "pw"}) as inbox:
            state: dict[str, Any] = {}
            inbox.complete_files(state)
            assert [f.name for f in inbox.complete_files(state)] == ["a.csv"]
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert f"serving {root.resolve()}" in err


def test_a_given_host_key_file_keeps_the_known_hosts_line_across_restarts(sftp_root: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "host_key"
    with sandbox.start(sftp_root, host_key_path=key_file) as first:
        first_key = first.host_key_line.split(" ", 1)[1]
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    with sandbox.start(sftp_root, host_key_path=key_file) as second:
        assert second.host_key_line.split(" ", 1)[1] == first_key
