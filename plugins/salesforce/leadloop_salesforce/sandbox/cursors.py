"""Query locators: the server side of ``nextRecordsUrl``.

A locator holds the query's result rows (references into the snapshot, not copies). Memory stays
bounded: at most ``limit`` locators are open, the least recently used is closed first, idle ones
expire after ``idle_seconds`` (15 minutes on a real org), and a locator closes once its last page
has been served.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError
from .soql import Query


@dataclass
class Cursor:
    query: Query
    rows: list[dict[str, Any]]
    batch_size: int
    endpoint: str  # "query" or "queryAll": where nextRecordsUrl points
    touched: float = field(default_factory=time.monotonic)


class Cursors:
    def __init__(self, limit: int = 50, idle_seconds: float = 900) -> None:
        self.limit = limit
        self.idle_seconds = idle_seconds
        self._open: OrderedDict[str, Cursor] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, cursor: Cursor) -> str:
        locator = "01g5e" + secrets.token_hex(5).upper()[:10] + "AAA"
        with self._lock:
            self._expire()
            self._open[locator] = cursor
            while len(self._open) > self.limit:
                self._open.popitem(last=False)
        return locator

    def get(self, locator: str) -> Cursor:
        with self._lock:
            self._expire()
            cursor = self._open.get(locator)
            if cursor is None:
                raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            cursor.touched = time.monotonic()
            self._open.move_to_end(locator)
            return cursor

    def close(self, locator: str) -> None:
        with self._lock:
            self._open.pop(locator, None)

    def count(self) -> int:
        with self._lock:
            return len(self._open)

    def _expire(self) -> None:
        cutoff = time.monotonic() - self.idle_seconds
        while self._open:
            locator, oldest = next(iter(self._open.items()))
            if oldest.touched >= cutoff:
                break
            del self._open[locator]
