"""Long pulls commit their pages in a page writer process: the same store, counters and crash safety
as committing them in the job's own process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from leadloop.plugins import Plugins
from leadloop.store import Store
from leadloop.store.tables import checkpoints as checkpoint_rows
from leadloop.store.tables import leads
from leadloop.sync import checkpoints
from leadloop.sync import writer as writer_module
from leadloop.sync.commit import PageWork
from leadloop.sync.runner import run_job
from leadloop.sync.runs import RunStats, get
from leadloop.sync.writer import MODE_ENV
from leadloop.testing.fakeserver import Running
from leadloop.testing.fixtures import FAST_RETRY
from sqlalchemy import func, select


def writers(parent: int | None = None) -> list[int]:
    """Pids of the page writer processes alive now (of ``parent`` only, if given)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if b"leadloop.sync.writer" not in (entry / "cmdline").read_bytes():
                continue
            status = (entry / "status").read_text()
        except OSError:
            continue  # ended meanwhile
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        if fields.get("State", "").startswith("Z"):
            continue
        if parent is None or int(fields["PPid"]) == parent:
            found.append(int(entry.name))
    return found


def pull(store: Store, plugins: Plugins, **options: Any) -> dict[str, Any]:
    result = run_job(store, plugins, "acme", "src", "pull", retry=FAST_RETRY, **options)
    assert result.run_id is not None
    return get(store, result.run_id)


def stored(store: Store) -> tuple[int, int]:
    """(leads, distinct external ids) of tenant acme."""
    with store.read() as conn:
        row = conn.execute(select(func.count(), func.count(func.distinct(leads.c.external_id)))
                           .where(leads.c.tenant_id == "acme")).one()
    return row[0], row[1]


def next_run_stores_each_once(store: Store, plugins: Plugins, leads: int) -> None:
    """The next pull succeeds and the store then holds every one of ``leads`` leads exactly once."""
    again = pull(store, plugins)
    assert again["outcome"] == "ok", again["error"]
    assert stored(store) == (leads, leads)


def start_over(store: Store) -> None:
    """No leads and no watermark: the next pull reads everything again."""
    with store.transaction() as conn:
        conn.execute(leads.delete())
        conn.execute(checkpoint_rows.delete())


@pytest.mark.parametrize("mode", ["inline", "process"])
def test_a_pull_stores_the_same_whichever_process_commits(
    mode: str, fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MODE_ENV, mode)
    fake.source.seed(450)
    fake.source.upsert("L0000200", {"email": "not an address"})
    apply(fake.url, page_size=100)
    seen: list[tuple[int, bool]] = []
    run = pull(leadloop_store, leadloop_plugins,
               progress=lambda stats: seen.append((stats.written, bool(writers(os.getpid())))))
    assert run["outcome"] == "ok", run["error"]
    assert stored(leadloop_store) == (449, 449)
    assert (run["pages"], run["records_read"], run["records_written"], run["records_failed"]) == (5, 454, 453, 1)  # 450 records, 4 overlaps
    assert [(r["record"], r["field"]) for r in run["rejects"]] == [("lead L0000200", "email")]
    assert checkpoints.load(leadloop_store, "acme", "src", "pull", "lead")["id"] == "L0000200"  # changed last
    # Progress is reported page by page as pages commit, wherever they commit.
    assert [written for written, _ in seen] == sorted(written for written, _ in seen) and seen[-1][0] == 453
    assert any(alive for _, alive in seen) is (mode == "process")
    assert writers(os.getpid()) == []  # the writer process ends with its pull


def test_auto_starts_a_writer_only_for_long_pages(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MODE_ENV, raising=False)
    fake.source.seed(2500)
    apply(fake.url, page_size=100)
    seen: list[bool] = []
    assert pull(leadloop_store, leadloop_plugins, progress=lambda _: seen.append(bool(writers(os.getpid()))))["outcome"] == "ok"
    assert not any(seen)

    apply(fake.url, page_size=1000)
    start_over(leadloop_store)
    seen.clear()
    run = pull(leadloop_store, leadloop_plugins, progress=lambda _: seen.append(bool(writers(os.getpid()))))
    assert run["outcome"] == "ok" and run["records_written"] == 2502  # three pages, two overlaps
    assert any(seen) and stored(leadloop_store) == (2500, 2500)


def test_a_writer_that_dies_fails_the_run_and_the_next_run_loses_nothing(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MODE_ENV, "process")
    fake.source.seed(600)
    apply(fake.url, page_size=100)

    def kill_the_writer(stats: RunStats) -> None:
        for pid in writers(os.getpid()):
            os.kill(pid, signal.SIGKILL)

    run = pull(leadloop_store, leadloop_plugins, progress=kill_the_writer)
    assert run["outcome"] == "failed"
    assert "page writer process" in run["error"] and "exit status -9" in run["error"], run["error"]
    assert 0 < stored(leadloop_store)[0] < 600
    assert writers(os.getpid()) == []

    next_run_stores_each_once(leadloop_store, leadloop_plugins, 600)


