"""What every file reader hands the import engine: headers, numbered rows, rejects, a checksum.

A :class:`Table` is read once, front to back, and never holds the whole file: rows are produced as
the bytes arrive. Rows are ``(row_number, cells)`` with the number a person sees in a spreadsheet
(the header is row 1, blank lines count), so an error report points at the right line. Rows the
reader itself cannot read become :class:`Reject` entries instead of exceptions, so one broken line
never stops the other ten thousand; only a file that cannot be read at all raises
:class:`UnreadableFile`.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol, Self

from leadloop.errors import BadRecord, FieldProblem

Row = tuple[int, list[str]]
"""A data row: its 1-based row number in the file and one string per header."""

VALUE_LIMIT = 1000
"""Characters of a cell kept in a reject or a report; a 10 MB cell is evidence, not content."""


def shorten(value: str, limit: int = VALUE_LIMIT) -> str:
    """``value`` cut to ``limit`` characters, saying how much was cut."""
    if len(value) <= limit:
        return value
    return f"{value[:limit]}... [{len(value) - limit} more characters]"


@dataclass(frozen=True)
class Reject:
    """A row the reader could not read: where, why, and what it saw.

    ``code`` names the reason for programs (``short_row``, ``undecodable``, ...); ``reason`` says
    it to a person, with what to do when there is something to do.
    """

    row: int
    code: str
    reason: str
    field: str = ""
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The shape of :attr:`leadloop.source.Page.rejects` and of error report lines."""
        return {"row": self.row, "field": self.field, "reason": self.reason, "value": self.value}


@dataclass
class TablePage:
    """Up to ``size`` rows, the rejects met while reading them, and where reading stopped.

    ``last_row`` is the highest row number this page covers: resume with ``after_row=last_row``.
    """

    rows: list[Row]
    rejects: list[Reject] = field(default_factory=list)
    last_row: int = 0


class UnreadableFile(BadRecord):
    """A whole file cannot be read (empty, binary, a legacy .xls): it is skipped and reported.

    It is a :class:`~leadloop.errors.BadRecord` whose record is the file, so an engine that skips
    bad records skips this file and goes on with the next one.
    """

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"file {name!r}", [FieldProblem("", reason)])
        self.name = name
        self.reason = reason
        self.args = (f"{name}: {reason}",)


class ByteSource(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class HashingReader:
    """Reads a binary stream and keeps its SHA-256, so the checksum costs no second pass."""

    def __init__(self, raw: ByteSource | BinaryIO, *, hashing: bool = True) -> None:
        self._raw = raw
        self._hash = hashlib.sha256() if hashing else None
        self.at_eof = False

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        if data:
            if self._hash is not None:
                self._hash.update(data)
        elif n != 0:
            self.at_eof = True
        return data

    def read_exactly(self, n: int) -> bytes:
        """Up to ``n`` bytes, fewer only at the end of the stream (network reads come in pieces)."""
        parts = []
        while n > 0:
            data = self.read(n)
            if not data:
                break
            parts.append(data)
            n -= len(data)
        return b"".join(parts)

    def hexdigest(self) -> str | None:
        """The file's SHA-256 once it has been read to the end (and was hashed), else ``None``."""
        return self._hash.hexdigest() if self.at_eof and self._hash is not None else None

    def close(self) -> None:
        self._raw.close()


class Table:
    """One file's rows, read lazily; subclasses provide :meth:`_rows`.

    ``rejects`` collects rows the reader could not read, in file order; :meth:`pages` hands each out
    once, with the page it belongs to. Closing the table closes the stream it was opened on.
    """

    def __init__(self, name: str, source: HashingReader) -> None:
        self.name = name
        self.headers: list[str] = []
        self.rejects: list[Reject] = []
        self._source = source
        self._iterator: Iterator[Row] | None = None

    def _rows(self) -> Iterator[Row]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Row]:
        # One pass only: the bytes behind the rows are gone once read.
        if self._iterator is None:
            self._iterator = self._rows()
        return self._iterator

    def pages(self, size: int, after_row: int = 0) -> Iterator[TablePage]:
        """Rows in pages of ``size``, skipping rows up to ``after_row`` (resuming after a crash).

        A page may carry only rejects; iteration ends when the file is read.
        """
        rows = itertools.dropwhile(lambda r: r[0] <= after_row, iter(self))
        last_row = after_row
        while True:
            batch = list(itertools.islice(rows, size))
            rejects = [r for r in self.rejects if r.row > after_row]
            self.rejects.clear()
            if not batch and not rejects:
                return
            last_row = max([last_row, *(r.row for r in rejects), batch[-1][0] if batch else 0])
            yield TablePage(batch, rejects, last_row)

    @property
    def sha256(self) -> str | None:
        """SHA-256 of the file's bytes; ``None`` until the reader has reached the end of the file
        (at the latest when the last row has been read)."""
        return self._source.hexdigest()

    def close(self) -> None:
        self._source.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
