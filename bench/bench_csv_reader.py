"""csv_sftp reader: ``open_table`` rows/s against bare ``csv.reader`` over the same file.

Generates a 24-column lead file (UTF-8, every third row with a quoted multi-line note) in a
temporary directory, then reads it with plain ``csv.reader`` over ``open(newline="")`` and with
``open_table`` (decoding checks, row numbers, rejects and SHA-256 on top), best of five each, the
runs interleaved. The import pipeline's budget is ~87k rows/s end to end, so the reader must cost a
small share of it: the goal is at least 0.8x bare speed.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from leadloop_csv_sftp import open_table

from .figure import Figure
from .timing import best_of

ROWS, QUICK_ROWS = 200_000, 20_000

COLUMNS = [
    "first_name", "last_name", "email", "company", "title", "phone", "mobile", "street", "city",
    "state", "postal_code", "country", "industry", "employees", "revenue", "website", "lead_source",
    "campaign", "product_interest", "notes", "created", "rating", "owner", "status",
]  # fmt: skip


def generate(path: Path, rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for i in range(rows):
            w.writerow([
                f"Anna{i}", "Müller", f"anna{i}@example.com", f"Acme {i % 977} GmbH", "Head of IT",
                "+49 30 1234567", "+49 151 7654321", f"Hauptstr. {i % 200}", "Berlin", "BE",
                f"{10000 + i % 89999}", "DE", "Software", str(i % 5000), "1000000", "https://acme.example",
                "Trade show", "CEBIT-2024", "Widgets",
                "Line one\nline two, with comma" if i % 3 == 0 else "Met at booth, wants demo",
                "2024-03-01", "Hot", "jdoe", "New",
            ])  # fmt: skip


def bare(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def ours(path: Path) -> int:
    with open_table(path) as table:
        n = sum(1 for _ in table)
        if table.rejects or not table.sha256:
            raise RuntimeError(f"open_table rejected rows of a clean file: {table.rejects[:3]}")
        return n


def run(quick: bool) -> list[Figure]:
    rows = QUICK_ROWS if quick else ROWS
    with tempfile.TemporaryDirectory(prefix="leadloop-bench-") as tmp:
        path = Path(tmp) / "leads.csv"
        generate(path, rows)
        (n_bare, t_bare), (n_ours, t_ours) = best_of(5, lambda: bare(path), lambda: ours(path))
    if not n_bare == n_ours == rows:
        raise RuntimeError(f"rows read: bare {n_bare}, open_table {n_ours}, written {rows}")
    return [
        Figure(
            "open_table",
            rows / t_ours,
            "rows/s",
            "bare csv.reader, same file",
            rows / t_bare,
            goal_ratio=0.8,
        )
    ]
