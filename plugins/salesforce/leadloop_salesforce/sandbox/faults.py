"""Fault injection: rate-limit and outage answers, latency, dropped connections, ended sessions.

Two sources, checked in this order for every request: an explicit queue (``inject``), which tests use
to script exact sequences ("the second call from now gets a 429 with Retry-After: 7"), and rates drawn from a
seeded random generator, so that a run with the same seed and the same request order meets the same
faults. Rates apply to REST API requests only; queued faults name their scope (``api`` or ``token``).
Queued ``expire`` (a session timeout) and ``revoke`` (the admin revoked the app: sessions and refresh
tokens) take effect just before the request they are queued for, which is then refused like any
request on a dead session; they exist for the API scope only.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

Scope = Literal["api", "token"]
Kind = Literal["429", "503", "drop", "expire", "revoke"]


@dataclass(frozen=True)
class FaultSettings:
    """The rates; every field can be changed at run time through :meth:`Faults.configure`."""

    error_rate: float = 0.0  # fraction of API requests answered with one of error_statuses
    error_statuses: tuple[int, ...] = (429, 503)
    retry_after: int = 1  # seconds, sent as Retry-After
    latency_ms: int = 0  # the least time from a request's arrival to its answer
    drop_rate: float = 0.0  # fraction of API requests whose connection is closed unanswered


@dataclass(frozen=True)
class Fault:
    """What to do instead of answering: close the socket, send ``status`` with Retry-After, or end the
    sessions (and refresh tokens) before answering."""

    kind: Kind
    retry_after: int = 1

    @property
    def status(self) -> int:
        return int(self.kind) if self.kind in ("429", "503") else 0


@dataclass
class _Queued:
    scope: Scope
    fault: Fault
    skip: int = 0  # requests of this scope still to let through first


class Faults:
    def __init__(self, seed: int = 0, **settings: Any) -> None:
        self.settings = FaultSettings()
        self._rng = random.Random(seed)
        self._queue: deque[_Queued] = deque()
        self._lock = threading.Lock()
        self.configure(**settings)

    def configure(self, **changes: Any) -> FaultSettings:
        """Change some settings; unknown names and out-of-range values raise ``ValueError``."""
        known = {f.name for f in fields(FaultSettings)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault settings {sorted(unknown)}; known: {sorted(known)}")
        if "error_statuses" in changes:
            changes["error_statuses"] = tuple(int(s) for s in changes["error_statuses"])
            if not changes["error_statuses"] or set(changes["error_statuses"]) - {429, 503}:
                raise ValueError("error_statuses must list 429 and/or 503")
        for rate in ("error_rate", "drop_rate"):
            if rate in changes and not 0.0 <= float(changes[rate]) <= 1.0:
                raise ValueError(f"{rate} must be between 0 and 1")
        with self._lock:
            self.settings = replace(self.settings, **changes)
            return self.settings

    def reseed(self, seed: int) -> None:
        with self._lock:
            self._rng = random.Random(seed)

    def inject(self, kind: Kind, count: int = 1, scope: Scope = "api", retry_after: int | None = None,
               after: int = 0) -> None:
        """Queue ``count`` faults for requests of ``scope``, letting the next ``after`` ones through."""
        if kind not in ("429", "503", "drop", "expire", "revoke") or scope not in ("api", "token"):
            raise ValueError("kind must be 429, 503, drop, expire or revoke; scope api or token")
        if kind in ("expire", "revoke") and scope != "api":
            raise ValueError(f"{kind} faults are for the api scope: the token endpoint has no session")
        fault = Fault(kind, self.settings.retry_after if retry_after is None else int(retry_after))
        with self._lock:
            self._queue.extend([_Queued(scope, fault, int(after))] + [_Queued(scope, fault)] * (count - 1))

    def clear(self) -> None:
        """Empty the queue and set every rate back to zero."""
        with self._lock:
            self._queue.clear()
            self.settings = FaultSettings()

    def next(self, scope: Scope) -> Fault | None:
        """The fault for this request, if any: queued first, then drawn from the rates."""
        with self._lock:
            for i, queued in enumerate(self._queue):
                if queued.scope == scope:
                    if queued.skip:
                        queued.skip -= 1
                        return None
                    del self._queue[i]
                    return queued.fault
            if scope != "api":
                return None
            s = self.settings
            drop, error, which = self._rng.random(), self._rng.random(), self._rng.choice(s.error_statuses)
            if drop < s.drop_rate:
                return Fault("drop")
            if error < s.error_rate:
                return Fault("429" if which == 429 else "503", s.retry_after)
            return None

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {**asdict(self.settings), "queued": [
                {"scope": q.scope, "kind": q.fault.kind, "retry_after": q.fault.retry_after, "after": q.skip}
                for q in self._queue
            ]}
