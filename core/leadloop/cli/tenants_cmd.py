from __future__ import annotations

import click

from .app import App
from .output import emit, json_option


@click.group("tenants")
def tenants_group() -> None:
    """Tenants: one vendor's space each."""


@tenants_group.command("list")
@json_option
@click.pass_obj
def tenants_list(app: App, as_json: bool) -> None:
    """List tenants with their connector counts."""
    rows = []
    for t in app.store.list_tenants():
        connectors = app.store.tenant(t.id).list_connectors()
        rows.append(
            {
                "id": t.id,
                "name": t.name,
                "connectors": len(connectors),
                "enabled": sum(1 for c in connectors if c.enabled),
            }
        )
    emit(rows, ["id", "name", "connectors", "enabled"], as_json=as_json, title="Tenants")
