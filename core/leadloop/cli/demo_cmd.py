from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from .app import App


@click.command("demo")
@click.option("--home", type=click.Path(path_type=Path), help="Keep the demo's files here (default: a temporary folder).")
@click.pass_context
def demo_cmd(ctx: click.Context, home: Path | None) -> None:
    """Run the demo on the embedded default: SQLite, in-process, local sandboxes only."""
    from ..demo import run_demo

    with tempfile.TemporaryDirectory(prefix="leadloop-demo-") as tmp:
        where = home or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        os.environ["LEADLOOP_HOME"] = str(where)
        os.environ.pop("LEADLOOP_DATABASE_URL", None)
        ctx.obj = App()
        run_demo(ctx.obj, where, echo=click.echo)
