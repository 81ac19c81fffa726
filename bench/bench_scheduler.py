"""Scheduler tick with 10,000 enabled connectors (goal: at most 100 ms per tick).

A tick is what ``leadloop scheduler run`` does every second: one query for the jobs whose time has
come, each handed to the executor (here one that only records it, so the figure is the scheduler's
own cost, not the jobs'). Two situations: a quiet tick (1% of jobs due) and a storm (every job due at
once; a tick takes at most 1,000, the rest wait for the next). The reference is the same due query
run bare through sqlite3 on the same file: what the database alone costs.
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.figure import Figure
from bench.timing import best_of
from leadloop.scheduler import Scheduler
from leadloop.store import Store
from leadloop.sync.schedule import DueJob

CONNECTORS = 10_000
BARE_DUE = (
    "SELECT s.tenant_id, s.connector, s.job FROM schedules s JOIN connectors c "
    "ON c.tenant_id = s.tenant_id AND c.name = s.connector "
    "WHERE s.enabled = 1 AND s.next_run_at <= ? AND c.enabled = 1 AND c.state = 'ok' "
    "ORDER BY s.next_run_at LIMIT 1000"
)


class _Recorder:
    def __init__(self) -> None:
        self.jobs: list[DueJob] = []

    def submit(self, job: DueJob) -> None:
        self.jobs.append(job)

    def shutdown(self) -> None:
        pass


def _populate(path: Path, connectors: int, due_every: int) -> None:
    """Tenants of ten connectors each, one pull job per connector; every ``due_every``-th is due."""
    store = Store.open(f"sqlite:///{path}")
    store.migrate()
    store.close()
    now = datetime.now(UTC)
    due, later, stamp = (_text(now - timedelta(seconds=5)), _text(now + timedelta(hours=1)), _text(now))
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO tenants (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                       [(f"t{i}", f"Tenant {i}", stamp, stamp) for i in range(connectors // 10)])
        db.executemany(
            "INSERT INTO connectors (tenant_id, name, type, enabled, settings, uniqueness, status_map, mapping, "
            "jobs, sync, state, updated_at) VALUES (?, ?, 'fake', 1, '{}', 'none', '{}', '{}', '{}', '{}', 'ok', ?)",
            [(f"t{i // 10}", f"c{i}", stamp) for i in range(connectors)],
        )
        db.executemany(
            "INSERT INTO schedules (tenant_id, connector, job, every_seconds, cron, enabled, next_run_at) "
            "VALUES (?, ?, 'pull', 300, NULL, 1, ?)",
            [(f"t{i // 10}", f"c{i}", due if i % due_every == 0 else later) for i in range(connectors)],
        )


def _text(when: datetime) -> str:
    """A timestamp as the store writes it on SQLite (UTC, space-separated, microseconds)."""
    return when.isoformat(" ", "microseconds")[:26]


def _measure(connectors: int, due_every: int, label: str) -> Figure:
    with tempfile.TemporaryDirectory(prefix="leadloop-bench-") as tmp:
        path = Path(tmp) / "scheduler.db"
        _populate(path, connectors, due_every)
        store = Store.open(f"sqlite:///{path}")
        recorder = _Recorder()
        scheduler = Scheduler(store, recorder, threading.Event())
        bare = sqlite3.connect(path)
        now = _text(datetime.now(UTC))
        (ticked, tick_s), (rows, bare_s) = best_of(
            15, scheduler.tick, lambda: bare.execute(BARE_DUE, (now,)).fetchall()
        )
        bare.close()
        store.close()
    if len(ticked) != len(rows):
        raise RuntimeError(f"the tick found {len(ticked)} due jobs, the bare query {len(rows)}")
    return Figure(
        f"tick, {connectors:,} connectors, {label} ({len(ticked):,} dispatched)",
        tick_s * 1000, "ms", "bare due query (sqlite3)", bare_s * 1000,
        meets=lambda ms: ms <= 100, goal="<= 100 ms",
    )


def run(quick: bool) -> list[Figure]:
    connectors = 2_000 if quick else CONNECTORS
    return [_measure(connectors, 100, "1% due"), _measure(connectors, 1, "all due")]


