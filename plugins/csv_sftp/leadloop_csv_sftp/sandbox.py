"""A real SFTP server on 127.0.0.1 for tests, demos and trying a tenant file before go-live.

It is asyncssh's SFTP server rooted at a directory (no path, ``..`` or symlink leads out of it),
with password and/or public-key users and a host key that is generated or read from a file. The
client side is the connector's own paramiko code, so tests exercise the real protocol, host-key
check and authentication, not a fake.

In-process::

    with sandbox.start(tmp_path, users={"acme": "secret"}) as server:
        settings = {"host": "127.0.0.1", "port": server.port, "known_hosts": server.host_key_line, ...}

From a shell (``leadloop sandbox sftp`` calls :func:`main`)::

    python -m leadloop_csv_sftp.sandbox --port 2222 --root ./sftp-root --user acme:secret
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

import asyncssh

HOST = "127.0.0.1"
DEFAULT_USERS: Mapping[str, str] = {"acme": "secret"}


class RootedSFTPServer(asyncssh.SFTPServer):
    """asyncssh's chroot, plus a check that the real path (symlinks resolved) stays inside.

    asyncssh's own chroot follows symlinks that already exist in the tree; a sandbox must not.
    """

    def __init__(self, chan: asyncssh.SSHServerChannel[bytes], root: bytes) -> None:
        super().__init__(chan, chroot=root)
        self._root = os.path.realpath(root)

    def map_path(self, path: bytes) -> bytes:
        local = super().map_path(path)
        real = os.path.realpath(local)
        if real != self._root and not real.startswith(self._root + b"/"):
            raise asyncssh.SFTPPermissionDenied("the path leads outside the SFTP root")
        return local


class _SSHServer(asyncssh.SSHServer):
    """Password and public-key authentication for the configured users, nothing else."""

    def __init__(self, sandbox: SftpSandbox) -> None:
        self._sandbox = sandbox
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._sandbox._connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._sandbox._connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        keys = self._sandbox._authorized_keys.get(username)
        if keys is not None and self._conn is not None:
            self._conn.set_authorized_keys(keys)
        return True

    def password_auth_supported(self) -> bool:
        return bool(self._sandbox._users)

    def validate_password(self, username: str, password: str) -> bool:
        expected = self._sandbox._users.get(username)
        return expected is not None and hmac.compare_digest(expected.encode(), password.encode())

    def public_key_auth_supported(self) -> bool:
        return bool(self._sandbox._authorized_keys)


class SftpSandbox:
    """A running sandbox server: its ``port``, its ``host_key_line`` for known_hosts, ``stop()``.

    It serves from a background thread with its own event loop, so synchronous code (paramiko,
    pytest) can talk to it from the main thread.
    """

    def __init__(
        self,
        root: Path,
        users: Mapping[str, str],
        authorized_keys: Mapping[str, asyncssh.SSHAuthorizedKeys],
        host_key: asyncssh.SSHKey,
    ) -> None:
        self.root = root
        self.port = 0
        self._users = dict(users)
        self._authorized_keys = dict(authorized_keys)
        self._host_key = host_key
        self._connections: set[asyncssh.SSHServerConnection] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sftp-sandbox", daemon=True)
        self._acceptor: asyncssh.SSHAcceptor | None = None

    @property
    def host_key_line(self) -> str:
        """The known_hosts line for this server (``[127.0.0.1]:port ssh-ed25519 AAAA...``)."""
        key_type, key_data = self._host_key.export_public_key("openssh").decode().split()[:2]
        host = HOST if self.port == 22 else f"[{HOST}]:{self.port}"
        return f"{host} {key_type} {key_data}"

    def _start(self, port: int) -> None:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(port), self._loop)
        try:
            self._acceptor = future.result(timeout=30)
        except BaseException:
            self._shutdown_loop()
            raise
        self.port = self._acceptor.get_port()

    async def _listen(self, port: int) -> asyncssh.SSHAcceptor:
        root = os.fsencode(self.root)
        return await asyncssh.listen(
            HOST,
            port,
            server_host_keys=[self._host_key],
            server_factory=lambda: _SSHServer(self),
            sftp_factory=lambda chan: RootedSFTPServer(chan, root),
            allow_scp=False,
        )

    def drop_connections(self) -> None:
        """Cut every client connection without a goodbye, as a failing network would."""

        async def drop() -> None:
            for conn in list(self._connections):
                conn.abort()

        asyncio.run_coroutine_threadsafe(drop(), self._loop).result(timeout=10)

    def stop(self) -> None:
        """Stop listening, close the connections and the event loop; safe to call twice."""
        if self._acceptor is None:
            return
        acceptor, self._acceptor = self._acceptor, None

        async def close() -> None:
            acceptor.close()
            await acceptor.wait_closed()
            for conn in list(self._connections):
                conn.abort()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._shutdown_loop()

    def _shutdown_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def load_host_key(path: Path | None) -> asyncssh.SSHKey:
    """The host key at ``path``; a new ed25519 key when there is none (written there if a path is
    given, so that known_hosts stays valid across restarts)."""
    if path is not None and path.exists():
        return asyncssh.read_private_key(path)
    key = asyncssh.generate_private_key("ssh-ed25519")
    if path is not None:
        path.write_bytes(key.export_private_key())
        path.chmod(0o600)
    return key


def start(
    root: Path,
    port: int = 0,
    users: Mapping[str, str] | None = None,
    authorized_keys: Mapping[str, str] | None = None,
    host_key_path: Path | None = None,
) -> SftpSandbox:
    """Serve ``root`` over SFTP on 127.0.0.1 (``port=0`` picks a free port) until ``stop()``.

    ``users`` maps user names to passwords (default ``{"acme": "secret"}``; ``{}`` for key-only);
    ``authorized_keys`` maps user names to authorized_keys text (OpenSSH public key lines).
    """
    keys = {user: asyncssh.import_authorized_keys(text) for user, text in (authorized_keys or {}).items()}
    sandbox = SftpSandbox(
        Path(root),
        DEFAULT_USERS if users is None else users,
        keys,
        load_host_key(Path(host_key_path) if host_key_path else None),
    )
    sandbox._start(port)
    return sandbox


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name or not value:
        raise argparse.ArgumentTypeError(f"expected NAME:VALUE, got {text!r}")
    return name, value


def main(argv: Sequence[str] | None = None, prog: str = "python -m leadloop_csv_sftp.sandbox") -> int:
    """Serve a directory over SFTP in the foreground until interrupted; prints the known_hosts line.

    ``prog`` is the command name ``--help`` shows (``leadloop sandbox sftp`` from the CLI).
    """
    parser = argparse.ArgumentParser(prog=prog, description="Serve a directory over SFTP on 127.0.0.1.")
    parser.add_argument("--root", type=Path, required=True, help="directory to serve (created if missing)")
    parser.add_argument("--port", type=int, default=2222, help="port on 127.0.0.1 (default 2222, 0: any)")
    parser.add_argument(
        "--user", type=_pair, action="append", metavar="NAME:PASSWORD",
        help="a password user (repeatable; default acme:secret)",
    )
    parser.add_argument(
        "--authorized-keys", type=_pair, action="append", default=[], metavar="NAME:FILE",
        help="an authorized_keys file for a user (repeatable)",
    )
    parser.add_argument(
        "--host-key", type=Path, metavar="FILE",
        help="host private key; generated and saved there if missing (default: a new key per run)",
    )
    args = parser.parse_args(argv)
    args.root.mkdir(parents=True, exist_ok=True)
    users = dict(args.user) if args.user else dict(DEFAULT_USERS)
    if args.authorized_keys and not args.user:
        users = {}
    keys = {name: Path(file).read_text(encoding="utf-8") for name, file in args.authorized_keys}
    sandbox = start(args.root, args.port, users, keys, args.host_key)
    print(sandbox.host_key_line, flush=True)
    print(
        f"SFTP sandbox serving {args.root.resolve()} on {HOST}:{sandbox.port} for "
        f"{', '.join(sorted({*users, *keys}))}; the line above goes into the connector's known_hosts. "
        "Ctrl-C stops it.",
        file=sys.stderr,
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
