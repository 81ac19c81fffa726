from __future__ import annotations

from pathlib import Path

import click

from ..config import load_tenant_file
from ..errors import ConfigError, Problem
from .app import App


@click.group("config")
def config_group() -> None:
    """Check tenant files before applying them."""


@config_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def config_check(app: App, files: tuple[Path, ...]) -> None:
    """Check tenant FILES; report every problem with file, line, path and reason."""
    problems = []
    for path in files:
        try:
            tenant = load_tenant_file(path, app.plugins)
        except ConfigError as exc:
            problems.extend(exc.problems or [Problem(str(path), "", str(exc))])
            continue
        click.echo(f"{path}: ok (tenant {tenant.id!r}, {len(tenant.connectors)} connector(s))")
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) found", problems)


@click.command("apply")
@click.option("-f", "--file", "path", required=True, type=click.Path(path_type=Path), help="Tenant file.")
@click.pass_obj
def apply_cmd(app: App, path: Path) -> None:
    """Create or update a tenant and its connectors from a tenant file."""
    from ..tenants import apply_tenant

    tenant = load_tenant_file(path, app.plugins)
    result = apply_tenant(app.store, app.box, tenant)
    click.echo(
        f"applied tenant {tenant.id!r}: {result.created} connector(s) created, {result.updated} updated, "
        f"{result.secrets} secret(s) stored encrypted"
    )
