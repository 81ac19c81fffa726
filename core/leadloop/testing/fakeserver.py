"""A small source system over loopback HTTP, with the faults real APIs have.

It serves records through an inclusive ``(stamp, id)`` cursor, accepts batched writes, issues and
refuses tokens, and can be told to answer 429 with ``Retry-After``, 5xx, to stall past the client's
timeout, or to hold rows stamped behind a watermark (late commits). Everything is in memory and
thread-safe; ``start()`` runs it on a background thread.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def stamp(seconds: float) -> str:
    """An ISO-8601 UTC stamp ``seconds`` after the fake source's epoch."""
    return (EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Faults:
    """What goes wrong, and how often. Rates are fractions of API requests (token calls excluded)."""

    rate_429: float = 0.0
    retry_after: float = 0.05
    rate_5xx: float = 0.0
    rate_stall: float = 0.0
    stall_seconds: float = 2.0
    refuse_tokens: bool = False
    refuse_after_pages: int | None = None  # revoke every token once this many pages were served
    token_lifetime: float = 3600.0
    fail_write_ids: set[str] = field(default_factory=set)  # refused for good (validation)
    flaky_write_ids: dict[str, int] = field(default_factory=dict)  # id -> times refused before accepted
    daily_quota: int | None = None  # API requests allowed; past it every call answers 403
    seed: int = 7


class FakeSource:
    """The data and the controls; the HTTP handler below is a thin skin over it."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self._rng = random.Random(self.faults.seed)
        self._lock = threading.Lock()
        self.records: dict[str, dict[str, Any]] = {}
        self.deleted: dict[str, str] = {}
        self.writes: list[dict[str, Any]] = []
        self.calls: dict[str, int] = {}
        self._tokens: dict[str, float] = {}
        self._clock = 0.0
        self.pages_served = 0
        self.requests: list[dict[str, str]] = []

    # -- data -------------------------------------------------------------------------------
    def seed(self, n: int, *, same_second: int = 3) -> None:
        """Add ``n`` leads; every ``same_second`` consecutive ones share a stamp (tie-breaks)."""
        with self._lock:
            start = len(self.records)
            for i in range(start, start + n):
                rid = f"L{i:07d}"
                self._clock = max(self._clock, float(i // same_second))
                self.records[rid] = {
                    "id": rid,
                    "stamp": stamp(i // same_second),
                    "email": f"lead{i}@example{i % 97}.com",
                    "first_name": f"First{i}",
                    "last_name": f"Last{i}",
                    "company": f"Company {i % 500}",
                    "country": ["US", "DE", "FR", "GB", "JP"][i % 5],
                    "status": "Open",
                }

    def upsert(self, rid: str, fields: dict[str, Any], *, at: float | None = None) -> None:
        """Change a record from the source's side; ``at`` may lie behind the newest stamp."""
        with self._lock:
            if at is None:
                self._clock += 1
                at = self._clock
            record = self.records.setdefault(rid, {"id": rid})
            record.update(fields)
            record["stamp"] = stamp(at)

    def delete(self, rid: str) -> None:
        with self._lock:
            self._clock += 1
            self.records.pop(rid, None)
            self.deleted[rid] = stamp(self._clock)

    # -- API --------------------------------------------------------------------------------
    def count(self, endpoint: str) -> None:
        with self._lock:
            self.calls[endpoint] = self.calls.get(endpoint, 0) + 1

    def fault(self) -> tuple[int, dict[str, str], dict[str, Any]] | float | None:
        """A fault to answer with now: an HTTP answer, a stall in seconds, or None."""
        f = self.faults
        with self._lock:
            roll = self._rng.random()
            spent = sum(n for endpoint, n in self.calls.items() if endpoint != "token")
        if f.daily_quota is not None and spent > f.daily_quota:
            return 403, {}, {"error": "quota_exceeded", "message": "daily API request limit reached"}
        if roll < f.rate_429:
            return 429, {"Retry-After": str(f.retry_after)}, {"error": "rate_limited"}
        if roll < f.rate_429 + f.rate_5xx:
            return 503, {"Retry-After": str(f.retry_after)}, {"error": "unavailable"}
        if roll < f.rate_429 + f.rate_5xx + f.rate_stall:
            return f.stall_seconds
        return None

    def issue_token(self, refresh_token: str) -> tuple[int, dict[str, Any]]:
        if self.faults.refuse_tokens or refresh_token != "good-refresh-token":
            return 400, {"error": "invalid_grant", "error_description": "refresh token revoked"}
        token = f"tok-{self._rng.getrandbits(64):016x}"
        with self._lock:
            self._tokens[token] = time.monotonic() + self.faults.token_lifetime
        return 200, {"access_token": token, "expires_in": self.faults.token_lifetime, "token_type": "Bearer"}

    def token_ok(self, header: str | None) -> bool:
        if self.faults.refuse_tokens or not header or not header.startswith("Bearer "):
            return False
        expiry = self._tokens.get(header[7:])
        return expiry is not None and expiry > time.monotonic()

    def page(self, since_stamp: str, since_id: str, limit: int) -> dict[str, Any]:
        with self._lock:
            self.requests.append({"since_stamp": since_stamp, "since_id": since_id})
            self.pages_served += 1
            if self.faults.refuse_after_pages is not None and self.pages_served >= self.faults.refuse_after_pages:
                self.faults.refuse_tokens = True
            rows = sorted(
                (r for r in self.records.values() if (r["stamp"], r["id"]) >= (since_stamp, since_id)),
                key=lambda r: (r["stamp"], r["id"]),
            )[:limit]
            deleted = [
                {"id": rid, "deleted_at": at} for rid, at in sorted(self.deleted.items()) if at >= since_stamp
            ]
        return {"records": [dict(r) for r in rows], "deleted": deleted if len(rows) < limit else []}

    def write(self, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results = []
        for change in changes:
            rid = change.get("id")
            if rid in self.faults.fail_write_ids:
                results.append({"id": rid, "success": False, "error": "VALIDATION: status not allowed"})
                continue
            with self._lock:
                flaky = self.faults.flaky_write_ids.get(rid or "", 0)
                if flaky:
                    self.faults.flaky_write_ids[rid or ""] = flaky - 1
            if flaky:
                results.append({"id": rid, "success": False, "error": "LOCKED: record busy, try again"})
                continue
            with self._lock:
                self.writes.append(change)
            if rid is None:
                with self._lock:
                    rid = f"N{len(self.writes):07d}"
            self.upsert(rid, change.get("fields", {}))
            results.append({"id": rid, "success": True})
        return results


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None, *, stall: float = 0.0) -> None:
        """Answer; a stall comes after the work was done, like a source that applied a change and
        then failed to say so in time."""
        if stall:
            time.sleep(stall)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def _guard(self, endpoint: str) -> float | None:
        """Count the call and apply faults and auth: None when an answer was already sent, else the
        seconds to stall before answering."""
        source = self.server.source
        source.count(endpoint)
        fault = source.fault()
        if fault is not None and not isinstance(fault, float):
            status, headers, body = fault
            self._send(status, body, headers)
            return None
        if not source.token_ok(self.headers.get("Authorization")):
            self._send(401, {"error": "invalid_token"})
            return None
        return fault or 0.0

    def do_POST(self) -> None:
        source = self.server.source
        path = urlparse(self.path).path
        if path == "/token":
            source.count("token")
            status, body = source.issue_token(self._body().get("refresh_token", ""))
            self._send(status, body)
        elif path == "/batch":
            changes = self._body().get("changes", [])
            stall = self._guard("batch")
            if stall is not None:
                self._send(200, {"results": source.write(changes)}, stall=stall)
        else:
            self._send(404, {"error": "not_found"})

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path != "/records":
            self._send(404, {"error": "not_found"})
            return
        stall = self._guard("records")
        if stall is not None:
            q = parse_qs(url.query)
            self._send(
                200,
                self.server.source.page(
                    q.get("since_stamp", [""])[0], q.get("since_id", [""])[0], int(q.get("limit", ["100"])[0])
                ),
                stall=stall,
            )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (its timeout) closes the socket mid-answer: expected here."""

    def __init__(self, source: FakeSource, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.source = source


@dataclass
class Running:
    source: FakeSource
    url: str
    _server: _Server
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def start(source: FakeSource | None = None, port: int = 0) -> Running:
    source = source or FakeSource()
    server = _Server(source, port)
    thread = threading.Thread(target=server.serve_forever, name="fake-source", daemon=True)
    thread.start()
    return Running(source, f"http://127.0.0.1:{server.server_address[1]}", server, thread)
