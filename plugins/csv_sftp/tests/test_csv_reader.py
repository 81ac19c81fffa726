"""The CSV reader over a corpus of what trade-show files really look like, broken ones included.

Every bad row must come out as a reject with a named reason and the right row number, every good
row must come through intact, and nothing may raise except for a file that is not a table at all.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from leadloop.errors import BadRecord, ConfigError
from leadloop_csv_sftp import Reject, Table, UnreadableFile, open_table
from leadloop_csv_sftp.csv_table import CELL_LIMIT, CHUNK
from leadloop_csv_sftp.reader import SAMPLE


def read(data: bytes, name: str = "leads.csv", **options: str) -> tuple[Table, list[tuple[int, list[str]]]]:
    table = open_table(io.BytesIO(data), name, **options)
    return table, list(table)


def codes(table: Table) -> list[tuple[int, str]]:
    return [(r.row, r.code) for r in table.rejects]


# --- encodings -------------------------------------------------------------------------------


def test_utf8_bom_is_not_part_of_the_first_header() -> None:
    table, rows = read("\ufeffE-Mail,Name\r\nanna@example.com,Anna Müller\r\n".encode())
    assert table.headers == ["E-Mail", "Name"]
    assert rows == [(2, ["anna@example.com", "Anna Müller"])]


def test_bom_wins_over_a_configured_encoding() -> None:
    table, rows = read("\ufeffName\nJürgen\n".encode(), encoding="cp1252")
    assert table.headers == ["Name"] and rows == [(2, ["Jürgen"])]


def test_cp1252_smart_quotes_dashes_and_euro_are_detected() -> None:
    text = "Name;Notiz\nMüller;“Budget” – 5.000 €\n"
    table, rows = read(text.encode("cp1252"))
    assert table.encoding == "cp1252"  # type: ignore[attr-defined]
    assert rows == [(2, ["Müller", "“Budget” – 5.000 €"])]


def test_latin1_as_configured() -> None:
    table, rows = read("Name,Ort\nFrançois,Zürich\n".encode("latin-1") + b"x\x80,y\n", encoding="latin-1")
    assert rows == [(2, ["François", "Zürich"]), (3, ["x\x80", "y"])]
    assert not table.rejects


def test_utf16_with_bom_as_excel_unicode_text_writes_it() -> None:
    table, rows = read("Name\tCity\r\nÅsa\tMalmö\r\n".encode("utf-16"))
    assert table.headers == ["Name", "City"] and rows == [(2, ["Åsa", "Malmö"])]


def test_undecodable_bytes_after_the_sample_reject_only_their_row() -> None:
    good = b"".join(b"%d,person%d@example.com\n" % (i, i) for i in range(4000))
    assert len(good) > SAMPLE  # the sample decodes as UTF-8, so the file is read as UTF-8
    data = b"id,email\n" + good + b"4000,caf\xe9@example.com\n4001,last@example.com\n"
    table, rows = read(data)
    assert table.encoding == "utf-8"  # type: ignore[attr-defined]
    [reject] = table.rejects
    assert (reject.row, reject.code, reject.field) == (4002, "undecodable", "email")
    assert reject.value == "caf\\xe9@example.com"
    assert "utf-8" in reject.reason
    assert len(rows) == 4001 and rows[-1] == (4003, ["4001", "last@example.com"])


def test_multibyte_characters_and_crlf_split_across_read_boundaries() -> None:
    data = bytearray(b"id,text\r\n")
    records = 1

    def place(position: int, tail: bytes) -> None:
        """Add rows so that ``tail`` (ending a row) starts at byte ``position``."""
        nonlocal records
        while position - len(data) > 2000:
            data.extend(b"f," + b"x" * 990 + b"\r\n")
            records += 1
        data.extend(b"u," + b"x" * (position - len(data) - 2) + tail)
        records += 1

    place(SAMPLE - 1, "ü\r\n".encode())  # the sample ends inside the ü
    place(SAMPLE + CHUNK - 1, "ü\r\n".encode())  # so does the first 1 MiB chunk
    place(SAMPLE + 2 * CHUNK - 1, b"\r\n")  # the second chunk ends between \r and \n
    data.extend(b"last,row\r\n")
    records += 1

    table, rows = read(bytes(data))
    assert not table.rejects
    assert [cells[1][-2:] for _, cells in rows if cells[0] == "u"] == ["xü", "xü", "xx"]
    assert rows[-1] == (records, ["last", "row"])  # no phantom blank line shifted the numbers


# --- delimiters --------------------------------------------------------------------------------


def test_semicolon_is_sniffed_with_commas_inside_quoted_headers() -> None:
    table, rows = read('"Name, full";E-Mail;Ort\n"Doe, Jane";jane@example.com;Köln\n'.encode())
    assert table.delimiter == ";"  # type: ignore[attr-defined]
    assert table.headers == ["Name, full", "E-Mail", "Ort"]
    assert rows == [(2, ["Doe, Jane", "jane@example.com", "Köln"])]


def test_tab_is_sniffed() -> None:
    table, rows = read(b"a\tb\tc\n1\t2,5\t3\n")
    assert table.headers == ["a", "b", "c"] and rows == [(2, ["1", "2,5", "3"])]


def test_configured_delimiter_overrides_sniffing() -> None:
    table, rows = read(b"a;b,c\n1;2,3\n", delimiter=";")
    assert table.headers == ["a", "b,c"] and rows == [(2, ["1", "2,3"])]


# --- rows ----------------------------------------------------------------------------------------


def test_embedded_newlines_keep_spreadsheet_row_numbers() -> None:
    data = b'name,notes\r\nAnna,"line one\r\nline two"\r\nBob,"a\nb\nc"\r\nCarl,plain\r\n'
    table, rows = read(data)
    assert rows == [
        (2, ["Anna", "line one\r\nline two"]),
        (3, ["Bob", "a\nb\nc"]),
        (4, ["Carl", "plain"]),
    ]
    assert not table.rejects


def test_short_and_long_rows_are_rejected_by_name_good_rows_pass() -> None:
    data = b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,,\n13,14,15\n"
    table, rows = read(data)
    assert rows == [(2, ["1", "2", "3"]), (5, ["10", "11", "12"]), (6, ["13", "14", "15"])]
    assert codes(table) == [(3, "short_row"), (4, "long_row")]
    assert table.rejects[0].reason == "the row has 2 cells, the header has 3"
    assert table.rejects[1].value == "6,7,8,9"


def test_blank_lines_and_empty_rows_are_skipped_but_counted() -> None:
    table, rows = read(b"\n\na,b\n\n1,2\n,\n\n3,4")
    assert table.headers == ["a", "b"]
    assert rows == [(5, ["1", "2"]), (8, ["3", "4"])] and not table.rejects


def test_trailing_empty_header_cells_are_dropped() -> None:
    table, rows = read(b"a,b,,\n1,2,,\n")
    assert table.headers == ["a", "b"] and rows == [(2, ["1", "2"])]


def test_old_mac_line_ends() -> None:
    table, rows = read(b"a,b\r1,2\r3,4\r")
    assert rows == [(2, ["1", "2"]), (3, ["3", "4"])] and not table.rejects


def test_nul_byte_rejects_its_row() -> None:
    table, rows = read(b"name,email\nAnna,anna@example.com\nBob,b\x00b@example.com\nCarl,c@example.com\n")
    assert rows == [(2, ["Anna", "anna@example.com"]), (4, ["Carl", "c@example.com"])]
    [reject] = table.rejects
    assert (reject.row, reject.code, reject.field, reject.value) == (3, "nul_byte", "email", "b\\x00b@example.com")


def test_unterminated_quote_rejects_the_row_that_opens_it() -> None:
    table, rows = read(b'name,notes\nAnna,fine\nBob,"never closed\nCarl,swallowed\n')
    assert rows == [(2, ["Anna", "fine"])]
    [reject] = table.rejects
    assert (reject.row, reject.code, reject.field) == (3, "unterminated_quote", "notes")
    assert reject.value == "never closed\nCarl,swallowed\n"


def test_formula_cells_are_read_verbatim() -> None:
    table, rows = read(b'name,link\nEve,"=HYPERLINK(""http://x"",""y"")"\nMal,@SUM(A1)\n')
    assert rows == [(2, ["Eve", '=HYPERLINK("http://x","y")']), (3, ["Mal", "@SUM(A1)"])]
    assert not table.rejects


def test_a_10_mb_cell_comes_through() -> None:
    cell = "Lorem ipsum, dolor\n" * (10 * 2**20 // 19)
    data = b'id,notes\n1,"' + cell.encode() + b'"\n2,short\n'
    table, rows = read(data)
    assert not table.rejects
    assert rows[0] == (2, ["1", cell]) and rows[1] == (3, ["2", "short"])


def test_a_cell_over_the_limit_rejects_its_row_only() -> None:
    data = b"id,notes\n1,ok\n2," + b"x" * (CELL_LIMIT + 10) + b"\n3,after\n"
    table, rows = read(data)
    assert rows == [(2, ["1", "ok"]), (4, ["3", "after"])]
    assert codes(table) == [(3, "cell_too_large")]
    assert "32 MiB" in table.rejects[0].reason


# --- whole files -----------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\n\r\n\n"])
def test_empty_file_is_a_file_level_error(data: bytes) -> None:
    with pytest.raises(UnreadableFile) as caught:
        open_table(io.BytesIO(data), "empty.csv")
    assert str(caught.value) == "empty.csv: file is empty"
    assert isinstance(caught.value, BadRecord)  # skipped and reported, the other files go on


def test_header_only_gives_zero_rows() -> None:
    table, rows = read(b"first_name,last_name,email")
    assert table.headers == ["first_name", "last_name", "email"]
    assert rows == [] and table.rejects == []


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"\x00\x01\x02\x03garbage" * 100, "leads.csv", "binary file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "leads.xls", "legacy Excel"),
        (b"a,b\n1,2\n", "leads.xlsx", "not an XLSX file"),
    ],
)
def test_files_that_are_not_tables_are_refused_with_a_reason(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(UnreadableFile, match=reason):
        open_table(io.BytesIO(data), name)


def test_unknown_encoding_setting_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="utf-16"):
        open_table(io.BytesIO(b"a\n"), "x.csv", encoding="utf-16")


def test_pages_carry_their_rejects_and_resume_after_a_row(tmp_path: Path) -> None:
    lines = ["id,email"] + [f"{i},p{i}@example.com" for i in range(1, 26)]
    lines[5] = "5"  # row 6: short
    lines[18] = "18,x,y"  # row 19: long
    path = tmp_path / "leads.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with open_table(path) as table:
        pages = list(table.pages(10))
        assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [len(p.rows) for p in pages] == [10, 10, 3]
    assert [[r.row for r in p.rejects] for p in pages] == [[6], [19], []]
    assert [p.last_row for p in pages] == [12, 23, 26]

    with open_table(path) as table:
        resumed = list(table.pages(10, after_row=12))
    assert resumed[0].rows[0][0] == 13
    assert [r.row for p in resumed for r in p.rejects] == [19]
    assert sum(len(p.rows) for p in resumed) == 13


def test_a_caller_that_has_the_checksum_can_skip_hashing(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("id,email\n1,a@example.com\n", encoding="utf-8")
    with open_table(path, checksum=False) as table:
        assert [row for page in table.pages(10) for row in page.rows] == [(2, ["1", "a@example.com"])]
        assert table.sha256 is None


def test_reject_as_dict_has_the_page_reject_shape() -> None:
    reject = Reject(7, "short_row", "the row has 1 cells, the header has 2", value="x")
    assert reject.as_dict() == {"row": 7, "field": "", "reason": "the row has 1 cells, the header has 2", "value": "x"}
