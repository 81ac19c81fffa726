"""The malformed-input corpus through the whole import (reader, row rules, mapping, store): every bad
row gets a named reason, every good row is imported, nothing crashes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from leadloop.plugins import Plugins
from leadloop.secrets import SecretBox
from leadloop.store import Store
from leadloop.sync.runs import get as get_run
from leadloop_csv_sftp.local import ImportResult, import_file

GOOD = "good@example.com,Acme,DE"
PADDING = "".join(f"pad{i}@example.com,Padding {i},DE\n" for i in range(3000))  # > the 64 KiB sample


def bad_bytes_late() -> bytes:
    return ("Email,Company,Country\n" + PADDING).encode() + b"late@example.com,Caf\xe9 \xff,DE\n"


CORPUS: dict[str, tuple[bytes, int, list[tuple[str, str]]]] = {
    # name: (bytes, leads imported, [(row, reason fragment), ...] rejected)
    "bom.csv": (("\ufeffEmail,Company,Country\n" + GOOD + "\n").encode("utf-8"), 1, []),
    "latin1.csv": ("Email;Company;Country\nanna@example.com;Müller GmbH;Österreich\n".encode("cp1252"), 1, []),
    "utf16.csv": (("Email\tCompany\tCountry\r\n" + GOOD.replace(",", "\t") + "\r\n").encode("utf-16"), 1, []),
    "newlines.csv": (b'Email,Company,Country,Notes\r\na@example.com,Acme,DE,"one\r\ntwo\nthree"\r\n', 1, []),
    "short-and-long.csv": (
        ("Email,Company,Country\n" + GOOD + "\nshort@example.com,Acme\nlong@example.com,Acme,DE,extra\n"
         + GOOD.replace("good", "good2") + ",,\n").encode(),  # empty trailing cells are not a long row
        2,
        [("3", "the row has 2 cells, the header has 3"), ("4", "the row has 4 cells, the header has 3")],
    ),
    "header-only.csv": (b"Email,Company,Country\n", 0, []),
    "blank-lines.csv": (("\n\nEmail,Company,Country\n\n" + GOOD + "\n,,\n").encode(), 1, []),
    "formulas.csv": (b'Email,Company,Country\na@example.com,"=HYPERLINK(""http://x"")",DE\n', 1, []),
    "unterminated.csv": (
        ("Email,Company,Country\n" + GOOD + '\nb@example.com,"Acme,DE\nc@example.com,C,DE\n').encode(),
        1,
        [("3", "a quoted cell opens in this row and never closes")],
    ),
    "nul.csv": (b"Email,Company,Country\n" + GOOD.encode() + b"\nn@example.com,Ac\x00me,DE\n", 1,
                [("3", "a NUL byte in the cell")]),
    "undecodable-late.csv": (bad_bytes_late(), 3000, [("3002", "bytes that are not utf-8 text")]),
    "big-cell.csv": (b"Email,Company,Country,Notes\na@example.com,Acme,DE," + b"x" * 10_000_000 + b"\n", 1, []),
}


@pytest.fixture
def import_bytes(tmp_path: Path, apply: Callable[..., None], leadloop_store: Store,
                 leadloop_plugins: Plugins) -> Callable[[str, bytes], ImportResult]:
    apply()

    def run(name: str, data: bytes) -> ImportResult:
        path = tmp_path / name
        path.write_bytes(data)
        return import_file(leadloop_store, leadloop_plugins, SecretBox.from_environment(), "acme", path)

    return run


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus(name: str, import_bytes: Callable[[str, bytes], ImportResult], leadloop_store: Store) -> None:
    data, imported, refused = CORPUS[name]
    result = import_bytes(name, data)
    assert result.outcome == "ok" and result.file is not None and result.file.status == "processed", result
    assert result.imported == imported
    found = [(str(r["record"]).removeprefix("row "), r["reason"]) for r in get_run(leadloop_store, result.run_id)["rejects"]]
    assert len(found) == len(refused), found
    for (row, reason), (want_row, fragment) in zip(sorted(found), sorted(refused), strict=True):
        assert row == want_row and fragment in reason


def test_the_values_arrive_as_written(import_bytes: Callable[[str, bytes], ImportResult], leadloop_store: Store) -> None:
    for name in ("latin1.csv", "newlines.csv", "formulas.csv", "big-cell.csv"):
        import_bytes(name, CORPUS[name][0])
    stored = leadloop_store.tenant("acme").list_leads(limit=10)
    assert len(stored) == 4
    assert ("anna@example.com", "Müller GmbH", "AT") in {
        (lead["email"], lead["company"], lead["address_country"]) for lead in stored}
    notes = {lead["notes"] for lead in stored if lead["notes"]}
    assert "one\r\ntwo\nthree" in notes and "x" * 10_000_000 in notes
    assert '=HYPERLINK("http://x")' in {lead["company"] for lead in stored}  # stored as written; exports escape it


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "file is empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "legacy Excel 97-2003 workbook"),
    (bytes(range(256)) * 40, "a binary file, not CSV text"),
    (b"Email,Country\na@example.com,DE\n", "no column for required field 'company'"),
])
def test_files_that_cannot_be_imported_say_why(
    data: bytes, reason: str, import_bytes: Callable[[str, bytes], ImportResult]
) -> None:
    result = import_bytes("broken.csv", data)
    assert result.file is not None and result.file.status == "failed"
    assert reason in str(result.file.reason)
    assert result.imported == 0
