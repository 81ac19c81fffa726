"""kill -9 anywhere in a pull or a push, then a normal run: nothing lost, nothing twice.

The crashing run is a real process (``leadloop.testing.crash``) that SIGKILLs itself at its Nth
database event: the points are spread over the whole run, so they fall between a fetch and its commit,
inside a commit and just after one.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from leadloop.hub import change_lead
from leadloop.plugins import Plugins
from leadloop.store import Store
from leadloop.store.tables import checkpoints as checkpoint_rows
from leadloop.store.tables import leads, outbox
from leadloop.sync import checkpoints
from leadloop.sync.runner import run_job
from leadloop.testing.fakeserver import Running
from leadloop.testing.fixtures import FAST_RETRY
from sqlalchemy import func, select

POINTS = 24

pytestmark = pytest.mark.slow


def crash_run(leadloop_env: dict[str, str], job: str, kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leadloop.testing.crash", "acme", "src", job, str(kill_at)],
                          env=leadloop_env, capture_output=True, text=True, timeout=60)


def events_of_a_full_run(leadloop_env: dict[str, str], job: str) -> int:
    """Events of a run that finds a stored access token (the very first run also refreshes one)."""
    done = crash_run(leadloop_env, job, 0)
    assert done.returncode == 0, done.stderr
    outcome, events = done.stdout.split()
    assert outcome == "ok"
    return int(events)


def spread(total: int) -> list[int]:
    return sorted({1 + (total - 1) * i // (POINTS - 1) for i in range(POINTS)})


def lead_counts(leadloop_store: Store) -> tuple[int, int]:
    with leadloop_store.read() as conn:
        rows = conn.execute(select(func.count(), func.count(func.distinct(leads.c.external_id)))
                            .where(leads.c.tenant_id == "acme")).one()
    return rows[0], rows[1]


def test_kill_9_during_a_pull_loses_nothing_and_duplicates_nothing(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins, leadloop_env: dict[str, str],
    tmp_path: Path,
) -> None:
    fake.source.seed(600)
    apply(fake.url, page_size=100)
    assert run_job(leadloop_store, leadloop_plugins, "acme", "src", "pull", retry=FAST_RETRY).outcome == "ok"  # stores a token
    with leadloop_store.transaction() as conn:
        conn.execute(leads.delete())
        conn.execute(checkpoint_rows.delete())
    total = events_of_a_full_run(leadloop_env, "pull")  # measured on a throw-away tenant state...
    with leadloop_store.transaction() as conn:  # ...which is then wiped, so every point starts from nothing
        conn.execute(leads.delete())
        conn.execute(checkpoint_rows.delete())
    points = spread(total)
    assert len(points) >= 20
    for kill_at in points:
        before = checkpoints.load(leadloop_store, "acme", "src", "pull", "lead")
        killed = crash_run(leadloop_env, "pull", kill_at)
        assert killed.returncode == -9, (kill_at, killed.stdout, killed.stderr)
        after = checkpoints.load(leadloop_store, "acme", "src", "pull", "lead")
        if before is not None:
            assert after is not None and (after["stamp"], after["id"]) >= (before["stamp"], before["id"]), kill_at
        result = run_job(leadloop_store, leadloop_plugins, "acme", "src", "pull", retry=FAST_RETRY)
        assert result.outcome == "ok", (kill_at, result.error)
        assert lead_counts(leadloop_store) == (600, 600), kill_at
        with leadloop_store.transaction() as conn:  # the next point starts from an empty store again
            conn.execute(leads.delete())
            conn.execute(checkpoint_rows.delete())


def test_kill_9_during_a_push_delivers_every_change_and_records_it_once(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins, leadloop_env: dict[str, str]
) -> None:
    fake.source.seed(120)
    apply(fake.url, page_size=100)
    assert run_job(leadloop_store, leadloop_plugins, "acme", "src", "pull", retry=FAST_RETRY).outcome == "ok"
    with leadloop_store.read() as conn:
        lead_ids = list(conn.execute(select(leads.c.id).where(leads.c.tenant_id == "acme")).scalars())

    def queue_changes() -> None:
        with leadloop_store.transaction() as conn:
            conn.execute(outbox.delete())
        for lead_id in lead_ids:
            change_lead(leadloop_store, leadloop_plugins, "acme", lead_id, {"sales_status": "Contacted"})

    assert run_job(leadloop_store, leadloop_plugins, "acme", "src", "push", retry=FAST_RETRY).outcome == "ok"  # its lease row
    queue_changes()
    total = events_of_a_full_run(leadloop_env, "push")
    for kill_at in spread(total):
        queue_changes()
        fake.source.writes.clear()
        killed = crash_run(leadloop_env, "push", kill_at)
        assert killed.returncode == -9, (kill_at, killed.stdout, killed.stderr)
        result = run_job(leadloop_store, leadloop_plugins, "acme", "src", "push", retry=FAST_RETRY)
        assert result.outcome == "ok", (kill_at, result.error)
        with leadloop_store.read() as conn:
            statuses = conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status)).all()
        assert statuses == [("confirmed", len(lead_ids))], kill_at
        delivered = {w["id"] for w in fake.source.writes}
        assert len(delivered) == len(lead_ids), kill_at  # at least once each...
        assert all(w["fields"] == {"status": "Working"} for w in fake.source.writes)  # ...translated
