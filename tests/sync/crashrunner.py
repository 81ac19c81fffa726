"""Runs one job in this process and SIGKILLs itself at the Nth database event.

Events are every statement sent and every commit, in order, so the Nth event lands anywhere: between
fetching a page and committing it, between the statements of a commit, or just after one. Used as
``python crashrunner.py TENANT CONNECTOR JOB KILL_AT`` with the store and plugins from the
environment; KILL_AT 0 runs to the end and prints how many events there were.
"""

from __future__ import annotations

import os
import signal
import sys

from sqlalchemy import event

from leadloop.plugins import load
from leadloop.store import Store
from leadloop.sync.retry import RetryPolicy
from leadloop.sync.runner import run_job


def main(tenant: str, connector: str, job: str, kill_at: int) -> None:
    store = Store.open()
    seen = 0

    def tick(*_args: object) -> None:
        nonlocal seen
        seen += 1
        if seen == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(store.engine, "before_cursor_execute", tick)
    event.listen(store.engine, "commit", tick)
    result = run_job(store, load(), tenant, connector, job, retry=RetryPolicy(base=0.01, cap=0.05))
    print(f"{result.outcome} {seen}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
