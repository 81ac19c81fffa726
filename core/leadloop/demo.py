"""The demo: a tenant applied to a fresh embedded store, shown through the same code the CLI uses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from .cli.app import App
from .config import load_tenant_file
from .tenants import apply_tenant

DEMO_TENANT = {
    "tenant": "demo",
    "name": "Demo Networks",
    "connectors": {
        "crm": {
            "type": "salesforce",
            "settings": {"login_url": "http://127.0.0.1:8701", "client_id": "demo-client"},
            "secrets": {"refresh_token": {"value": "demo-refresh-token"}},
            "uniqueness": "email+campaign",
            "jobs": {"pull": {"every": "5m"}, "push": {"every": "1m"}},
        },
        "tradeshows": {
            "type": "csv_sftp",
            "settings": {
                "host": "127.0.0.1",
                "port": 8702,
                "username": "demo",
                "known_hosts": "[127.0.0.1]:8702 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoKeyReplacedWhenTheSandboxStarts",
                "directory": "/inbox",
            },
            "secrets": {"password": {"value": "demo-password"}},
            "jobs": {"pull": {"every": "1m"}},
        },
    },
}


def run_demo(app: App, home: Path, echo: Callable[[str], None]) -> None:
    tenant_file = home / "demo-tenant.yaml"
    tenant_file.write_text(yaml.safe_dump(DEMO_TENANT, sort_keys=False), encoding="utf-8")
    echo(f"leadloop demo in {home} (SQLite: {app.store.url})")

    echo("\n== plugins loaded from the 'leadloop' entry-point group")
    for plugin in app.plugins.describe():
        connectors = ", ".join(c["name"] for c in plugin["connectors"]) or "-"
        echo(f"  {plugin['name']:<12} {plugin['distribution']} {plugin['version']}  connectors: {connectors}")

    tenant = load_tenant_file(tenant_file, app.plugins)
    result = apply_tenant(app.store, app.box, tenant)
    echo(f"\n== applied {tenant_file.name}: tenant {tenant.id!r}, {result.created} connectors, "
         f"{result.secrets} secrets stored encrypted")
    for connector in app.store.tenant(tenant.id).list_connectors():
        jobs = ", ".join(f"{k} every {v['every_seconds']}s" for k, v in connector.jobs.items())
        echo(f"  {connector.name:<12} {connector.type:<11} uniqueness={connector.uniqueness:<15} {jobs}")
