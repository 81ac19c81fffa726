"""Streaming CSV reader: the csv module fed by one incremental decoder, at csv.reader's own speed.

Why it is built this way:

* Bytes are decoded in 1 MiB chunks by an incremental decoder and cut at the last line break, so
  memory stays flat and a multi-byte character split across two chunks still decodes. The lines
  go to ``csv.reader`` through ``itertools.chain``: no Python code runs per line.
* Files from trade shows arrive in UTF-8 (with or without BOM), cp1252 or Latin-1. ``auto`` looks
  at the first 64 KiB: UTF-8 if it decodes, else cp1252, else Latin-1; a BOM always wins (also a
  UTF-16 one, which is what Excel's "Unicode Text" writes).
* Bad bytes further down do not stop the file: they are decoded as surrogate escapes and the row
  holding them becomes a reject. Checking every cell of every row would halve the speed, so rows
  are only checked once a chunk has shown a decode error or a NUL byte (:attr:`_suspect`).
* A cell may hold up to :data:`CELL_LIMIT` characters (a 10 MB notes cell is fine); a larger one
  makes its row a reject. If such a cell was quoted across several lines, the lines after the
  limit are read as new rows and usually rejected as short or long rows.
* The csv module forgives an unterminated quote at the end of the file by swallowing everything
  after it into one cell. A sentinel line appended after the last chunk tells the two cases apart:
  a record of its own means the file ended cleanly, a cell ending in it means a quote never closed.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator

from .tables import HashingReader, Reject, Row, Table, UnreadableFile, shorten

CELL_LIMIT = 32 * 1024 * 1024
"""Largest cell in characters; a row with a larger one is rejected (the csv module's default is
128 KiB, too small for pasted e-mail threads in a notes column)."""

LINE_LIMIT = 2 * CELL_LIMIT
"""Characters without a line break after which the reader stops waiting for one (a binary file):
what it has goes to the csv module as one line, which keeps memory bounded."""

CHUNK = 1024 * 1024
ENCODINGS = ("auto", "utf-8", "cp1252", "latin-1")
DELIMITERS = (",", ";", "\t")

csv.field_size_limit(max(csv.field_size_limit(), CELL_LIMIT))

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SENTINEL = "\ue000leadloop: end of file\ue000"
_SENTINEL_LINE = _SENTINEL + "\n"
_ESCAPED = re.compile("[\udc80-\udcff\x00]")
_QUOTED = re.compile('"[^"]*"')
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r") + b"\x7f"


class _DecodeErrors:
    """Counts decode errors in every file read by this process (the codec error handler is global).

    A reader compares the count before and after decoding a chunk; another thread's error can only
    make it look at rows more carefully, never less.
    """

    count = 0

    @classmethod
    def escape(cls, exc: UnicodeError) -> tuple[str, int]:
        cls.count += 1
        text, resume = codecs.lookup_error("surrogateescape")(exc)
        return str(text), resume


_ERRORS = "leadloop-csv-escape"
codecs.register_error(_ERRORS, _DecodeErrors.escape)


def choose_encoding(name: str, sample: bytes, configured: str, complete: bool) -> tuple[str, int]:
    """The codec to read a file with and the length of its BOM, decided from its first bytes.

    ``complete`` says the sample is the whole file (a multi-byte character may not be cut at its
    end). Raises :class:`UnreadableFile` for a binary file when ``configured`` is ``auto``.
    """
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec, len(bom)
    if configured == "auto" and b"\x00" in sample:
        odd_nuls, even_nuls = sample[1::2].count(0), sample[0::2].count(0)
        if odd_nuls > len(sample) // 5 and even_nuls == 0:
            return "utf-16-le", 0
        if even_nuls > len(sample) // 5 and odd_nuls == 0:
            return "utf-16-be", 0
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(10, len(sample) // 100):
        raise UnreadableFile(name, "a binary file, not CSV text (it is full of control bytes)")
    if configured != "auto":
        return configured, 0
    for codec in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(codec)().decode(sample, final=complete)
        except UnicodeDecodeError:
            continue
        return codec, 0
    return "latin-1", 0


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first non-blank line: the most frequent of , ; and tab outside quotes.

    Counting beats ``csv.Sniffer``, which guesses letters as delimiters on short headers.
    """
    header = next((line for line in _QUOTED.sub("", text).splitlines() if line.strip()), "")
    counts = [header.count(d) for d in DELIMITERS]
    return DELIMITERS[counts.index(max(counts))] if max(counts) else ","


def _visible(text: str) -> str:
    """Undecodable bytes and NULs as ``\\xNN``, so a report can show (and encode) them."""
    return _ESCAPED.sub(lambda m: f"\\x{ord(m.group()) & 0xFF:02x}", text)


