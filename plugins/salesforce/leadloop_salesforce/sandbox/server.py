"""The HTTP server: the standard library's ThreadingHTTPServer on 127.0.0.1, one thread per connection.

Keep-alive (HTTP/1.1) and TCP_NODELAY matter for speed: a pull of 100k leads is fifty page requests
on one connection, and without them each would pay a new connection or a delayed-ACK stall.
"""

from __future__ import annotations

import gc
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import admin, api
from .org import Org
from .wire import Request, Response


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], org: Org, quiet: bool) -> None:
        super().__init__(address, _Handler)
        self.org = org
        self.quiet = quiet
        self.url = f"http://{address[0]}:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_GET

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        req = Request(self.command, parts.path, parse_qs(parts.query), self.headers, self.rfile.read(length))
        org = self.server.org
        try:
            if req.path.startswith("/_sandbox/"):
                resp = admin.handle(org, req)
            else:
                arrived = time.monotonic()
                resp = api.handle(org, req, self.server.url)
                # Injected latency is the time from a request's arrival to its answer, the org's own
                # work (running the query, encoding the page) done within it. Were it added on top,
                # pulls timed against the sandbox would measure its Python, not the client and the
                # round trips.
                wait = org.faults.settings.latency_ms / 1000 - (time.monotonic() - arrived)
                if wait > 0:
                    time.sleep(wait)
                if resp.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                resp.headers["Sforce-Limit-Info"] = org.limit_info()
        except Exception as exc:  # a sandbox bug must still answer, and say what broke
            traceback.print_exc(file=sys.stderr)
            resp = Response.json(500, [{"message": f"sandbox error: {exc!r}",
                                        "errorCode": "UNKNOWN_EXCEPTION"}])
        try:
            self._send(resp)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout test)
            self.close_connection = True

    def _send(self, resp: Response) -> None:
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        self.wfile.write(resp.body)

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)


class Sandbox:
    """A running sandbox: ``url`` to point a connector at, ``org`` to drive it, ``stop()`` to end it.

    ``url`` is both the login host (``{url}/services/oauth2/token``) and the instance URL the token
    response names. ``refresh_token`` and ``client_id`` are what a connector's stored credentials need.
    """

    def __init__(self, server: _Server, thread: threading.Thread | None) -> None:
        self._server = server
        self._thread = thread
        self.org: Org = server.org
        self.url: str = server.url

    @property
    def refresh_token(self) -> str:
        return self.org.refresh_token

    @property
    def client_id(self) -> str:
        return self.org.auth.client_id

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def start(port: int = 0, host: str = "127.0.0.1", quiet: bool = True, **options: Any) -> Sandbox:
    """Start a sandbox in a background thread; ``port=0`` picks a free port (see ``Sandbox.url``).

    ``options`` are :class:`~leadloop_salesforce.sandbox.org.Org`'s: ``seed``, ``leads``, ``accounts``,
    ``contacts``, ``opportunities``, ``campaigns``, ``members``, ``days``, ``client_id``,
    ``client_secret``, ``refresh_token``, ``rotate_refresh_tokens``, ``access_token_lifetime``,
    ``daily_limit``, ``default_batch_size``, ``faults``.
    """
    server = _Server((host, port), Org(**options), quiet)
    # A short poll interval makes stop() quick: tests start and stop many sandboxes.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name=f"sf-sandbox:{server.url}",
                              daemon=True)
    thread.start()
    return Sandbox(server, thread)


def serve(port: int = 8765, host: str = "127.0.0.1", quiet: bool = False, **options: Any) -> None:
    """Serve in the foreground until interrupted (Ctrl-C), printing how to connect first."""
    server = _Server((host, port), Org(**options), quiet)
    sandbox = Sandbox(server, None)
    # This process only serves, so process-wide settings are ours. The generated org is a large heap
    # that never becomes garbage: frozen, it is not walked by every full collection (with 100k leads
    # each one held an answer back by ~50 ms).
    gc.freeze()
    print(f"Salesforce sandbox on {sandbox.url}\n"
          f"  login_url:     {sandbox.url}\n"
          f"  client_id:     {sandbox.client_id}\n"
          f"  refresh_token: {sandbox.refresh_token}\n"
          f"  admin API:     {sandbox.url}/_sandbox/state", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
