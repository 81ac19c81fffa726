"""``leadloop import`` and ``leadloop export``: leads from and to CSV/XLSX files.

Both live in the csv_sftp plugin (its readers, the same engine as an SFTP drop, its formula-safe
writers); these commands are their command line.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from ..errors import ConfigError, LeadloopError
from .app import App

CSV_SFTP = "leadloop-csv-sftp"


def plugin_module(module: str, distribution: str) -> ModuleType:
    """A plugin's module, or a :class:`ConfigError` saying which distribution to install."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module.partition(".")[0]:
            raise
        raise ConfigError(f"this command needs the {distribution} plugin: pip install {distribution}") from None


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", required=True, help="Tenant the leads belong to.")
@click.option("--connector", help="The tenant's csv_sftp connector whose mapping and settings apply "
              "(default: its only one).")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the error report goes (default: beside FILE).")
@click.pass_obj
def import_cmd(app: App, file: Path, tenant: str, connector: str | None, report_dir: Path | None) -> None:
    """Import a local CSV or XLSX file of leads, as an SFTP drop would be imported."""
    local = plugin_module("leadloop_csv_sftp.local", CSV_SFTP)
    with _bar(enabled=sys.stderr.isatty(), label=file.name) as progress:
        result = local.import_file(app.store, app.plugins, app.box, tenant, file.resolve(), connector=connector,
                                   report_dir=report_dir, progress=progress)
    _summary(result)
    if result.outcome != "ok" or (result.file is not None and result.file.status == "failed"):
        sys.exit(1)


def _summary(result: Any) -> None:
    done = result.file
    echo = click.echo
    echo(f"import run {result.run_id} through connector {result.connector!r}: {result.outcome}")
    if done is None:
        return
    if done.resumed_after:
        echo(f"  resumed after row {done.resumed_after} (an earlier import of this file was interrupted)")
    if done.status == "failed":
        echo(f"  not imported: {done.reason}")
        return
    duplicate = done.rows if done.status == "duplicate" else 0
    rows = [
        ("read", 0 if duplicate else done.rows),
        ("imported", result.imported),
        ("updated", result.updated),
        ("skipped as duplicate", duplicate),
        ("rejected", done.rejected_rows),
    ]
    for label, value in rows:
        echo(f"  {label:>21}: {value:,}")
    if duplicate:
        echo(f"  {done.reason}")
    for report in done.reports:
        echo(f"  {'error report':>21}: {report}")


@contextmanager
def _bar(*, enabled: bool, label: str) -> Iterator[Callable[[Any, int, int], None] | None]:
    """A progress bar over the file's bytes on a terminal; nothing when output is piped."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  TextColumn("{task.fields[rows]}"), transient=True) as bar:
        task = bar.add_task(label, total=None, rows="")

        def update(stats: Any, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total,
                       rows=f"{stats.read:,} rows, {stats.written:,} stored, {stats.failed:,} problems")

        yield update


@click.command("export")
@click.option("--tenant", required=True, help="Tenant whose leads to export.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("-o", "--output", help="File to write (default: <tenant>-leads.<format>; '-': standard output).")
@click.pass_obj
def export_cmd(app: App, tenant: str, fmt: str, output: str | None) -> None:
    """Export a tenant's leads; cells a spreadsheet would run as formulas are written as text."""
    lead_export = plugin_module("leadloop_csv_sftp.lead_export", CSV_SFTP)
    if not any(t.id == tenant for t in app.store.list_tenants()):
        raise LeadloopError(f"no tenant {tenant!r} (leadloop tenants list shows them)")
    target = output or f"{tenant}-leads.{fmt}"
    if target == "-":
        stream = sys.stdout.buffer
        count = lead_export.export_leads(app.store, tenant, stream, fmt)
        stream.flush()
        click.echo(f"{count:,} leads exported", err=True)
        return
    count = lead_export.export_leads(app.store, tenant, target, fmt)
    click.echo(f"{count:,} leads of tenant {tenant!r} exported to {target}")
