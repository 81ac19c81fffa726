"""The XLSX reader: values as a person typed them, sheet row numbers, sheet choice, broken files."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime, time

import openpyxl
import pytest
from leadloop_csv_sftp import UnreadableFile, open_table
from leadloop_csv_sftp.xlsx_table import cell_text


def workbook_bytes(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def leads_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Leads"
    sheet.append(["Name", "Employees", "Revenue", "Met", "Called", "Call time", "Partner", "Phone"])
    sheet.append(["Anna", 250, 1.5, datetime(2024, 3, 1), datetime(2024, 3, 1, 14, 30), time(9, 15), True, 4915112345678])
    sheet.append([])  # row 3: empty
    sheet.append(["Bob", 12.0, 0.1 + 0.2, date(2024, 1, 2)])  # short: XLSX leaves empty cells out
    sheet["A7"] = "Carl"  # rows 5 and 6 do not exist in the file at all
    sheet["J7"] = "stray"  # a value beyond the header
    sheet["A8"] = "Dora"
    sheet["B8"] = "=1+1"  # a formula without a cached value (openpyxl does not calculate)
    other = book.create_sheet("Partners")
    other.append(["Partner", "Tier"])
    other.append(["Acme", "Gold"])
    return workbook_bytes(book)


def test_cells_read_as_typed_with_sheet_row_numbers(leads_xlsx: bytes) -> None:
    table = open_table(io.BytesIO(leads_xlsx), "leads.xlsx")
    assert table.headers == ["Name", "Employees", "Revenue", "Met", "Called", "Call time", "Partner", "Phone"]
    rows = list(table)
    assert rows == [
        (2, ["Anna", "250", "1.5", "2024-03-01", "2024-03-01 14:30:00", "09:15:00", "TRUE", "4915112345678"]),
        (4, ["Bob", "12", "0.3", "2024-01-02", "", "", "", ""]),
        (8, ["Dora", "", "", "", "", "", "", ""]),
    ]
    [reject] = table.rejects
    assert (reject.row, reject.code) == (7, "long_row")
    assert "stray" in reject.value
    assert table.sha256 == hashlib.sha256(leads_xlsx).hexdigest()


def test_sheet_is_chosen_by_name(leads_xlsx: bytes) -> None:
    table = open_table(io.BytesIO(leads_xlsx), "leads.xlsx", sheet="Partners")
    assert table.headers == ["Partner", "Tier"] and list(table) == [(2, ["Acme", "Gold"])]


def test_missing_sheet_names_the_sheets_there_are(leads_xlsx: bytes) -> None:
    with pytest.raises(UnreadableFile, match="no sheet named 'Kontakte'; the workbook's sheets are Leads, Partners"):
        open_table(io.BytesIO(leads_xlsx), "leads.xlsx", sheet="Kontakte")


def test_a_workbook_named_csv_is_read_as_a_workbook(leads_xlsx: bytes) -> None:
    table = open_table(io.BytesIO(leads_xlsx), "leads.csv")
    assert table.headers[0] == "Name" and next(iter(table))[0] == 2


def test_header_only_and_empty_workbooks() -> None:
    book = openpyxl.Workbook()
    book.active.append(["Name", "Email"])
    table = open_table(io.BytesIO(workbook_bytes(book)), "h.xlsx")
    assert table.headers == ["Name", "Email"] and list(table) == []
    with pytest.raises(UnreadableFile, match="file is empty"):
        open_table(io.BytesIO(workbook_bytes(openpyxl.Workbook())), "e.xlsx")


def test_a_damaged_zip_is_unreadable_not_a_crash(leads_xlsx: bytes) -> None:
    with pytest.raises(UnreadableFile, match="not a readable XLSX workbook"):
        open_table(io.BytesIO(leads_xlsx[: len(leads_xlsx) // 2]), "cut.xlsx")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (42, "42"),
        (42.0, "42"),
        (-3.25, "-3.25"),
        (0.1 + 0.2, "0.3"),
        (1e20, "1e+20"),
        (False, "FALSE"),
        (datetime(2024, 12, 31, 0, 0), "2024-12-31"),
        (datetime(2024, 12, 31, 8, 5, 3), "2024-12-31 08:05:03"),
        ("  kept as is ", "  kept as is "),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text
