"""Run one job and SIGKILL this process at its Nth database event: crash tests for connectors.

``python -m leadloop.testing.crash TENANT CONNECTOR JOB KILL_AT`` with the store, secret key and
plugins taken from the environment, as ``leadloop jobs run`` would. Events are every statement sent
and every commit, of every engine in the process (the sync engine's and any a connector opens), in
order, so the Nth lands anywhere: between fetching a page and committing it, between the statements
of a commit, or just after one. ``KILL_AT`` 0 runs to the end and prints the outcome and how many
events there were, so a test can spread its kill points over a whole run.
"""

from __future__ import annotations

import os
import signal
import sys

from sqlalchemy import Engine, event

from ..plugins import load
from ..store import Store
from ..sync.retry import RetryPolicy
from ..sync.runner import run_job


def main(argv: list[str]) -> None:
    tenant, connector, job, kill_at = argv[0], argv[1], argv[2], int(argv[3])
    seen = 0

    def tick(*_args: object) -> None:
        nonlocal seen
        seen += 1
        if seen == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(Engine, "before_cursor_execute", tick)
    event.listen(Engine, "commit", tick)
    result = run_job(Store.open(), load(), tenant, connector, job, retry=RetryPolicy(base=0.01, cap=0.05))
    print(f"{result.outcome} {seen}")


if __name__ == "__main__":
    main(sys.argv[1:])
