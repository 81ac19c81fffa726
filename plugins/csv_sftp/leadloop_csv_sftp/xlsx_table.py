"""XLSX reader: openpyxl in read-only mode, cells turned back into the text a person typed.

A workbook is a ZIP archive and ZIP needs random access, so the bytes are first copied to an
anonymous temporary file (hashed on the way); openpyxl then streams the sheet's XML from it row by
row. ``data_only`` gives formulas' cached values, never the formula text. The sheet's recorded
dimensions are ignored (``reset_dimensions``) because some generators write ``A1:A1`` and openpyxl
would then cut every row to one cell.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import openpyxl

from .tables import HashingReader, Reject, Row, Table, UnreadableFile, shorten

CHUNK = 1024 * 1024


def cell_text(value: object) -> str:
    """A cell value as typed: ``42`` not ``42.0``, dates as ISO ``2024-03-01``, empty for None.

    Floats keep Excel's 15 significant digits, so ``0.1 + 0.2`` shows as ``0.3`` as it does in Excel.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


class XlsxTable(Table):
    """One worksheet of an XLSX workbook as a :class:`Table`; the first sheet unless ``sheet``."""

    def __init__(self, name: str, source: HashingReader, sample: bytes, *, sheet: str | None = None) -> None:
        super().__init__(name, source)
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the table
        try:
            self._file.write(sample)
            while chunk := source.read(CHUNK):
                self._file.write(chunk)
            self._file.seek(0)
            try:
                self._book = openpyxl.load_workbook(
                    self._file, read_only=True, data_only=True, keep_links=False
                )
            except Exception as e:  # noqa: BLE001 - openpyxl raises a dozen kinds on a damaged archive
                raise UnreadableFile(name, f"not a readable XLSX workbook ({type(e).__name__}: {e})") from None
            self._sheet = self._pick_sheet(sheet)
            self._values: Iterator[tuple[Any, ...]] = self._sheet.iter_rows(values_only=True)
            self._row = 0
            self.headers = self._read_headers()
        except BaseException:
            self.close()
            raise

    def _pick_sheet(self, sheet: str | None) -> Any:
        names = self._book.sheetnames
        if sheet is None:
            if not self._book.worksheets:
                raise UnreadableFile(self.name, "the workbook has no worksheet")
            ws = self._book.worksheets[0]
        elif sheet in names:
            ws = self._book[sheet]
        else:
            raise UnreadableFile(
                self.name, f"no sheet named {sheet!r}; the workbook's sheets are {', '.join(names)}"
            )
        ws.reset_dimensions()
        return ws

    def _read_headers(self) -> list[str]:
        for values in self._values:
            self._row += 1
            headers = [cell_text(v).strip() for v in values]
            while headers and not headers[-1]:
                headers.pop()
            if headers:
                return headers
        raise UnreadableFile(self.name, "file is empty")

    def _rows(self) -> Iterator[Row]:
        width = len(self.headers)
        n = self._row
        values_iter = iter(self._values)
        while True:
            try:
                values = next(values_iter, None)
            except Exception as e:  # noqa: BLE001 - damaged sheet XML half-way through
                self.rejects.append(
                    Reject(n + 1, "unreadable_sheet", f"the rest of the sheet cannot be read ({e})")
                )
                return
            if values is None:
                return
            n += 1
            row = [v if type(v) is str else cell_text(v) for v in values]
            if not any(row):
                continue
            if len(row) > width:
                if any(row[width:]):
                    self.rejects.append(
                        Reject(
                            n, "long_row", f"the row has values in {len(row)} columns, the header has {width}",
                            value=shorten(", ".join(row)),
                        )
                    )
                    continue
                del row[width:]
            elif len(row) < width:  # XLSX leaves empty trailing cells out
                row.extend([""] * (width - len(row)))
            yield n, row

    def close(self) -> None:
        book = getattr(self, "_book", None)
        if book is not None:
            book.close()
        self._file.close()
        super().close()