def test_the_job_checkpoints_the_log_while_it_waits_for_the_writer(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MODE_ENV, "process")
    monkeypatch.setattr("leadloop.sync.writer.BACKLOG", 100)  # one page in flight: the job waits before each next one
    fake.source.seed(500)
    apply(fake.url, page_size=100)
    commits: list[int] = []
    checkpoints_at: list[int] = []  # pages committed when the job checkpointed
    checkpoint_wal = Store.checkpoint_wal

    def counted(self: Store) -> None:
        checkpoints_at.append(len(commits))
        checkpoint_wal(self)

    monkeypatch.setattr(Store, "checkpoint_wal", counted)
    run = pull(leadloop_store, leadloop_plugins, progress=lambda stats: commits.append(stats.written))
    assert run["outcome"] == "ok", run["error"]
    assert stored(leadloop_store) == (500, 500)
    # The first page commits in the job; each wait after the writer committed more checkpoints once.
    assert checkpoints_at and checkpoints_at == sorted(set(checkpoints_at)) and checkpoints_at[0] >= 2


@pytest.mark.slow
def test_a_killed_job_leaves_no_writer_behind_and_the_next_run_loses_nothing(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins,
    leadloop_env: dict[str, str],
) -> None:
    fake.source.seed(2000)
    fake.source.faults.rate_stall, fake.source.faults.stall_seconds = 1.0, 0.1  # every page takes 0.1 s
    apply(fake.url, page_size=100)
    assert pull(leadloop_store, leadloop_plugins)["outcome"] == "ok"  # stores a token; then start over
    start_over(leadloop_store)

    job = subprocess.Popen([sys.executable, "-m", "leadloop.testing.crash", "acme", "src", "pull", "0"],
                           env={**leadloop_env, MODE_ENV: "process"}, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not (writers(job.pid) and stored(leadloop_store)[0] >= 300):
            assert job.poll() is None and time.monotonic() < deadline, "the job ended before it could be killed"
            time.sleep(0.02)
        writer = writers(job.pid)[0]
        job.kill()
    finally:
        job.kill()
        job.wait()
    deadline = time.monotonic() + 10
    while writer in writers():
        assert time.monotonic() < deadline, "the page writer outlived its job"
        time.sleep(0.02)
    assert stored(leadloop_store)[0] < 2000

    fake.source.faults.rate_stall = 0.0
    next_run_stores_each_once(leadloop_store, leadloop_plugins, 2000)


def test_an_unknown_writer_mode_is_refused_naming_the_variable(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MODE_ENV, "threads")
    fake.source.seed(10)
    apply(fake.url)
    run = pull(leadloop_store, leadloop_plugins)
    assert run["outcome"] == "failed"
    assert f"{MODE_ENV}='threads'" in run["error"] and "auto, inline, process" in run["error"]


# -- how the writer process gathers pages into transactions


def page_of(records: int) -> PageWork:
    return PageWork(object_type="lead", watermark={}, counted={}, mapped=records)


def gathered(frames: list[bytes], *, close: bool = False, later: Sequence[bytes] = ()) -> list[int]:
    """The sizes of the pages the writer would commit next, given the frames the job sent so far (and
    ``later`` ones sent once the writer has started gathering)."""
    source, sink = os.pipe()
    try:
        for frame in frames:
            writer_module._write_frame(sink, frame)
        if close:
            os.close(sink)
        found: list[list[PageWork]] = []
        reading = threading.Thread(target=lambda: found.append([*writer_module._group(source)]), daemon=True)
        reading.start()
        time.sleep(0.1 if later else 0)
        for frame in later:
            writer_module._write_frame(sink, frame)
        reading.join(timeout=60)
        assert found, "the writer waited on with pages in hand"
        return [page.mapped for page in found[0]]
    finally:
        os.close(source)
        if not close:
            os.close(sink)


def test_the_writer_gathers_pages_until_a_group_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_module, "HOLD_SECONDS", 30.0)
    page = writer_module._dumps(page_of(2000))
    # 6,000 records reach the group: the pages sent while the first waited join it, the fourth waits
    assert gathered([page], later=[page, page, page]) == [2000, 2000, 2000]


def test_the_writer_commits_at_once_what_the_job_waits_for_or_leaves() -> None:
    page = writer_module._dumps(page_of(100))
    assert gathered([page, page, writer_module._COMMIT_NOW, page]) == [100, 100]
    assert gathered([writer_module._COMMIT_NOW, page, writer_module._COMMIT_NOW]) == [100]
    assert gathered([page], close=True) == [100]
    assert gathered([], close=True) == []


def test_the_writer_holds_a_page_of_a_slow_source_only_so_long() -> None:
    assert gathered([writer_module._dumps(page_of(100))]) == [100]  # nothing follows: committed anyway
