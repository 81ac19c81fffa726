"""kill -9 anywhere in a file's import, then a normal pull: every row once, the file moved once,
every rejected row reported once."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from leadloop.store import Store
from leadloop.store.tables import checkpoints, files, leads, rejects
from sqlalchemy import delete, func, select

ROWS = 12_000  # three pages of 5,000 and a partial one
BAD_EVERY = 1000
POINTS = 10

pytestmark = pytest.mark.slow


def lead_file() -> str:
    lines = ["Email,Company,Country"]
    lines += [f"{'not-an-email' if i % BAD_EVERY == 0 else f'lead{i}@example.com'},Acme {i},DE" for i in range(ROWS)]
    return "\n".join(lines) + "\n"


def crash_run(leadloop_env: dict[str, str], kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leadloop.testing.crash", "acme", "drop", "pull", str(kill_at)],
                          env=leadloop_env, check=False, capture_output=True, text=True, timeout=120)


def reset(leadloop_store: Store, inbox_dir: Path, content: str) -> None:
    with leadloop_store.transaction() as conn:
        for table in (leads, rejects, files, checkpoints):
            conn.execute(delete(table))
    for folder in ("processed", "errors", "failed"):
        shutil.rmtree(inbox_dir / folder, ignore_errors=True)
    (inbox_dir / "show.csv").write_text(content, encoding="utf-8")
    (inbox_dir / "show.csv.done").touch()


def test_kill_9_anywhere_in_a_file_import_repeats_nothing(
    inbox_dir: Path, apply: Callable[..., None], pull: Callable[[], dict[str, Any]], leadloop_store: Store,
    leadloop_env: dict[str, str],
) -> None:
    content = lead_file()
    bad = ROWS // BAD_EVERY
    apply()
    reset(leadloop_store, inbox_dir, content)
    done = crash_run(leadloop_env, 0)
    assert done.returncode == 0 and done.stdout.split()[0] == "ok", done.stderr
    last = int(done.stdout.split()[1]) - 5  # the count varies by a few (a lease taken over or made)
    points = sorted({1 + (last - 1) * i // (POINTS - 1) for i in range(POINTS)})
    for kill_at in points:
        reset(leadloop_store, inbox_dir, content)
        killed = crash_run(leadloop_env, kill_at)
        assert killed.returncode == -9, (kill_at, killed.stdout, killed.stderr[-2000:])
        run = pull()
        assert run["outcome"] == "ok", (kill_at, run["error"])
        with leadloop_store.read() as conn:
            count, distinct = conn.execute(
                select(func.count(), func.count(func.distinct(leads.c.external_id)))).one()
            ledger = conn.execute(select(files.c.status, files.c.rows)).all()
        assert (count, distinct) == (ROWS - bad, ROWS - bad), kill_at
        assert ledger == [("processed", ROWS)], kill_at
        assert sorted(p.name for p in (inbox_dir / "processed").iterdir()) == ["show.csv", "show.csv.done"], kill_at
        assert not (inbox_dir / "show.csv").exists(), kill_at
        report = list(csv.reader(io.StringIO(
            (inbox_dir / "errors" / "show.csv.errors.csv").read_text(encoding="utf-8-sig"))))
        assert [int(line[0]) for line in report[1:]] == [i + 2 for i in range(0, ROWS, BAD_EVERY)], kill_at
