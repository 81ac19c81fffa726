"""Inline code for the parsing a file import does on almost every row.

Shared by the transforms and by core-type coercion, so that a text cell goes through a dict probe
or a C call instead of a Python function in the common case; the helper in :mod:`.parsers` (or the
one passed in) takes over for anything unusual and decides what is wrong. ``stripped`` says the
value is known to have no surrounding whitespace already.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from . import parsers
from .countries import COUNTRIES, to_country
from .names import Names

_REFUSING = "raise _Invalid("


def refuse(reason: str) -> str:
    """The line by which inline code refuses a value (:mod:`.codegen` turns a field's last one into a
    marker it checks, which costs no exception)."""
    return f"{_REFUSING}{reason!r})"


def refusal(line: str) -> str | None:
    """The reason of a line :func:`refuse` made (indented or not); ``None`` for any other line."""
    line = line.strip()
    if not (line.startswith(_REFUSING) and line.endswith(")")):
        return None
    try:
        reason = ast.literal_eval(line[len(_REFUSING):-1])
    except (ValueError, SyntaxError):  # a reason passed by name, not spelt out
        return None
    return reason if isinstance(reason, str) else None


def email(var: str, stripped: bool, names: Names) -> list[str]:
    quick, full = names.add(parsers.EMAIL_QUICK, "email"), names.add(parsers.EMAIL_MATCH, "email")
    return [
        *([] if stripped else [f"{var} = {var}.strip()"]),
        f"if not {var}:",
        f"    {var} = None",
        f"elif len({var}) > {parsers.EMAIL_MAX} or ({quick}({var}) is None and {full}({var}) is None):",
        f"    {refuse(parsers.NOT_AN_EMAIL)}",
    ]


def country(var: str, names: Names) -> list[str]:
    return [
        f"{var} = {names.add(COUNTRIES.get, 'countries')}({var}) or {names.add(to_country, 'country')}({var})"
    ]


def whole_number(var: str, names: Names) -> list[str]:
    return [f"{var} = int({var}) if {var}.isdecimal() else {names.add(parsers.to_int, 'int')}({var})"]


def decimal(var: str, names: Names) -> list[str]:
    """Straight to Decimal (C); blanks and junk to the helper; NaN and Infinity refused."""
    make, slow = names.add(Decimal, "Decimal"), names.add(parsers.to_decimal, "decimal")
    return [
        f"if {var}:",
        "    try:",
        f"        {var} = {make}({var})",
        "    except ArithmeticError:",
        f"        {var} = {slow}({var})",
        "    else:",
        f"        if not {var}.is_finite():",
        f"            {refuse(parsers.NOT_A_NUMBER)}",
        "else:",
        f"    {var} = None",
    ]


def moment(var: str, names: Names, slow: Callable[[Any], Any], suffix: str = "") -> list[str]:
    """ISO 8601 through ``datetime.fromisoformat`` (C); blanks, other formats and junk to ``slow``.

    ``suffix`` is ``".date()"`` for a date field.
    """
    iso, fallback = names.add(datetime.fromisoformat, "fromisoformat"), names.add(slow, "moment")
    return [
        f"if {var}:",
        "    try:",
        f"        {var} = {iso}({var}){suffix}",
        "    except ValueError:",
        f"        {var} = {fallback}({var})",
        "else:",
        f"    {var} = None",
    ]


SPLIT_MEMO_SIZE = 4096


def split(var: str, separator: str, names: Names) -> list[str]:
    """Multi-select cells ("Storage; Backup") repeat a handful of combinations over a whole file, so
    each distinct text is split once and remembered (up to ``SPLIT_MEMO_SIZE`` of them); every row
    still gets its own list."""
    memo: dict[str, tuple[str, ...]] = {}

    def split_new(text: str) -> list[str]:
        items = list(filter(None, map(str.strip, text.split(separator))))
        if len(memo) < SPLIT_MEMO_SIZE:
            memo[text] = tuple(items)
        return items

    known, new = names.add(memo, "splits"), names.add(split_new, "split")
    return [f"{var} = list({known}[{var}]) if {var} in {known} else {new}({var})"]
