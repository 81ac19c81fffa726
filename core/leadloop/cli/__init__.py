"""``leadloop``: the admin's command line.

Every listing takes ``--json``. Errors print as ``error: ...`` lines on stderr with a non-zero exit;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys

import click

from ..errors import LeadloopError
from .app import App
from .config_cmd import apply_cmd, config_group
from .connectors_cmd import connectors_group
from .demo_cmd import demo_cmd
from .files_cmd import export_cmd, import_cmd
from .jobs_cmd import jobs_group, runs_group, scheduler_group, worker_cmd
from .mapping_cmd import mapping_group
from .plugins_cmd import plugins_group
from .sandbox_cmd import sandbox_group
from .tenants_cmd import tenants_group


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except LeadloopError as exc:
            if ctx.meta.get("leadloop.debug"):
                raise
            for line in str(exc).splitlines():
                click.echo(f"error: {line}" if not line.startswith("  ") else f"error: {line.strip()}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="leadloop")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """leadloop: pull leads in, route them to partners, close the loop."""
    ctx.meta["leadloop.debug"] = debug
    ctx.obj = App()


for command in (plugins_group, tenants_group, connectors_group, config_group, apply_cmd, demo_cmd,
                scheduler_group, jobs_group, runs_group, worker_cmd, import_cmd, export_cmd, sandbox_group,
                mapping_group):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="leadloop")