class CsvTable(Table):
    """A CSV file as a :class:`Table`; ``encoding`` and ``delimiter`` say what was used."""

    def __init__(
        self,
        name: str,
        source: HashingReader,
        sample: bytes,
        *,
        encoding: str = "auto",
        delimiter: str = "auto",
    ) -> None:
        super().__init__(name, source)
        self.encoding, bom = choose_encoding(name, sample, encoding, complete=source.at_eof)
        self._decoder = codecs.getincrementaldecoder(self.encoding)(errors=_ERRORS)
        sample = sample[bom:]
        if delimiter == "auto":
            delimiter = sniff_delimiter(sample.decode(self.encoding, errors="replace"))
        self.delimiter = delimiter
        self._suspect = False
        self._reader = csv.reader(itertools.chain.from_iterable(self._lines(sample)), delimiter=delimiter)
        self._row = 0
        self.headers = self._read_headers()

    def _lines(self, first: bytes) -> Iterator[Iterable[str]]:
        """Decoded text in batches of complete lines (line breaks kept, as the csv module needs)."""
        decode = self._decoder.decode
        pending = ""
        chunk = first
        while True:
            errors_before = _DecodeErrors.count
            text = pending + decode(chunk, final=not chunk)
            if _DecodeErrors.count != errors_before or "\x00" in text:
                self._suspect = True
            if not chunk:
                self._suspect = True  # the sentinel is recognised on the careful path
                yield itertools.chain(io.StringIO(text, newline=""), (_SENTINEL_LINE,))
                return
            end = max(text.rfind("\n"), text.rfind("\r"))
            if end == len(text) - 1 and text[end] == "\r":  # maybe half of a \r\n: wait for more
                end = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end))
            if end >= 0:
                pending = text[end + 1 :]
                yield io.StringIO(text[: end + 1], newline="")
            elif len(text) > LINE_LIMIT:
                pending = ""
                yield (text,)
            else:
                pending = text
            chunk = self._source.read(CHUNK)

    def _read_headers(self) -> list[str]:
        """The first non-blank record, trimmed; trailing empty header cells are dropped."""
        try:
            for record in self._reader:
                self._row += 1
                if record and record[-1].endswith(_SENTINEL_LINE):
                    raise UnreadableFile(self.name, "the header row opens a quote that never closes")
                if record and record[-1] == _SENTINEL:
                    break
                if any(cell.strip() for cell in record):
                    headers = [_visible(cell.strip()) for cell in record]
                    while headers and not headers[-1]:
                        headers.pop()
                    return headers
        except csv.Error as e:
            raise UnreadableFile(self.name, f"the header row cannot be read: {e}") from None
        raise UnreadableFile(self.name, "file is empty")

    def _rows(self) -> Iterator[Row]:
        reader = self._reader
        width = len(self.headers)
        n = self._row
        while True:
            try:
                for row in reader:
                    n += 1
                    if len(row) == width and (row[0] or any(row)) and not self._suspect:
                        yield n, row
                    else:
                        checked = self._check(n, row, width)
                        if checked is not None:
                            yield n, checked
                return
            except csv.Error as e:
                n += 1
                if "field larger than field limit" in str(e):
                    self._reject(n, "cell_too_large", f"a cell is larger than {CELL_LIMIT // 2**20} MiB")
                else:
                    self._reject(n, "unreadable_row", f"the row cannot be read as CSV: {e}")

    def _check(self, n: int, row: list[str], width: int) -> list[str] | None:
        """The careful path: the row as it should be imported, or ``None`` (skipped or rejected)."""
        if not row or row[-1] == _SENTINEL:
            return None
        if row[-1].endswith(_SENTINEL_LINE):
            row[-1] = row[-1][: -len(_SENTINEL_LINE)]
            self._reject(
                n,
                "unterminated_quote",
                "a quoted cell opens in this row and never closes, so the rest of the file was read "
                "as part of it; close the quote (a quote inside a cell is written twice) and upload "
                "the file again",
                value=row[-1],
                field=self._header(len(row) - 1),
            )
            return None
        if not any(row):
            return None
        if self._suspect:
            for i, cell in enumerate(row):
                if "\x00" in cell:
                    self._reject(
                        n, "nul_byte", "a NUL byte in the cell: the file is damaged or not CSV text",
                        value=cell, field=self._header(i),
                    )
                    return None
                if _ESCAPED.search(cell):
                    self._reject(
                        n,
                        "undecodable",
                        f"bytes that are not {self.encoding} text; set the connector's encoding "
                        "or save the file as UTF-8",
                        value=cell,
                        field=self._header(i),
                    )
                    return None
        if len(row) > width:
            if any(row[width:]):
                self._reject(
                    n, "long_row", f"the row has {len(row)} cells, the header has {width}",
                    value=self.delimiter.join(row),
                )
                return None
            return row[:width]
        if len(row) < width:
            self._reject(
                n, "short_row", f"the row has {len(row)} cells, the header has {width}",
                value=self.delimiter.join(row),
            )
            return None
        return row

    def _header(self, i: int) -> str:
        return self.headers[i] if i < len(self.headers) else f"column {i + 1}"

    def _reject(self, n: int, code: str, reason: str, *, value: str = "", field: str = "") -> None:
        self.rejects.append(Reject(n, code, reason, field=field, value=_visible(shorten(value))))
