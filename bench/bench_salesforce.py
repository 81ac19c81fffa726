"""Salesforce API efficiency: calls spent per record read and written, and a pull under latency.

* **query calls**: a pull of N leads by the sync engine (``run_job``), as its run record reports
  them, beside ``ceil(N/2000)``: the fewest calls 2,000-row pages allow. Goal: ratio 1.00.
* **update calls**: M sales-status changes pushed by the sync engine, beside ``ceil(M/200)``, the
  fewest sObject Collections allows. Goal: ratio 1.00.
* **pull under latency**: the connector reading every lead from a sandbox that answers each request
  50 ms after it arrives, beside calls x 50 ms: what the pull would take if everything but the
  latency were free. Goal <= 1.10x. The sandbox runs in a process of its own, as a real org is on
  another machine, so that its work does not share this process's interpreter lock.
* **connector against a bare client**: the same pull beside a bare httpx loop that follows
  ``nextRecordsUrl`` with the same query and only parses the pages, one request after the other:
  what the connector adds to fetching and decoding, or saves by asking for the next page early.
  Goal <= 1.10x.
* **pull job under latency**: the same pull run by the sync engine (``run_job``) into a fresh SQLite
  store (so with its token refresh), beside calls x 50 ms: reading, mapping, de-duplicating and
  storing. Goal <= 1.10x.

The call counts run on an in-process sandbox, the timed pulls on a sandbox process, each the best of
two runs (one with ``--quick``); engine runs use a SQLite store in a temporary folder. N = 100,000 leads and M = 10,000 updates (10,000 and 2,000
with ``--quick``).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import yaml
from cryptography.fernet import Fernet
from sqlalchemy import insert, select

from bench.figure import Figure
from bench.timing import best_of
from leadloop import ConnectorContext
from leadloop.config import load_tenant_file
from leadloop.plugins import Plugins, load
from leadloop.secrets import SecretBox
from leadloop.source import Runtime
from leadloop.store import Store
from leadloop.store.tables import leads, outbox
from leadloop.sync.runner import run_job
from leadloop.sync.runs import get
from leadloop.tenants import apply_tenant
from leadloop_salesforce import soql
from leadloop_salesforce.connector import DEFAULT_FIELDS, SalesforceConnector
from leadloop_salesforce.sandbox import start

LEADS, QUICK_LEADS = 100_000, 10_000
UPDATES, QUICK_UPDATES = 10_000, 2_000
LATENCY_MS = 50
PAGE, BATCH = 2000, 200
TOKEN = "bench-refresh-token"


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """leadloop's settings for this benchmark only; the harness's own environment comes back after."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _engine_calls(leads_n: int, updates_n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run records of a pull of ``leads_n`` leads and of a push of ``updates_n`` status changes."""
    with tempfile.TemporaryDirectory(prefix="leadloop-bench-") as tmp, _environment(
        LEADLOOP_HOME=tmp, LEADLOOP_DATABASE_URL=f"sqlite:///{Path(tmp) / 'leadloop.db'}",
        LEADLOOP_SECRET_KEY=Fernet.generate_key().decode(),
    ), start(seed=11, leads=leads_n) as sf:
        plugins, store = load(), Store.open()
        store.migrate()
        try:
            _apply(store, plugins, Path(tmp), sf.url, sf.client_id, sf.refresh_token)
            pulled = _run(store, plugins, "pull")
            if pulled["records_read"] != leads_n:
                raise RuntimeError(f"the pull read {pulled['records_read']} of {leads_n} leads")
            _queue_status_changes(store, updates_n)
            pushed = _run(store, plugins, "push")
            if pushed["records_written"] != updates_n:
                raise RuntimeError(f"the push wrote {pushed['records_written']} of {updates_n} changes")
            return pulled, pushed
        finally:
            store.close()


def _apply(store: Store, plugins: Plugins, folder: Path, url: str, client_id: str,
           refresh_token: str) -> None:
    connector = {"type": "salesforce", "settings": {"login_url": url, "client_id": client_id},
                 "secrets": {"refresh_token": {"value": refresh_token}}}
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump({"tenant": "bench", "connectors": {"crm": connector}}), encoding="utf-8")
    apply_tenant(store, SecretBox.from_environment(), load_tenant_file(path, plugins))


def _run(store: Store, plugins: Plugins, kind: str) -> dict[str, Any]:
    result = run_job(store, plugins, "bench", "crm", kind)
    if result.run_id is None or result.outcome != "ok":
        raise RuntimeError(f"{kind} run {result.outcome}: {result.error}")
    return get(store, result.run_id)


def _queue_status_changes(store: Store, n: int) -> None:
    """``n`` hub changes waiting in the outbox, as ``leadloop.hub.change_lead`` queues them (in bulk:
    queueing is not what is measured)."""
    with store.transaction() as conn:
        found = conn.execute(select(leads.c.id, leads.c.external_id).where(leads.c.tenant_id == "bench")
                             .order_by(leads.c.id).limit(n)).all()
        conn.execute(insert(outbox), [
            {"tenant_id": "bench", "connector": "crm", "object_type": "lead", "record_id": lead_id,
             "external_id": external_id, "payload": {"sales_status": "Contacted"}, "origin": "hub",
             "status": "pending"}
            for lead_id, external_id in found
        ])


