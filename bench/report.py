"""The results table: as text for the terminal, as Markdown for bench/README.md, as JSON."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .figure import Figure

COLUMNS = ("benchmark", "figure", "unit", "reference", "reference figure", "ratio", "goal", "verdict")
NUMERIC = {1, 4, 5}  # right-aligned columns
README_START = "<!-- bench:results:start -->"
README_END = "<!-- bench:results:end -->"


@dataclass(frozen=True)
class Run:
    """One run of the harness: where and when, at which size, and every figure in order."""

    figures: list[Figure]
    quick: bool
    cores: int | None
    python: str
    system: str
    date: str

    @classmethod
    def here(cls, figures: list[Figure], quick: bool) -> Run:
        """The run's figures with this machine and the current time."""
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return cls(figures, quick, os.cpu_count(), platform.python_version(), platform.platform(), now)

    @property
    def header(self) -> str:
        size = "QUICK run (smaller sizes, a smoke test: not comparable)" if self.quick else "full size"
        return f"Machine: {self.cores} cores, Python {self.python}, {self.system}; {self.date}; {size}"

    def rows(self) -> list[tuple[str, ...]]:
        return [
            (
                f.name,
                number(f.value),
                f.unit,
                f.reference_name,
                number(f.reference_value),
                "" if f.ratio is None else f"{f.ratio:.2f}x",
                f.goal_text,
                f.verdict,
            )
            for f in self.figures
        ]

    def text(self) -> str:
        rows = [COLUMNS, *self.rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        lines = [
            "  ".join(
                cell.rjust(w) if i in NUMERIC else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
            for row in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join([self.header, "", *lines])

    def markdown(self) -> str:
        def line(cells: tuple[str, ...]) -> str:
            return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

        align = tuple("---:" if i in NUMERIC else "---" for i in range(len(COLUMNS)))
        return "\n".join([self.header, "", line(COLUMNS), line(align), *map(line, self.rows())])

    def json(self) -> str:
        return json.dumps(
            {
                "machine": {"cores": self.cores, "python": self.python, "platform": self.system},
                "date": self.date,
                "quick": self.quick,
                "figures": [
                    {
                        "benchmark": f.name,
                        "figure": f.value,
                        "unit": f.unit,
                        "reference": f.reference_name,
                        "reference_figure": f.reference_value,
                        "ratio": f.ratio,
                        "goal": f.goal_text,
                        "verdict": "skipped" if f.skipped else f.verdict,
                        "skipped": f.skipped or None,
                    }
                    for f in self.figures
                ],
            },
            indent=2,
        )


def number(value: float | None) -> str:
    """Thousands separators from 100 up, three significant digits below: 437,221, 45.7, 0.912."""
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def write_readme(path: Path, run: Run) -> None:
    """Replace what lies between the two result markers of ``path`` with the run as Markdown."""
    text = path.read_text(encoding="utf-8")
    head, start, rest = text.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not start or not end:
        raise SystemExit(f"{path}: needs the markers {README_START} and {README_END}")
    path.write_text(f"{head}{start}\n{run.markdown()}\n{end}{tail}", encoding="utf-8")
