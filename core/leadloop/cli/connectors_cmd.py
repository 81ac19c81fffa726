from __future__ import annotations

import click

from ..errors import ConfigError
from .app import App
from .output import emit, json_option


@click.group("connectors")
def connectors_group() -> None:
    """A tenant's connectors: list them, switch them on and off."""


@connectors_group.command("list")
@click.option("--tenant", "tenant_id", help="Only this tenant's connectors.")
@json_option
@click.pass_obj
def connectors_list(app: App, tenant_id: str | None, as_json: bool) -> None:
    """List connectors (settings shown, secrets never)."""
    tenant_ids = [tenant_id] if tenant_id else [t.id for t in app.store.list_tenants()]
    known = {t.id for t in app.store.list_tenants()}
    if tenant_id and tenant_id not in known:
        raise ConfigError(f"no tenant {tenant_id!r} (known: {', '.join(sorted(known)) or 'none'})")
    rows = []
    for tid in tenant_ids:
        for c in app.store.tenant(tid).list_connectors():
            rows.append(
                {
                    "tenant": tid,
                    "name": c.name,
                    "type": c.type,
                    "enabled": c.enabled,
                    "state": c.state,
                    "state_reason": c.state_reason,
                    "uniqueness": c.uniqueness,
                    "jobs": {kind: spec for kind, spec in c.jobs.items()},
                    "settings": c.settings,
                }
            )
    if as_json:
        emit(rows, [], as_json=True)
        return
    table = [{**r, "enabled": "yes" if r["enabled"] else "no", "jobs": ", ".join(sorted(r["jobs"]))}  # type: ignore[call-overload]
             for r in rows]
    emit(table, ["tenant", "name", "type", "enabled", "state", "uniqueness", "jobs"], as_json=False,
         title="Connectors")


def _switch(app: App, tenant_id: str, name: str, enabled: bool) -> None:
    app.store.tenant(tenant_id).set_connector_enabled(name, enabled)
    click.echo(f"connector {name!r} of tenant {tenant_id!r} {'enabled' if enabled else 'disabled'}")


@connectors_group.command("enable")
@click.argument("tenant_id", metavar="TENANT")
@click.argument("name", metavar="CONNECTOR")
@click.pass_obj
def connectors_enable(app: App, tenant_id: str, name: str) -> None:
    """Let the scheduler run CONNECTOR's jobs again."""
    _switch(app, tenant_id, name, True)


@connectors_group.command("disable")
@click.argument("tenant_id", metavar="TENANT")
@click.argument("name", metavar="CONNECTOR")
@click.pass_obj
def connectors_disable(app: App, tenant_id: str, name: str) -> None:
    """Stop the scheduler running CONNECTOR's jobs (its data and checkpoints stay)."""
    _switch(app, tenant_id, name, False)
