"""The sandbox's own clock, and Salesforce's datetime text.

Tests move this clock forward to expire access tokens or age data without sleeping, so every
timestamp the sandbox issues or checks comes from one :class:`Clock`. Datetimes are kept as
Salesforce renders them (``2013-05-20T20:49:32.000+0000``): that text is fixed-width UTC, so it
sorts and compares like the instant it names, and records never need converting on the way out.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime

_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:?\d{2})\Z"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


class Clock:
    """Wall time plus an offset that only moves forward (``advance``) or jumps (``set``)."""

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> float:
        """Epoch seconds on the sandbox's clock."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._offset += seconds
            return time.time() + self._offset

    def set(self, epoch: float) -> float:
        with self._lock:
            self._offset = epoch - time.time()
            return epoch


def format_datetime(epoch: float) -> str:
    """``2013-05-20T20:49:32.000+0000``; Salesforce keeps whole seconds, so milliseconds are 000."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime(int(epoch)))


def _parse(text: str) -> tuple[int, int] | None:
    """(whole epoch seconds, milliseconds) of a datetime literal, or ``None``."""
    m = _DATETIME.match(text)
    if not m:
        return None
    year, month, day, hour, minute, second, millis, zone = m.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                          tzinfo=UTC)
    except ValueError:
        return None
    seconds = int(moment.timestamp())
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        seconds -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return seconds, int(millis.ljust(3, "0")) if millis else 0


def parse_datetime(text: str) -> float | None:
    """Epoch seconds of an ISO 8601 / SOQL datetime literal, or ``None`` when it is not one.

    Accepts ``Z``, ``+hh:mm`` and ``+hhmm`` offsets and optional milliseconds, as Salesforce does.
    """
    parsed = _parse(text)
    return None if parsed is None else parsed[0] + parsed[1] / 1000


def canonical_datetime(text: str) -> str | None:
    """A datetime literal re-rendered the way records store it (for comparisons), or ``None``.

    Milliseconds are kept: ``32.500`` must compare after a stored ``32.000``.
    """
    parsed = _parse(text)
    if parsed is None:
        return None
    seconds, millis = parsed
    return time.strftime(f"%Y-%m-%dT%H:%M:%S.{millis:03d}+0000", time.gmtime(seconds))


def is_date(text: str) -> bool:
    """True for a valid ``YYYY-MM-DD``."""
    if not _DATE.match(text):
        return False
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return True
