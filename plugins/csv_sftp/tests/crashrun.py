"""Runs the csv_sftp connector's pull in this process and SIGKILLs itself at the Nth database event.

Events are every statement and every commit of every engine (the sync engine's and the connector's
own), so the Nth lands anywhere: mid-page, inside a commit, between the last commit and the file's
move. ``python crashrun.py TENANT CONNECTOR KILL_AT`` with the store and secrets from the
environment; KILL_AT 0 runs to the end and prints the outcome and how many events there were.
"""

from __future__ import annotations

import os
import signal
import sys

from leadloop.plugins import load
from leadloop.store import Store
from leadloop.sync.retry import RetryPolicy
from leadloop.sync.runner import run_job
from sqlalchemy import Engine, event


def main(tenant: str, connector: str, kill_at: int) -> None:
    seen = 0

    def tick(*_args: object) -> None:
        nonlocal seen
        seen += 1
        if seen == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(Engine, "before_cursor_execute", tick)
    event.listen(Engine, "commit", tick)
    result = run_job(Store.open(), load(), tenant, connector, "pull", retry=RetryPolicy(attempts=1))
    print(f"{result.outcome} {seen}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
