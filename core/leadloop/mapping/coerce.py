"""Giving a value its core field's type: the last step of every field coming in.

As with transforms, each core kind has a general ``helper`` and inline code for the cases the
import meets a million times (text into a text, email, country, status or number field). Blank
always becomes "no value" (``None``, or ``[]`` for lists), so defaults and ``required`` see one thing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import parsers, snippets
from .coretypes import CoreType, enum_parser
from .countries import to_country
from .names import Names
from .parsers import Invalid
from .transforms import EVERYTHING, TEXT, TEXTUAL, snippet

_TEXTS = TEXT | {"str", "any"}

COERCIBLE: dict[str, frozenset[str]] = {
    "str": TEXTUAL | {"any"},
    "email": _TEXTS | {"email"},
    "country": _TEXTS | {"country"},
    "int": _TEXTS | {"int", "decimal"},
    "decimal": _TEXTS | {"int", "decimal"},
    "date": _TEXTS | {"datetime"},
    "datetime": _TEXTS | {"datetime"},
    "bool": _TEXTS,
    "enum": _TEXTS,
    "list": _TEXTS | {"list"},
    "enum_list": _TEXTS | {"list"},
    "any": EVERYTHING,
}
"""Core field kind to the value kinds it can take after the transforms."""

_SAME = {
    "email": {"email"},
    "country": {"country"},
    "int": {"int"},
    "decimal": {"decimal"},
    "datetime": {"datetime"},
    "list": {"list"},
    "str": {"email", "country"},
}
"""Value kinds that already are what a core kind needs: no coercion code at all."""


def _any(value: Any) -> Any:
    """Custom and structured fields: text is trimmed, blank is None, the rest is kept as it is."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def _base_helper(ctype: CoreType) -> Callable[[Any], Any]:
    kind = ctype.kind
    if kind in ("enum", "enum_list"):
        assert ctype.enum_table is not None
        parse = enum_parser(ctype.enum_table, ctype.enum_reason)
        if kind == "enum":
            return parse
        return lambda value: [item for item in map(parse, parsers.to_list(value)) if item is not None]
    return {
        "str": parsers.to_text,
        "email": parsers.check_email,
        "country": to_country,
        "int": parsers.to_int,
        "decimal": parsers.to_decimal,
        "date": parsers.to_date,
        "datetime": parsers.to_datetime,
        "bool": parsers.to_bool,
        "list": parsers.to_list,
        "any": _any,
    }[kind]


def minimum_reason(minimum: int) -> str:
    return f"must be {minimum} or more"


def pattern_reason(pattern: str) -> str:
    return f"not in the expected form {pattern}"


def helper(ctype: CoreType) -> Callable[[Any], Any]:
    """Coercion of any value to ``ctype``, constraints (``ge``, ``pattern``) included."""
    base = _base_helper(ctype)
    minimum, pattern = ctype.minimum, ctype.pattern
    if minimum is None and pattern is None:
        return base
    matches = re.compile(pattern).search if pattern else None

    def coerce(value: Any) -> Any:
        value = base(value)
        if value is not None:
            if minimum is not None and value < minimum:
                raise Invalid(minimum_reason(minimum))
            if matches is not None and matches(value) is None:
                raise Invalid(pattern_reason(pattern or ""))
        return value

    return coerce


def needed(kind: str, ctype: CoreType) -> bool:
    """Whether a value of ``kind`` still needs coercing (or checking) for ``ctype``."""
    return kind not in _SAME.get(ctype.kind, ()) or ctype.minimum is not None or ctype.pattern is not None


def inline(var: str, kind: str, ctype: CoreType, names: Names) -> tuple[list[str], bool] | None:
    """Source lines giving ``var`` (of value ``kind``) its core type, and whether they may raise
    :class:`Invalid`; ``None`` when the helper should be called instead."""
    target = ctype.kind
    lines: list[str] | None
    raises = False
    if kind in _SAME.get(target, ()):
        lines = []
    elif target in ("str", "any") and kind in TEXT:
        lines = [f"{var} = {var} or None" if kind == "stripped" else f"{var} = {var}.strip() or None"]
    elif target in ("str", "any") and kind == "str":
        lines = [f"if {var} is not None:", f"    {var} = {var}.strip() or None"]
    elif target == "date" and kind == "datetime":
        lines = [f"if {var} is not None:", f"    {var} = {var}.date()"]
    elif kind not in TEXT:
        return None
    elif target == "enum":
        assert ctype.enum_table is not None
        table, parse = names.add(ctype.enum_table.get, "enum"), names.add(_base_helper(ctype), "enum")
        lines, raises = [f"{var} = {table}({var}) or {parse}({var})"], True
    elif target in ("date", "datetime"):
        suffix = ".date()" if target == "date" else ""
        lines, raises = snippets.moment(var, names, _base_helper(ctype), suffix), True
    else:
        lines, raises = snippet(target, var, kind, names), True
        if lines is None:
            return None
    checks = constraint_lines(var, ctype, names)
    return lines + checks, raises or bool(checks)


def constraint_lines(var: str, ctype: CoreType, names: Names) -> list[str]:
    lines = []
    if ctype.minimum is not None:
        lines += [
            f"if {var} is not None and {var} < {int(ctype.minimum)}:",
            f"    raise _Invalid({minimum_reason(int(ctype.minimum))!r})",
        ]
    if ctype.pattern is not None:
        search = names.add(re.compile(ctype.pattern).search, "pattern")
        lines += [
            f"if {var} is not None and {search}({var}) is None:",
            f"    raise _Invalid({names.add(pattern_reason(ctype.pattern), 'reason')})",
        ]
    return lines
