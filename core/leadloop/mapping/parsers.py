"""Value parsers shared by transforms and core-type coercion.

Each takes whatever a source delivered (text from a file; text, numbers, booleans or lists from an
API), returns the parsed value or ``None`` for "no value", and raises :class:`Invalid` with a reason
an admin can act on. Generated mapping code calls them only off its inlined fast paths, so clarity
wins over speed here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class Invalid(Exception):
    """A value cannot become what its field needs: ``Invalid(reason)``, the reason for a person.

    Every bad value of an import raises one, so it keeps the exception's own constructor, written in
    C: a Python ``__init__`` made each raise ~40% dearer."""

    @property
    def reason(self) -> str:
        reason: str = self.args[0]
        return reason


_LOCAL = r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_TLD = r"(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})"
EMAIL_MATCH: Callable[[str], re.Match[str] | None] = re.compile(
    rf"{_LOCAL}@(?:{_LABEL}\.)+{_TLD}", re.IGNORECASE
).fullmatch
"""Syntax of an address as people type them (RFC 5322 dot-atoms, IDN allowed); no DNS lookup."""

_ASCII_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
EMAIL_QUICK: Callable[[str], re.Match[str] | None] = re.compile(
    rf"{_ASCII_LOCAL}+(?:\.{_ASCII_LOCAL}+)*+@(?:[A-Za-z0-9]++(?:-++[A-Za-z0-9]++)*+\.)++[A-Za-z]{{2,63}}"
).fullmatch
"""The same syntax restricted to ASCII, about twice as fast: tried first, EMAIL_MATCH on a miss."""

EMAIL_MAX = 254
NOT_AN_EMAIL = "not an email address"
NOT_A_NUMBER = "not a number"


def is_email(text: str) -> bool:
    return len(text) <= EMAIL_MAX and (EMAIL_QUICK(text) is not None or EMAIL_MATCH(text) is not None)


def check_email(value: object) -> str | None:
    """The trimmed address, ``None`` when blank; :class:`Invalid` when it is not an address."""
    text = to_text(value)
    if text is not None and not is_email(text):
        raise Invalid(NOT_AN_EMAIL)
    return text


def to_text(value: object) -> str | None:
    """One value as trimmed text; blank is ``None``. Numbers and dates are written out."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise Invalid(f"expected one value, got {type(value).__name__} {value!r}")


def to_int(value: object) -> int | None:
    """A whole number; "12", " 12 ", "12.0" and 12.0 are accepted, "12.5" and "twelve" are not."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            pass
    number = _as_decimal(value)
    if number is None or number != number.to_integral_value():
        raise Invalid("not a whole number")
    return int(number)


def to_decimal(value: object) -> Decimal | None:
    """A decimal number, exact (floats from JSON are read through their shortest repr)."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, str) and not value.strip():
        return None
    number = _as_decimal(value)
    if number is None:
        raise Invalid(NOT_A_NUMBER)
    return number


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        value = repr(value)
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


_TRUE = frozenset({"true", "t", "yes", "y", "1", "x", "on"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off"})


def to_bool(value: object) -> bool | None:
    """True or false from the spellings files and CRMs use (yes/no, 1/0, x, on/off, true/false)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise Invalid("not yes or no (use true/false, yes/no or 1/0)")


def datetime_parser(
    formats: Sequence[str] = (), what: str = "a date and time"
) -> Callable[[object], datetime | None]:
    """A parser for dates and times: ISO 8601 always (``2023-04-07``, ``2023-04-07T21:59:01Z``,
    Salesforce's ``2013-05-20T20:49:32.000+0000``), then each ``strptime`` format in turn.

    ISO goes first because ``datetime.fromisoformat`` is C and ``strptime`` is slow Python: a
    format that merely spells out ISO costs nothing extra. ``what`` names the value in the reason.
    """
    formats = tuple(formats)
    example = "2023-04-07" if what == "a date" else "2023-04-07T21:59:01Z"
    reason = f"not {what} (expected {', '.join((f'ISO 8601 such as {example}', *formats))})"

    def parse(value: object) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        if not isinstance(value, str):
            raise Invalid(reason)
        text = value.strip()
        if not text:
            return None
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
        for fmt in formats:
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise Invalid(reason)

    return parse


def to_date(value: object) -> date | None:
    """A calendar date; a date and time gives its date."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    moment = _to_moment(value)
    return None if moment is None else moment.date()


_to_moment = datetime_parser(what="a date")
to_datetime = datetime_parser()


def split_parser(separator: str) -> Callable[[object], list[str] | None]:
    """Text to a list of trimmed, non-blank items ("A; B;" is ["A", "B"]); a list is trimmed too."""

    def split(value: object) -> list[str] | None:
        if value is None:
            return None
        items = value if isinstance(value, list) else str(value).split(separator)
        return [text for text in (str(item).strip() for item in items) if text]

    return split


def join_parser(separator: str) -> Callable[[object], Any]:
    """A list to one text joined by ``separator``; other values pass unchanged."""

    def join(value: object) -> Any:
        if isinstance(value, list):
            return separator.join(str(item) for item in value)
        return value

    return join


def to_list(value: object) -> list[str]:
    """Any value as a list of texts: a list item by item, one text as one item, nothing as []."""
    if value is None:
        return []
    if isinstance(value, list):
        return [text for text in map(to_text, value) if text is not None]
    text = to_text(value)
    return [] if text is None else [text]
