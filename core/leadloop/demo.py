"""The demo: a tenant applied to a fresh embedded store, shown through the same code the CLI uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from .cli.app import App
from .config import load_tenant_file
from .errors import FatalError
from .store.tables import opportunities
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
                "completion": "done_marker",
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
    demo_sftp(app, home, echo)
    demo_salesforce(app, home, echo)


# -- the SFTP drop folder --------------------------------------------------------------------------

TRADE_SHOW_FILE = "cebit-2026-leads.csv"
TRADE_SHOW_ROWS = """\
First Name,Last Name,Company,Job Title,E-mail,Phone,Country,State,Employees,Products,Notes,Campaign,RecordAssignTo,AccessType
Anna,Müller,Acme Systems GmbH,Head of IT,anna.mueller@acme.example,+49 30 1234567,Germany,BE,1200,Routers; Switches,"Met at booth B12.
Wants a demo in March.",CEBIT-2026,,
Ben,Okafor,Northwind Traders,CTO,ben@northwind.example,+1 415 555 0100,USA,CA,85,Firewalls,Asked for pricing,CEBIT-2026,,
Chloé,Durand,Gamma Réseaux SA,Network Architect,chloe.durand@gamma.example,+33 1 23 45 67 89,fr,,430,Switches,,CEBIT-2026,emea-resellers,Group
Dev,Patel,Contoso Ltd,Procurement,dev.patel@contoso.example,,United Kingdom,,50,,Existing customer,CEBIT-2026,jane@partner.example,user
Eva,Novak,Initech,IT Manager,eva.novak(at)initech.example,,Czechia,,200,Routers,Typed the email by hand,CEBIT-2026,,
Frank,Berg,,Consultant,frank@berg.example,,Norway,,3,,No company given,CEBIT-2026,,
Gina,Rossi,Umbrella SpA,CIO,gina.rossi@umbrella.example,,Atlantis,,many,Switches,,CEBIT-2026,,
Hiro,Tanaka,Tanaka Trading,Owner,hiro@tanaka.example,,JP,,12,Firewalls,Badge scanned twice,CEBIT-2026,tom@partner.example,Team
Ivy,Chen,Globex Corp,VP Engineering,ivy.chen@globex.example,+1 212 555 0199,US,NY,5000,Routers; Firewalls,Big opportunity,CEBIT-2026,,
"""


def demo_sftp(app: App, home: Path, echo: Callable[[str], None]) -> None:
    """A trade-show file dropped on the SFTP sandbox and imported by the csv_sftp connector's pull job."""
    from leadloop_csv_sftp import sandbox

    from .sync.runner import run_job
    from .sync.runs import get

    root = home / "sftp"
    inbox = root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    tenant_file = home / "demo-tenant.yaml"
    with sandbox.start(root, users={"demo": "demo-password"}) as server:
        echo(f"\n== SFTP drop folder: sandbox on 127.0.0.1:{server.port} serving {root} (user 'demo')")
        document = yaml.safe_load(tenant_file.read_text(encoding="utf-8"))
        settings = document["connectors"]["tradeshows"]["settings"]
        settings.update(port=server.port, known_hosts=server.host_key_line)
        tenant_file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        apply_tenant(app.store, app.box, load_tenant_file(tenant_file, app.plugins))
        echo(f"  pointed 'tradeshows' at it in {tenant_file.name}: known_hosts {server.host_key_line[:60]}...")
        (inbox / TRADE_SHOW_FILE).write_text(TRADE_SHOW_ROWS, encoding="utf-8")
        (inbox / f"{TRADE_SHOW_FILE}.done").touch()
        echo(f"  dropped inbox/{TRADE_SHOW_FILE} (9 leads from a trade show, some typed badly) and its .done marker")

        run = _pull(app, run_job, get)
        echo(f"\n== pull job of 'tradeshows' (run {run['id']}): {run['outcome']}, {run['records_read']} rows read, "
             f"{run['records_written']} leads stored")
        for lead in sorted(app.store.tenant("demo").list_leads(), key=lambda lead: lead["email"]):
            assigned = lead["custom"].get("assign_to")
            direct = f"  -> {lead['custom']['access_type']} {assigned} (direct)" if assigned else ""
            echo(f"  lead  {lead['first_name']} {lead['last_name']} <{lead['email']}>, {lead['company']}, "
                 f"{lead['address_country']}{direct}")
        for reject in run["rejects"]:
            echo(f"  rejected {reject['record']}: {reject['field']}: {reject['reason']}")
        reports = sorted(p.relative_to(root).as_posix() for p in (inbox / "errors").iterdir())
        echo(f"  error report (row, field, reason, value): {', '.join(reports)}")
        echo(f"  the file moved to inbox/processed/; leadloop runs show {run['id']} shows the same")

        copy = f"{TRADE_SHOW_FILE.removesuffix('.csv')}-again.csv"
        (inbox / copy).write_text(TRADE_SHOW_ROWS, encoding="utf-8")
        (inbox / f"{copy}.done").touch()
        again = _pull(app, run_job, get)
        echo(f"\n== the same content dropped again as {copy}: run {again['id']} imported "
             f"{again['records_written']} rows: {again['rejects'][0]['reason']}")


