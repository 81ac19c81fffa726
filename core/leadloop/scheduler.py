"""The scheduler: every tick, find due jobs and hand them to an executor.

The database is the source of truth for schedules, leases and runs, so any number of schedulers
may tick against one database: a job's lease and its "still due?" check (both in
:func:`leadloop.sync.runner.run_job`) make sure it runs once.

Executors: ``inline`` (the embedded default) runs jobs on a small thread pool in this process;
``celery`` only dispatches, and ``leadloop worker`` processes run the jobs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Protocol

from .plugins import Plugins
from .store import Store
from .sync import leases
from .sync.runner import RunResult, run_job
from .sync.schedule import DueJob, due

log = logging.getLogger("leadloop.scheduler")


class Executor(Protocol):
    def submit(self, job: DueJob) -> None: ...

    def shutdown(self) -> None: ...


class InlineExecutor:
    """Runs due jobs on ``workers`` threads; a job already in flight here is not submitted twice."""

    def __init__(self, store: Store, plugins: Plugins, stop: threading.Event, workers: int = 4,
                 on_done: Callable[[DueJob, RunResult], None] | None = None) -> None:
        self._store = store
        self._plugins = plugins
        self._stop = stop
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="leadloop-job")
        self._in_flight: set[DueJob] = set()
        self._lock = threading.Lock()
        self._holder = leases.new_holder()
        self._on_done = on_done

    def submit(self, job: DueJob) -> None:
        with self._lock:
            if job in self._in_flight:
                return
            self._in_flight.add(job)
        future = self._pool.submit(run_job, self._store, self._plugins, job.tenant, job.connector, job.job,
                                   holder=self._holder, due_only=True, stop=self._stop)
        future.add_done_callback(partial(self._done, job))

    def _done(self, job: DueJob, future: Future[RunResult]) -> None:
        with self._lock:
            self._in_flight.discard(job)
        error = future.exception()
        if error is not None:
            log.error("job %s/%s/%s failed to run: %s", job.tenant, job.connector, job.job, error)
        elif self._on_done is not None:
            self._on_done(job, future.result())

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


class Scheduler:
    def __init__(self, store: Store, executor: Executor, stop: threading.Event, tick_seconds: float = 1.0) -> None:
        self.store = store
        self.executor = executor
        self.stop = stop
        self.tick_seconds = tick_seconds

    def tick(self) -> list[DueJob]:
        jobs = due(self.store)
        for job in jobs:
            self.executor.submit(job)
        return jobs

    def run(self, *, once: bool = False) -> None:
        """Tick until stopped; with ``once``, dispatch what is due now, wait for it, and return."""
        try:
            while not self.stop.is_set():
                self.tick()
                if once:
                    break
                self.stop.wait(self.tick_seconds)
        finally:
            self.executor.shutdown()
