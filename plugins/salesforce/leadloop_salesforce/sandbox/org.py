"""One sandbox org: its data, connected app, limits, faults and counters, and the knobs to turn them.

Everything a test or the admin API changes goes through :class:`Org`, so the in-process API
(``sandbox.org``) and the HTTP admin API (``/_sandbox/...``) are the same operations.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from .auth import Auth
from .clock import Clock
from .cursors import Cursors
from .datagen import Counts, generate
from .errors import RecordError
from .faults import Faults
from .store import Store, sobject

DEFAULT_BATCH_SIZE = 2000
_COUNT_NAMES = {f.name for f in fields(Counts)}
_SETTINGS = ("client_id", "client_secret", "rotate_refresh_tokens", "access_token_lifetime", "daily_limit",
             "api_usage", "default_batch_size", "faults")


class Org:
    """The sandbox's whole state; thread-safe.

    Options (all keyword; all but ``seed`` and ``refresh_token`` changeable later through
    :meth:`configure`):
    ``seed`` (data and fault randomness), the data counts ``leads``, ``accounts``, ``contacts``,
    ``opportunities``, ``campaigns``, ``members`` (default none: an empty org), ``days`` (stamp spread),
    ``client_id`` (default ``leadloop-sandbox``), ``client_secret`` (default none: not checked),
    ``refresh_token`` (the first grant's token; default a random one),
    ``rotate_refresh_tokens`` (default True), ``access_token_lifetime`` (seconds, default 7200),
    ``daily_limit`` (API requests, default 100000), ``default_batch_size`` (query page, default 2000),
    ``faults`` (a mapping of :class:`~.faults.FaultSettings` fields).
    """

    def __init__(self, *, seed: int = 0, days: float = 90, client_id: str = "leadloop-sandbox",
                 client_secret: str | None = None, refresh_token: str | None = None,
                 rotate_refresh_tokens: bool = True,
                 access_token_lifetime: float = 7200, daily_limit: int = 100_000,
                 default_batch_size: int = DEFAULT_BATCH_SIZE, faults: Mapping[str, Any] | None = None,
                 **counts: int) -> None:
        unknown = set(counts) - _COUNT_NAMES
        if unknown:
            raise ValueError(f"unknown sandbox options {sorted(unknown)}")
        self.seed = seed
        self.clock = Clock()
        self.store = Store(self.clock)
        self.auth = Auth(self.clock, client_id, client_secret, rotate_refresh_tokens, access_token_lifetime)
        self.faults = Faults(seed, **(faults or {}))
        self.cursors = Cursors()
        self.daily_limit = daily_limit
        self.default_batch_size = default_batch_size
        self._usage = 0
        self._counters: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.refresh_token = self.auth.new_grant(refresh_token)
        """The first grant's refresh token: give it to a connector as its stored credential."""
        if counts:
            self.seed_data(seed=seed, days=days, **counts)

    # -- counters and limits
    def count(self, endpoint: str) -> None:
        with self._lock:
            self._counters[endpoint] += 1

    def counters(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counters)

    def reset_counters(self) -> None:
        with self._lock:
            self._counters.clear()

    def spend_api_call(self) -> tuple[bool, int]:
        """Count one API request against the daily limit: (allowed, usage after)."""
        with self._lock:
            if self._usage >= self.daily_limit:
                return False, self._usage
            self._usage += 1
            return True, self._usage

    def limit_info(self) -> str:
        with self._lock:
            return f"api-usage={self._usage}/{self.daily_limit}"

    # -- control
    def configure(self, **options: Any) -> dict[str, Any]:
        """Change settings at run time; see the class docstring for the names. Returns :meth:`state`."""
        unknown = set(options) - set(_SETTINGS)
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; known: {list(_SETTINGS)}")
        if "faults" in options:
            self.faults.configure(**options["faults"])
        with self._lock:
            if "daily_limit" in options:
                self.daily_limit = int(options["daily_limit"])
            if "api_usage" in options:
                self._usage = int(options["api_usage"])
            if "default_batch_size" in options:
                size = int(options["default_batch_size"])
                if not 200 <= size <= 2000:
                    raise ValueError("default_batch_size must be between 200 and 2000")
                self.default_batch_size = size
        for name, attr, cast in (("client_id", "client_id", str), ("client_secret", "client_secret", None),
                                 ("rotate_refresh_tokens", "rotate", bool),
                                 ("access_token_lifetime", "access_token_lifetime", float)):
            if name in options:
                value = options[name]
                setattr(self.auth, attr, cast(value) if cast and value is not None else value)
        return self.state()

    def seed_data(self, seed: int | None = None, days: float = 90, **counts: int) -> dict[str, int]:
        """Add generated rows (``leads=..``, ``accounts=..``, ...; unspecified counts are 0)."""
        unknown = set(counts) - _COUNT_NAMES
        if unknown:
            raise ValueError(f"unknown counts {sorted(unknown)}; known: {sorted(_COUNT_NAMES)}")
        wanted = Counts(**{name: counts.get(name, 0) for name in _COUNT_NAMES})
        return generate(self.store, self.seed if seed is None else seed, self.clock.now(), wanted, days)

    # -- records, "from the CRM side"
    def create(self, object_name: str, values: Mapping[str, Any], stamp: float | None = None) -> str:
        """Create one record, validated like the API; ``stamp`` (epoch) backdates it (a late commit)."""
        body = {"attributes": {"type": sobject(object_name).name}, **values}
        return self._outcome(self.store.create([body], False, stamp)[0])

    def update(self, object_name: str, record_id: str, values: Mapping[str, Any],
               stamp: float | None = None) -> str:
        body = {"attributes": {"type": sobject(object_name).name}, **values, "id": record_id}
        return self._outcome(self.store.update([body], False, stamp)[0])

    def delete(self, object_name: str, record_id: str, stamp: float | None = None) -> None:
        self.store.delete(sobject(object_name).name, record_id, stamp)

    def lock(self, record_id: str, times: int = 1) -> None:
        """The next ``times`` writes to this record fail with ``UNABLE_TO_LOCK_ROW`` (retriable)."""
        self.store.lock_row(record_id, times)

    def get(self, object_name: str, record_id: str) -> dict[str, Any] | None:
        return self.store.get(sobject(object_name).name, record_id)

    @staticmethod
    def _outcome(result: Mapping[str, Any]) -> str:
        if not result["success"]:
            first = result["errors"][0]
            raise RecordError(first["statusCode"], first["message"], first["fields"])
        return str(result["id"])

    def state(self) -> dict[str, Any]:
        with self._lock:
            limits = {"daily_limit": self.daily_limit, "api_usage": self._usage,
                      "default_batch_size": self.default_batch_size}
        return {
            "clock": self.clock.now(),
            "limits": limits,
            "auth": self.auth.state(),
            "faults": self.faults.state(),
            "records": self.store.counts(),
            "open_query_locators": self.cursors.count(),
            "counters": self.counters(),
        }