def _pull(app: App, run_job: Callable[..., Any], get: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    result = run_job(app.store, app.plugins, "demo", "tradeshows", "pull", box=app.box)
    return get(app.store, result.run_id)


# -- the Salesforce org ------------------------------------------------------------------------------

DEMO_LEADS = 40
PARTNER = {"partner": "Northwind Systems", "partner_rep_name": "Dana Reyes",
           "partner_rep_email": "dana.reyes@northwind.example"}


def demo_salesforce(app: App, home: Path, echo: Callable[[str], None]) -> None:
    """The closed loop with a Salesforce org: a real pull over HTTP, partners' changes made in the hub,
    a real push, and the org's records read back to show what landed."""
    import httpx

    from leadloop_salesforce.sandbox import start

    tenant_file = home / "demo-tenant.yaml"
    document = yaml.safe_load(tenant_file.read_text(encoding="utf-8"))
    crm = document["connectors"]["crm"]
    with start(seed=1, leads=DEMO_LEADS, accounts=5, contacts=10, opportunities=5, campaigns=3, members=20,
               client_id=crm["settings"]["client_id"], refresh_token=crm["secrets"]["refresh_token"]["value"],
               ) as sf, httpx.Client(base_url=f"{sf.url}/_sandbox", timeout=10) as admin:
        echo(f"\n== Salesforce org: sandbox on {sf.url} ({DEMO_LEADS} leads, campaigns, opportunities; "
             "client_id and refresh token as in the tenant file)")
        crm["settings"].update(login_url=sf.url, objects=["lead", "campaign", "opportunity"])
        tenant_file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        apply_tenant(app.store, app.box, load_tenant_file(tenant_file, app.plugins))
        echo(f"  pointed 'crm' at it in {tenant_file.name}")

        pulled = _run(app, "crm", "pull")
        leads = sorted((lead for lead in app.store.tenant("demo").list_leads(limit=1000)
                        if lead["source_connector"] == "crm"), key=lambda lead: lead["external_id"])
        echo(f"\n== pull job of 'crm' (run {pulled['id']}): {pulled['outcome']}, {pulled['records_read']} "
             f"records (leads, campaigns, opportunities) in {pulled['pages']} pages, "
             f"{pulled['api_calls']} API calls, {len(leads)} leads stored")
        for lead in leads[:3]:
            echo(f"  lead  {lead['first_name']} {lead['last_name']} <{lead['email']}>, {lead['company']}, "
                 f"{lead['address_country']}, sales status {lead['sales_status']!r} ({lead['external_id']})")

        accepted, worked, rejected = leads[:3]
        deal_id = _partners_act(app, accepted, worked, rejected, echo)
        pushed = _run(app, "crm", "push")
        echo(f"\n== push job of 'crm' (run {pushed['id']}): {pushed['outcome']}, {pushed['records_written']} "
             f"changes written, {pushed['records_failed']} failed, {pushed['api_calls']} API calls "
             "(sObject Collections: one update batch, one create batch)")

        echo("\n== read back from the org over HTTP")
        shown = ((accepted, ("Distribution_Status__c", "Partner__c", "Partner_Rep_Name__c",
                             "Partner_Rep_Email__c")),
                 (worked, ("Status",)), (rejected, ("Distribution_Status__c", "Rejection_Reason__c")))
        for lead, fields in shown:
            row = admin.get(f"/records/Lead/{lead['external_id']}").json()
            echo(f"  Lead {row['Id']} ({row['Email']}): " + ", ".join(f"{f}={row[f]!r}" for f in fields))
        with app.store.read() as conn:
            query = select(opportunities.c.external_id).where(opportunities.c.id == deal_id)
            deal = conn.execute(query).scalar()
        row = admin.get(f"/records/Opportunity/{deal}").json()
        echo(f"  Opportunity {row['Id']}: Name={row['Name']!r}, StageName={row['StageName']!r}, "
             f"Amount={row['Amount']!r}, CloseDate={row['CloseDate']!r} (its id kept on the hub's deal)")
        usage = admin.get("/state").json()["limits"]["api_usage"]
        echo(f"\n== API calls spent: {pulled['api_calls']} to pull, {pushed['api_calls']} to push; the org "
             f"counted {usage} against its daily limit (token refreshes are not counted)")


def _partners_act(app: App, accepted: dict[str, Any], worked: dict[str, Any], rejected: dict[str, Any],
                  echo: Callable[[str], None]) -> str:
    """Accept, work and reject a lead and register a deal, as partners would; returns the deal's id."""
    from .hub import change_lead, register_deal

    echo("\n== partners act in the hub (each change queues its write-back)")
    change_lead(app.store, app.plugins, "demo", accepted["id"],
                {"distribution_status": "accepted", "custom": PARTNER})
    echo(f"  {accepted['email']}: accepted by {PARTNER['partner']} (rep {PARTNER['partner_rep_name']})")
    change_lead(app.store, app.plugins, "demo", worked["id"], {"sales_status": "Contacted"})
    echo(f"  {worked['email']}: sales status Contacted")
    change_lead(app.store, app.plugins, "demo", rejected["id"],
                {"distribution_status": "rejected", "rejection_reason": "Outside our territory"})
    echo(f"  {rejected['email']}: rejected, 'Outside our territory'")
    close = (date.today() + timedelta(days=60)).isoformat()
    deal_id, _ = register_deal(app.store, app.plugins, "demo", accepted["id"], {
        "name": f"{accepted['company']} - 50 firewalls", "stage": "4-Qualification", "amount": 48_000,
        "close_date": close})
    echo(f"  {accepted['email']}: deal registered, 48,000 at Qualification, closing {close}")
    return deal_id


def _run(app: App, connector: str, kind: str) -> dict[str, Any]:
    from .sync.runner import run_job
    from .sync.runs import get

    result = run_job(app.store, app.plugins, "demo", connector, kind, box=app.box)
    if result.run_id is None:
        raise FatalError(f"the demo's {kind} job of {connector!r} did not run: {result.error}")
    return get(app.store, result.run_id)
