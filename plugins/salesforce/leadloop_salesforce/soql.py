"""Building SOQL safely: escaped literals, checked names, and the incremental query.

Values only ever enter a query through :func:`quote` or :func:`datetime_literal`; field and object
names through :func:`name`, which accepts API names only. A hostile value therefore stays a value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from leadloop.errors import ConfigError, FatalError

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}\Z")
_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?\Z")
_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}


def is_name(value: object) -> bool:
    """True for an API name: letters, digits and underscores, starting with a letter."""
    return isinstance(value, str) and _NAME.match(value) is not None


def name(value: str) -> str:
    """``value`` when it is an API name; else a :class:`ConfigError` naming it."""
    if not is_name(value):
        raise ConfigError(f"{value!r} is not a Salesforce API name (letters, digits, underscores; "
                          "custom fields end in __c)")
    return value


def quote(value: str) -> str:
    """A SOQL string literal: quotes, backslashes and control characters escaped."""
    return "'" + "".join(_ESCAPES.get(ch, ch) for ch in value) + "'"


def parse_stamp(value: str) -> datetime:
    """A Salesforce datetime (``2013-05-20T20:49:32.000+0000``, or ISO 8601 with ``Z``/``+00:00``)."""
    text = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}\Z", text):
        text = text[:-2] + ":" + text[-2:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FatalError(f"stored watermark stamp {value!r} is not a datetime; reset the connector's "
                         "checkpoint to re-read from the start") from None
    if moment.tzinfo is None:
        raise FatalError(f"stored watermark stamp {value!r} has no time zone")
    return moment.astimezone(UTC)


def datetime_literal(moment: datetime) -> str:
    """``2024-01-01T00:00:00Z``: the documented SOQL form; whole seconds, rounded down."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def incremental_query(sobject: str, fields: Sequence[str], since: datetime | None, after_id: str | None,
                      overlap_seconds: float) -> str:
    """Rows changed at or after a watermark, in (SystemModstamp, Id) order.

    With an overlap the window starts ``overlap_seconds`` before the watermark, so rows that
    committed late with an older stamp are read again (upserts absorb the repeats). Without one, the
    (stamp, Id) pair of the last row read is the inclusive lower bound: ties on the stamp are
    resumed by Id instead of re-read.
    """
    columns = ", ".join(name(f) for f in fields)
    query = f"SELECT {columns} FROM {name(sobject)}"
    if since is not None:
        if overlap_seconds or after_id is None:
            start = datetime_literal(since - timedelta(seconds=overlap_seconds))
            query += f" WHERE SystemModstamp >= {start}"
        else:
            if not _ID.match(after_id):
                raise FatalError(f"stored watermark id {after_id!r} is not a Salesforce id; reset the "
                                 "connector's checkpoint")
            stamp = datetime_literal(since)
            query += (f" WHERE SystemModstamp > {stamp} OR (SystemModstamp = {stamp} AND Id >= "
                      f"{quote(after_id)})")
    return query + " ORDER BY SystemModstamp ASC, Id ASC"
