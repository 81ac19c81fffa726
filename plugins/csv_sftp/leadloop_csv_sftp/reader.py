"""``open_table``: one entry point for CSV and XLSX, choosing by content rather than by name.

People rename files: an ``.xlsx`` saved as ``leads.csv`` is common after a trade show. The first
bytes decide: a ZIP signature is a workbook, an OLE signature is a legacy ``.xls`` (refused with a
way out), anything else is CSV text.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from leadloop.errors import ConfigError

from .csv_table import DELIMITERS, ENCODINGS, CsvTable
from .tables import ByteSource, HashingReader, Table, UnreadableFile
from .xlsx_table import XlsxTable

SAMPLE = 64 * 1024
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def open_table(
    source: str | os.PathLike[str] | BinaryIO | ByteSource,
    name: str | None = None,
    *,
    encoding: str = "auto",
    delimiter: str = "auto",
    sheet: str | None = None,
    checksum: bool = True,
) -> Table:
    """Open a CSV or XLSX file (a path or a binary stream) as a :class:`Table`.

    ``name`` is used in messages (defaults to the file name); ``encoding`` is ``auto``, ``utf-8``,
    ``cp1252`` or ``latin-1``; ``delimiter`` is ``auto``, ``,``, ``;`` or tab; ``sheet`` picks an
    XLSX worksheet by name; ``checksum=False`` spares hashing the bytes for a caller that already
    has their SHA-256 (``table.sha256`` is then ``None``). The table owns the stream from here on:
    closing it closes the stream.
    Raises :class:`UnreadableFile` when the file cannot be read at all (empty, binary, .xls).
    """
    if encoding not in ENCODINGS:
        raise ConfigError(f"encoding {encoding!r} is not one of {', '.join(ENCODINGS)}")
    if delimiter != "auto" and delimiter not in DELIMITERS:
        raise ConfigError(f"delimiter {delimiter!r} is not auto, a comma, a semicolon or a tab")
    if isinstance(source, (str, os.PathLike)):
        name = name or Path(source).name
        raw: BinaryIO | ByteSource = open(source, "rb")  # noqa: SIM115 - the table closes it
    else:
        name = name or str(getattr(source, "name", "stream"))
        raw = source
    reader = HashingReader(raw, hashing=checksum)
    try:
        sample = reader.read_exactly(SAMPLE)
        if not sample:
            raise UnreadableFile(name, "file is empty")
        if sample.startswith(_ZIP):
            return XlsxTable(name, reader, sample, sheet=sheet)
        if sample.startswith(_OLE):
            raise UnreadableFile(name, "a legacy Excel 97-2003 workbook (.xls); save it as .xlsx or CSV")
        if name.lower().endswith((".xlsx", ".xlsm")):
            raise UnreadableFile(name, "named like a workbook but not an XLSX file (no ZIP signature)")
        return CsvTable(name, reader, sample, encoding=encoding, delimiter=delimiter)
    except BaseException:
        reader.close()
        raise
