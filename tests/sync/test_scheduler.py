"""The scheduler: due jobs run once, however many schedulers tick; SIGTERM stops cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from leadloop.plugins import Plugins
from leadloop.scheduler import InlineExecutor, Scheduler
from leadloop.store import Store
from leadloop.store.tables import runs, schedules
from leadloop.store.types import utcnow
from leadloop.sync import checkpoints
from leadloop.sync.runner import run_job
from leadloop.sync.schedule import DueJob, due
from leadloop.testing.fakeserver import Running
from leadloop.testing.fixtures import FAST_RETRY
from sqlalchemy import select


def run_rows(leadloop_store: Store) -> list[tuple[str, str]]:
    with leadloop_store.read() as conn:
        return [tuple(r) for r in conn.execute(select(runs.c.job, runs.c.outcome).order_by(runs.c.id))]


def test_new_jobs_are_due_and_run_once_then_wait_for_their_time(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins
) -> None:
    fake.source.seed(20)
    apply(fake.url, jobs={"pull": {"every": "1h"}, "push": {"cron": "0 3 * * *", "enabled": False}})
    assert due(leadloop_store) == [DueJob("acme", "src", "pull")]  # push is disabled
    done = threading.Event()
    stop = threading.Event()
    executor = InlineExecutor(leadloop_store, leadloop_plugins, stop, workers=2, on_done=lambda job, result: done.set())
    Scheduler(leadloop_store, executor, stop).run(once=True)
    assert done.is_set()
    assert run_rows(leadloop_store) == [("pull", "ok")]
    assert due(leadloop_store) == []
    with leadloop_store.read() as conn:
        next_run = conn.execute(select(schedules.c.next_run_at).where(schedules.c.job == "pull")).scalar_one()
    assert timedelta(minutes=59) < next_run - utcnow() <= timedelta(hours=1)


def test_disabled_or_paused_connectors_are_never_due(fake: Running, apply: Callable[..., None], leadloop_store: Store) -> None:
    apply(fake.url)
    assert {j.job for j in due(leadloop_store)} == {"pull", "push"}
    leadloop_store.tenant("acme").set_connector_enabled("src", False)
    assert due(leadloop_store) == []
    leadloop_store.tenant("acme").set_connector_enabled("src", True)
    leadloop_store.tenant("acme").set_connector_state("src", "needs_reauth", "invalid_grant")
    assert due(leadloop_store) == []


def test_a_job_claimed_by_one_scheduler_is_not_run_by_another(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins
) -> None:
    fake.source.seed(5)
    apply(fake.url)
    assert run_job(leadloop_store, leadloop_plugins, "acme", "src", "pull", due_only=True, retry=FAST_RETRY).outcome == "ok"
    second = run_job(leadloop_store, leadloop_plugins, "acme", "src", "pull", due_only=True, retry=FAST_RETRY)
    assert (second.outcome, second.error) == ("skipped", "not due any more")


def test_three_scheduler_processes_run_a_due_job_exactly_once(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_env: dict[str, str]
) -> None:
    fake.source.seed(400)
    fake.source.faults.rate_stall = 1.0  # every page takes a while, so the three overlap
    fake.source.faults.stall_seconds = 0.05
    apply(fake.url, page_size=50, jobs={"pull": {"every": "1h"}})
    procs = [
        subprocess.Popen([sys.executable, "-m", "leadloop.cli", "scheduler", "run", "--once"], env=leadloop_env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert run_rows(leadloop_store) == [("pull", "ok")]
    assert leadloop_store.tenant("acme").count_leads() == 400
    assert fake.source.pages_served == 9  # 8 full pages of 50 (each repeating one) and the last


def test_sigterm_finishes_the_current_page_and_releases_the_lease(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins, leadloop_env: dict[str, str]
) -> None:
    fake.source.seed(1000)
    fake.source.faults.rate_stall = 1.0
    fake.source.faults.stall_seconds = 0.2
    apply(fake.url, page_size=50, timeout=5)
    proc = subprocess.Popen([sys.executable, "-m", "leadloop.cli", "jobs", "run", "acme", "src", "pull"], env=leadloop_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while checkpoints.load(leadloop_store, "acme", "src", "pull", "lead") is None:
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "finishing the current page" in err
    assert run_rows(leadloop_store) == [("pull", "cancelled")]
    watermark = checkpoints.load(leadloop_store, "acme", "src", "pull", "lead")
    assert watermark is not None and int(watermark["id"][1:]) % 49 == 0  # a page boundary, not mid-page
    assert 0 < leadloop_store.tenant("acme").count_leads() < 1000
    fake.source.faults.rate_stall = 0.0
    assert run_job(leadloop_store, leadloop_plugins, "acme", "src", "pull", retry=FAST_RETRY).outcome == "ok"  # lease was freed
    assert leadloop_store.tenant("acme").count_leads() == 1000
