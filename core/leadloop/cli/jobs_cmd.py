from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from ..errors import LeadloopError
from .app import App
from .output import emit, json_option


def _stop_on_sigterm() -> threading.Event:
    """SIGTERM (and Ctrl-C) ask running jobs to stop after their current page."""
    stop = threading.Event()

    def handler(signum: int, _frame: Any) -> None:
        click.echo(f"received {signal.Signals(signum).name}: finishing the current page, then stopping", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


@click.group("scheduler")
def scheduler_group() -> None:
    """Run connector jobs on their schedules."""


@scheduler_group.command("run")
@click.option("--once", is_flag=True, help="Run what is due now, wait for it, and exit.")
@click.option("--executor", type=click.Choice(["inline", "celery"]), default="inline", show_default=True,
              help="inline: run jobs in this process; celery: dispatch them to `leadloop worker`s.")
@click.option("--workers", default=4, show_default=True, help="Threads of the inline executor.")
@click.option("--tick", "tick_seconds", default=1.0, show_default=True, help="Seconds between ticks.")
@click.pass_obj
def scheduler_run(app: App, once: bool, executor: str, workers: int, tick_seconds: float) -> None:
    """Tick in the foreground until SIGTERM (which lets running jobs finish their current page)."""
    from ..scheduler import InlineExecutor, Scheduler

    stop = _stop_on_sigterm()
    if executor == "celery":
        from ..celery_app import CeleryExecutor

        chosen: Any = CeleryExecutor()
    else:
        def report(job: Any, result: Any) -> None:
            click.echo(f"{job.tenant}/{job.connector}/{job.job}: {result.outcome}"
                       + (f" (run {result.run_id})" if result.run_id else "")
                       + (f": {result.error}" if result.error else ""))

        chosen = InlineExecutor(app.store, app.plugins, stop, workers=workers, on_done=report)
    Scheduler(app.store, chosen, stop, tick_seconds).run(once=once)


@click.group("jobs")
def jobs_group() -> None:
    """Run one connector job by hand."""


@jobs_group.command("run")
@click.argument("tenant")
@click.argument("connector")
@click.argument("job", type=click.Choice(["pull", "push", "sweep"]))
@click.pass_obj
def jobs_run(app: App, tenant: str, connector: str, job: str) -> None:
    """Run JOB of CONNECTOR for TENANT now (whatever its schedule) and report the run."""
    from ..sync.runner import run_job

    stop = _stop_on_sigterm()
    with _progress(enabled=sys.stderr.isatty()) as progress:
        result = run_job(app.store, app.plugins, tenant, connector, job, stop=stop, progress=progress)
    if result.run_id is None:
        raise LeadloopError(f"{tenant}/{connector}/{job} did not run: {result.error}")
    _show_run(app, result.run_id)
    if result.outcome not in ("ok", "cancelled"):
        sys.exit(1)


@contextmanager
def _progress(*, enabled: bool) -> Iterator[Callable[[Any], None] | None]:
    """A live line of the run's counters on a terminal; nothing when output is piped."""
    if not enabled:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True) as bar:
        task = bar.add_task("starting")

        def update(stats: Any) -> None:
            bar.update(task, description=f"pages {stats.pages}  read {stats.read}  written {stats.written}  "
                                         f"failed {stats.failed}  api calls {stats.api_calls}")

        yield update


@click.group("runs")
def runs_group() -> None:
    """Run history."""


RUN_COLUMNS = ["id", "tenant", "connector", "job", "outcome", "started_at", "ended_at", "pages",
               "records_read", "records_written", "records_skipped", "records_failed", "api_calls", "error"]
TABLE_COLUMNS = ["id", "tenant", "connector", "job", "outcome", "started_at", "pages", "read", "written", "failed",
                 "calls"]
"""What fits a terminal; `runs show` and `--json` give every field."""


@runs_group.command("list")
@click.option("--tenant", help="Only this tenant's runs.")
@click.option("--connector", help="Only this connector's runs.")
@click.option("--limit", default=20, show_default=True)
@json_option
@click.pass_obj
def runs_list(app: App, tenant: str | None, connector: str | None, limit: int, as_json: bool) -> None:
    """The latest runs, newest first."""
    from ..sync.runs import recent

    rows = recent(app.store, tenant=tenant, connector=connector, limit=limit)
    if not rows and not as_json:
        click.echo("no runs yet (leadloop jobs run TENANT CONNECTOR pull starts one)")
        return
    table = [{**r, "read": r["records_read"], "written": r["records_written"], "failed": r["records_failed"],
              "calls": r["api_calls"]} for r in rows]
    emit(rows if as_json else table, TABLE_COLUMNS, as_json=as_json, title="Runs")


@runs_group.command("show")
@click.argument("run_id", type=int)
@json_option
@click.pass_obj
def runs_show(app: App, run_id: int, as_json: bool) -> None:
    """One run in full, with the records it rejected."""
    _show_run(app, run_id, as_json=as_json)


def _show_run(app: App, run_id: int, *, as_json: bool = False) -> None:
    from ..sync.runs import get

    run = get(app.store, run_id)
    if as_json:
        emit([run], [], as_json=True)
        return
    for column in RUN_COLUMNS:
        if run.get(column) not in (None, ""):
            click.echo(f"{column.replace('_', ' '):>16}: {run[column]}")
    for reject in run["rejects"][:20]:
        click.echo(f"{'rejected':>16}: {reject['record']}: {reject['field']}: {reject['reason']}")
    if len(run["rejects"]) > 20:
        click.echo(f"{'':>16}  ... and {len(run['rejects']) - 20} more (runs show {run_id} --json)")


@click.command("worker")
@click.option("--concurrency", default=2, show_default=True)
def worker_cmd(concurrency: int) -> None:
    """Start a Celery worker that runs jobs the scheduler dispatches (broker: LEADLOOP_CELERY_BROKER)."""
    from ..celery_app import make_app

    app = make_app()
    app.worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency}", "--without-gossip",
                     "--without-mingle", "-Q", app.conf.task_default_queue])