class _Credentials:
    """Credentials in memory: the latency figures drive the connector alone, without a store."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self) -> dict[str, str]:
        return dict(self.values)

    def update(self, values: Mapping[str, str]) -> None:
        self.values.update(values)

    def lock(self) -> threading.Lock:
        return self._lock


@contextmanager
def _sandbox_process(leads_n: int) -> Iterator[str]:
    """A sandbox org in a process of its own, seeded with ``leads_n`` leads; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "leadloop_salesforce.sandbox", "--port", "0", "--seed", "11", "--leads",
         str(leads_n), "--accounts", "0", "--contacts", "0", "--opportunities", "0", "--campaigns", "0",
         "--members", "0", "--no-rotation", "--refresh-token", TOKEN, "--quiet"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        banner = process.stdout.readline() if process.stdout else ""
        if not banner.startswith("Salesforce sandbox on "):
            raise RuntimeError(f"the sandbox did not start: {banner!r}")
        yield banner.split()[-1]
    finally:
        process.terminate()
        process.wait(timeout=10)


def _connector_pull(connector: SalesforceConnector) -> int:
    connector.rt.api_calls = 0
    return sum(len(page.records) for page in connector.pull("lead", None))


def _bare_pull(client: httpx.Client, query: str) -> int:
    """The floor: the same query's pages fetched and decoded, nothing else."""
    body = client.get("/services/data/v60.0/queryAll", params={"q": query}).json()
    rows = len(body["records"])
    while not body["done"]:
        body = client.get(body["nextRecordsUrl"]).json()
        rows += len(body["records"])
    return rows


def _engine_pull_seconds(url: str) -> float:
    """A ``run_job`` pull of every lead from the org at ``url`` into a fresh store, timed."""
    with tempfile.TemporaryDirectory(prefix="leadloop-bench-") as tmp, _environment(
        LEADLOOP_HOME=tmp, LEADLOOP_DATABASE_URL=f"sqlite:///{Path(tmp) / 'leadloop.db'}",
        LEADLOOP_SECRET_KEY=Fernet.generate_key().decode(),
    ):
        plugins, store = load(), Store.open()
        store.migrate()
        try:
            _apply(store, plugins, Path(tmp), url, "leadloop-sandbox", TOKEN)
            started = time.perf_counter()
            _run(store, plugins, "pull")
            return time.perf_counter() - started
        finally:
            store.close()


def _latency_figures(leads_n: int, rounds: int) -> list[Figure]:
    with _sandbox_process(leads_n) as url:
        httpx.post(f"{url}/_sandbox/config", json={"faults": {"latency_ms": LATENCY_MS}}, timeout=10)
        engine_seconds = min(_engine_pull_seconds(url) for _ in range(rounds))
        context = ConnectorContext(tenant="bench", name="crm", type="salesforce",
                                   settings={"login_url": url, "client_id": "leadloop-sandbox"},
                                   secrets={"refresh_token": TOKEN})
        # The connector keeps nothing in the store: an empty in-memory one satisfies the runtime.
        runtime = Runtime(context, _Credentials(), load().hook, store=Store.open("sqlite://"))
        connector = SalesforceConnector(runtime)
        token = connector.rt.access_token()
        query = soql.incremental_query("Lead", ["Id", "IsDeleted", "SystemModstamp", *DEFAULT_FIELDS["lead"]],
                                       None, None, 0)
        with httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
            (read, seconds), (bare_read, bare_seconds) = best_of(
                rounds, lambda: _connector_pull(connector), lambda: _bare_pull(client, query))
        calls = connector.rt.api_calls
        connector.close()
    if read != leads_n or bare_read != leads_n:
        raise RuntimeError(f"pulls read {read} and {bare_read} of {leads_n} leads")
    if calls != math.ceil(leads_n / PAGE):
        raise RuntimeError(f"the connector spent {calls} calls on {leads_n} leads")
    label = f"pull {leads_n:,} leads at {LATENCY_MS} ms latency"
    return [
        Figure(label, seconds, "s", f"calls x {LATENCY_MS} ms ({calls} calls)", calls * LATENCY_MS / 1000,
               goal_ratio=1.10, better="lower"),
        Figure(f"{label}, connector", seconds, "s", "bare httpx loop, same pages", bare_seconds,
               goal_ratio=1.10, better="lower"),
        Figure(f"pull job (engine + SQLite), {leads_n:,} leads at {LATENCY_MS} ms latency", engine_seconds,
               "s", f"calls x {LATENCY_MS} ms ({calls} calls)", calls * LATENCY_MS / 1000, goal_ratio=1.10,
               better="lower"),
    ]


def run(quick: bool) -> list[Figure]:
    leads_n, updates_n = (QUICK_LEADS, QUICK_UPDATES) if quick else (LEADS, UPDATES)
    started = time.perf_counter()
    pulled, pushed = _engine_calls(leads_n, updates_n)
    print(f"salesforce: engine pull and push in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    figures = [
        Figure(f"query calls, pull of {leads_n:,} leads", pulled["api_calls"], "calls",
               f"ceil(N/{PAGE})", math.ceil(leads_n / PAGE), goal_ratio=1.0, better="lower"),
        Figure(f"update calls, push of {updates_n:,} changes", pushed["api_calls"], "calls",
               f"ceil(M/{BATCH})", math.ceil(updates_n / BATCH), goal_ratio=1.0, better="lower"),
    ]
    return figures + _latency_figures(leads_n, 1 if quick else 2)
