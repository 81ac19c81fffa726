"""The scale-out path: a real Celery worker process, the local Redis as broker."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from leadloop.celery_app import CeleryExecutor
from leadloop.store import Store
from leadloop.sync.schedule import DueJob, due
from leadloop.testing.fakeserver import Running

pytestmark = pytest.mark.slow


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def celery_env(leadloop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    if not redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is not listening on 127.0.0.1:6379; .ci/run should have started it")
        pytest.skip("no Redis on 127.0.0.1:6379")
    extra = {"LEADLOOP_CELERY_BROKER": "redis://127.0.0.1:6379/15",
             "LEADLOOP_CELERY_QUEUE": f"leadloop-test-{uuid.uuid4().hex[:8]}"}
    for key, value in extra.items():
        monkeypatch.setenv(key, value)
    return {**leadloop_env, **extra}


@pytest.fixture
def worker(celery_env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, "-m", "leadloop.cli", "worker", "--concurrency", "1"], env=celery_env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield proc
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_a_dispatched_job_runs_on_a_celery_worker_and_shows_in_runs_list(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, celery_env: dict[str, str],
    worker: subprocess.Popen[str],
) -> None:
    fake.source.seed(120)
    apply(fake.url, page_size=50, jobs={"pull": {"every": "1h"}})
    assert due(leadloop_store) == [DueJob("acme", "src", "pull")]
    executor = CeleryExecutor()
    executor.submit(DueJob("acme", "src", "pull"))
    executor.shutdown()

    deadline = time.monotonic() + 90
    while leadloop_store.tenant("acme").count_leads() < 120 or due(leadloop_store):
        assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
        assert time.monotonic() < deadline, "the worker did not run the job in time"
        time.sleep(0.2)

    listed = subprocess.run([sys.executable, "-m", "leadloop.cli", "runs", "list", "--json"], env=celery_env,
                            capture_output=True, text=True, timeout=60, check=True)
    runs = json.loads(listed.stdout)
    deadline = time.monotonic() + 30
    while runs[0]["outcome"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
        runs = json.loads(subprocess.run([sys.executable, "-m", "leadloop.cli", "runs", "list", "--json"],
                                         env=celery_env, capture_output=True, text=True, check=True).stdout)
    assert [(r["tenant"], r["connector"], r["job"], r["outcome"]) for r in runs] == [("acme", "src", "pull", "ok")]
    assert runs[0]["records_read"] >= 120 and runs[0]["pages"] == 3
