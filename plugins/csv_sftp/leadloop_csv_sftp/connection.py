"""One SFTP session with paramiko: host key checked first, then password or key, reconnecting when
the line drops.

Every remote operation goes through :meth:`SftpConnection.call`. When it fails and the connection
is gone, the session is rebuilt and the operation run again, a few times with growing pauses, then
:class:`~leadloop.errors.RetriableError` hands the problem to the scheduler's backoff. A timeout
counts as a dropped connection. When it fails on a live connection, the server answered (no such file, permission denied) and the error is
the caller's to handle. Operations are therefore written to be safe to run twice.

Files are read by :class:`RemoteReader` in 1 MiB windows of pipelined requests: SFTP answers one
32 KiB request per round trip, which over a WAN is painfully slow unless many are in flight, while
paramiko's whole-file prefetch would buffer the entire file in memory when the reader is slower
than the network.
"""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import paramiko
from leadloop.errors import AuthError, ConfigError, RetriableError

from .host_keys import check_host_key, parse_known_hosts, preferred_key_types

T = TypeVar("T")
WINDOW = 1024 * 1024
RETRY_DELAYS = (1.0, 4.0, 10.0)
_CONNECTION_ERRORS = (OSError, EOFError, paramiko.SSHException)
_TRANSPORT_ERRORS = (EOFError, paramiko.SSHException, TimeoutError)
"""Errors that always mean the connection is gone. paramiko raises them from the reading thread
before its transport thread has marked the transport inactive, so asking ``_alive()`` then would
wrongly say the connection is fine. An OSError (IOError) with a live session is an SFTP status
instead (no such file, permission denied) and is not retried."""


def load_private_key(text: str) -> paramiko.PKey:
    """A private key from its text (OpenSSH or PEM, RSA/ECDSA/Ed25519, without passphrase)."""
    for key_class in paramiko.key_classes:
        try:
            return key_class.from_private_key(io.StringIO(text))
        except paramiko.PasswordRequiredException:
            raise ConfigError(
                "the private_key secret is encrypted; store it without a passphrase "
                "(ssh-keygen -p -N '' -f <key file>)"
            ) from None
        except (paramiko.SSHException, ValueError):
            continue
    raise ConfigError("the private_key secret is not an RSA, ECDSA or Ed25519 private key in OpenSSH or PEM text")


