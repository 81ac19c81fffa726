from __future__ import annotations

import click

from .app import App
from .output import emit, json_option


@click.group("plugins")
def plugins_group() -> None:
    """Installed plugins and the connector types they offer."""


@plugins_group.command("list")
@json_option
@click.pass_obj
def plugins_list(app: App, as_json: bool) -> None:
    """List loaded plugins (entry-point group 'leadloop')."""
    described = app.plugins.describe()
    if as_json:
        emit(described, [], as_json=True)
        return
    rows = [
        {
            "name": p["name"],
            "distribution": f"{p['distribution']} {p['version']}",
            "builtin": "yes" if p["builtin"] else "",
            "connectors": [c["name"] for c in p["connectors"]],
            "hooks": [h.removeprefix("leadloop_") for h in p["hooks"]],
        }
        for p in described
    ]
    emit(rows, ["name", "distribution", "builtin", "connectors", "hooks"], as_json=False, title="Plugins")
