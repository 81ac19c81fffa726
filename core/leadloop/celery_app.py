"""The scale-out path: the scheduler dispatches due jobs to Celery, ``leadloop worker`` runs them.

Broker from ``LEADLOOP_CELERY_BROKER`` (default ``redis://127.0.0.1:6379/0``). Tasks are
acknowledged late (after they ran): jobs are idempotent, so a worker lost mid-job just means the
job runs again elsewhere; the lease stops it running twice at once.
"""

from __future__ import annotations

import os
import time

from celery import Celery

from .sync.schedule import DueJob

TASK = "leadloop.run_job"


def make_app() -> Celery:
    app = Celery("leadloop", broker=os.environ.get("LEADLOOP_CELERY_BROKER", "redis://127.0.0.1:6379/0"))
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        task_default_queue=os.environ.get("LEADLOOP_CELERY_QUEUE", "leadloop"),
    )

    @app.task(name=TASK)
    def run_job_task(tenant: str, connector: str, job: str) -> str:
        from .plugins import load
        from .store import Store
        from .sync.runner import run_job

        store = Store.open()
        try:
            return run_job(store, load(), tenant, connector, job, due_only=True).outcome
        finally:
            store.close()

    return app


class CeleryExecutor:
    """Sends each due job to the queue. A job stays due until a worker claims it, so it is not
    sent again for ``resend_after`` seconds; should two copies still meet, the lease and the
    worker's "still due?" check let one of them run."""

    def __init__(self, resend_after: float = 60.0) -> None:
        self.app = make_app()
        self.resend_after = resend_after
        self._sent: dict[DueJob, float] = {}

    def submit(self, job: DueJob) -> None:
        now = time.monotonic()
        if now - self._sent.get(job, -self.resend_after) < self.resend_after:
            return
        self._sent[job] = now
        self.app.send_task(TASK, args=[job.tenant, job.connector, job.job])

    def shutdown(self) -> None:
        self.app.close()