class SftpConnection:
    """A lazily opened, self-healing SFTP session to one server as one user."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        known_hosts: str,
        secrets: Mapping[str, str],
        *,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port, self.username = host, port, username
        self._known = parse_known_hosts(known_hosts)
        self._password = secrets.get("password") or None
        key_text = secrets.get("private_key") or None
        self._key = load_private_key(key_text) if key_text else None
        if self._password is None and self._key is None:
            raise ConfigError(f"SFTP {host}:{port}: set the password or the private_key secret")
        self._retry_delays = tuple(retry_delays)
        self._timeout = timeout
        self._transport: paramiko.Transport | None = None
        self._sftp: paramiko.SFTPClient | None = None

    def call(self, operation: Callable[[paramiko.SFTPClient], T], what: str) -> T:
        """Run ``operation`` on the session, reconnecting and retrying if the connection drops.

        ``what`` says what was being done, for the error message ("listing /inbox").
        """
        for delay in (*self._retry_delays, None):
            try:
                return operation(self._session())
            except _CONNECTION_ERRORS as e:
                if self._alive() and not isinstance(e, _TRANSPORT_ERRORS):
                    raise
                self.close()
                if delay is None:
                    raise RetriableError(
                        f"SFTP {self.host}:{self.port}: connection lost while {what} "
                        f"({len(self._retry_delays) + 1} attempts; last error: {e or type(e).__name__})"
                    ) from e
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _alive(self) -> bool:
        return (
            self._sftp is not None
            and self._transport is not None
            and self._transport.is_active()
            and not self._sftp.get_channel().closed
        )

    def _session(self) -> paramiko.SFTPClient:
        if self._sftp is None:
            self._sftp = self._connect()
        return self._sftp

    def _connect(self) -> paramiko.SFTPClient:
        sock = socket.create_connection((self.host, self.port), timeout=self._timeout)
        # Without this, Nagle's algorithm holds each window's small read requests back until the
        # server's delayed ACK (~40 ms), which cut throughput to a quarter.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        transport = paramiko.Transport(sock)
        self._transport = transport
        try:
            options = transport.get_security_options()
            first = [t for t in preferred_key_types(self._known, self.host, self.port) if t in options.key_types]
            options.key_types = [*first, *(t for t in options.key_types if t not in first)]
            transport.start_client(timeout=self._timeout)
            check_host_key(self._known, self.host, self.port, transport.get_remote_server_key())
            self._authenticate(transport)
            sftp = paramiko.SFTPClient.from_transport(transport)
            assert sftp is not None
            sftp.get_channel().settimeout(self._timeout)  # a hung server must not hang the job
            return sftp
        except BaseException:
            self.close()
            raise

    def _authenticate(self, transport: paramiko.Transport) -> None:
        refusals = []
        attempts: list[tuple[str, Callable[[], object]]] = []
        if self._key is not None:
            key = self._key
            attempts.append(("private key", lambda: transport.auth_publickey(self.username, key)))
        if self._password is not None:
            password = self._password
            attempts.append(("password", lambda: transport.auth_password(self.username, password)))
        for method, attempt in attempts:
            try:
                attempt()
            except paramiko.BadAuthenticationType as e:
                refusals.append(f"{method} not offered (the server allows {', '.join(e.allowed_types)})")
            except paramiko.AuthenticationException:
                if not transport.is_active():
                    # OpenSSH lets a client try one method after another; some servers (asyncssh
                    # among them) hang up on the second attempt instead.
                    refusals.append(f"the server hung up instead of checking the {method}")
                    break
                refusals.append(f"{method} refused")
            if transport.is_authenticated():
                return
        raise AuthError(
            f"SFTP {self.host}:{self.port} refused user {self.username!r}: {'; '.join(refusals)}; "
            "check the connector's username, password and private_key"
        )

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        self._transport = self._sftp = None


class RemoteReader:
    """The first ``size`` bytes of a remote file, front to back, one window ahead.

    While the caller parses window *k*, the requests for window *k+1* are already on the wire, so
    network and parsing overlap and memory holds two windows. After a dropped connection the file
    is reopened and reading goes on from the same offset.
    """

    def __init__(self, connection: SftpConnection, path: str, size: int) -> None:
        self._connection = connection
        self._path = path
        self._size = size
        self._offset = 0  # where the next window starts
        self._buffer = b""
        self._file: paramiko.SFTPFile | None = None
        self._file_session: paramiko.SFTPClient | None = None
        self.name = path

    def read(self, n: int = -1) -> bytes:
        if not self._buffer:
            if self._offset >= self._size:
                return b""
            self._buffer = self._connection.call(self._next_window, f"reading {self._path}")
            self._offset += len(self._buffer)
            if not self._buffer:  # the file shrank under us: what was there is what there is
                self._size = self._offset
        if 0 <= n < len(self._buffer):
            data, self._buffer = self._buffer[:n], self._buffer[n:]
        else:
            data, self._buffer = self._buffer, b""
        return data

    def _next_window(self, sftp: paramiko.SFTPClient) -> bytes:
        if self._file is None or self._file_session is not sftp:
            self._file = sftp.open(self._path, "rb")
            self._file_session = sftp
            self._file.seek(self._offset)
            self._file.prefetch(min(self._size, self._offset + WINDOW))
        data: bytes = self._file.read(min(WINDOW, self._size - self._offset))
        end = self._offset + len(data)
        if data and end < self._size:
            self._file.prefetch(min(self._size, end + WINDOW))  # from the file's position: end
        return data

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except _CONNECTION_ERRORS:
                pass  # the handle dies with the connection anyway
            self._file = self._file_session = None
