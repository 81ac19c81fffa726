"""The benchmark harness, run as ``make bench`` runs it, on one cheap benchmark at quick size.

Only the table's shape is checked: speed is never asserted in tests.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ["benchmark", "figure", "unit", "reference", "reference figure", "ratio", "goal", "verdict"]


def bench(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "csv_reader", *args],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_table_has_the_machine_and_one_row_with_figure_reference_and_ratio() -> None:
    header, blank, columns, rule, *rows = bench().splitlines()
    assert f"{os.cpu_count()} cores" in header
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}" in header
    assert "QUICK" in header
    assert blank == ""
    assert re.split(r"\s{2,}", columns) == COLUMNS
    assert set(rule) == {"-", " "}
    [row] = rows
    name, figure, unit, reference, reference_figure, ratio, goal, verdict = re.split(r"\s{2,}", row)
    assert name == "csv_reader: open_table"
    assert float(figure.replace(",", "")) > 0
    assert unit == "rows/s"
    assert reference == "bare csv.reader, same file"
    assert float(reference_figure.replace(",", "")) > 0
    assert re.fullmatch(r"\d+\.\d\dx", ratio)
    assert goal == ">= 0.80x"
    assert verdict in {"met", "not met"}


def test_json_carries_the_same_figures() -> None:
    run = json.loads(bench("--json"))
    assert run["machine"]["cores"] == os.cpu_count()
    assert run["quick"] is True
    [figure] = run["figures"]
    assert figure["benchmark"] == "csv_reader: open_table"
    assert figure["ratio"] == figure["figure"] / figure["reference_figure"]
    assert figure["verdict"] in {"met", "not met"}
