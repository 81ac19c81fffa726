"""Salesforce record ids: 15 case-sensitive characters plus a 3-character case-safe suffix.

Ids start with the object's key prefix (``00Q`` Lead, ``001`` Account, ...). The counter part uses
the base-62 alphabet in ASCII order, so ids of one object sort in creation order, as ``ORDER BY Id``
does on a real org.
"""

from __future__ import annotations

import itertools
import re
import threading

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SHAPE = re.compile(r"[0-9A-Za-z]{15}(?:[0-9A-Z]{3})?\Z")
_POD = "5e0"  # instance and reserved characters, constant in one org


def _suffix(id15: str) -> str:
    """The case-safe suffix: one character per 5-character chunk, bit i set when char i is upper."""
    out = []
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        out.append(_SUFFIX[bits])
    return "".join(out)


def normalize(value: str) -> str | None:
    """The 18-character form of a 15- or 18-character id, or ``None`` when it is not an id."""
    if not _SHAPE.match(value):
        return None
    id15 = value[:15]
    full = id15 + _suffix(id15)
    if len(value) == 18 and value[15:] != full[15:]:
        return None
    return full


class IdFactory:
    """Issues ids per key prefix; thread-safe."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        with self._lock:
            n = next(self._counter)
        digits = []
        for _ in range(9):
            n, rem = divmod(n, 62)
            digits.append(_BASE62[rem])
        id15 = prefix + _POD + "".join(reversed(digits))
        return id15 + _suffix(id15)
