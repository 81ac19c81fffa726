"""Fixtures for the Salesforce plugin's tests: a real sandbox over HTTP, in-memory credentials for the
connector alone, and a real store and tenant file for the connector driven by the sync engine."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
import pluggy
import pytest
from leadloop import ConnectorContext, hookspecs
from leadloop.source import Runtime
from leadloop_salesforce import plugin
from leadloop_salesforce.connector import SalesforceConnector
from leadloop_salesforce.sandbox import Sandbox, start

API = "/services/data/v60.0"


@pytest.fixture
def sf() -> Iterator[Sandbox]:
    """A small seeded org on a free port, stopped after the test."""
    with start(seed=7, leads=30, accounts=5, contacts=10, opportunities=5, campaigns=2, members=10) as sandbox:
        yield sandbox


@pytest.fixture
def http(sf: Sandbox) -> Iterator[httpx.Client]:
    """A plain client on the sandbox (no session): token endpoint and admin API."""
    with httpx.Client(base_url=sf.url, timeout=10) as client:
        yield client


@pytest.fixture
def refresh(http: httpx.Client) -> Callable[..., httpx.Response]:
    """``refresh(refresh_token, client_id=...)``: one call to the token endpoint."""

    def call(refresh_token: str, client_id: str = "leadloop-sandbox", **extra: str) -> httpx.Response:
        return http.post("/services/oauth2/token", data={
            "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id, **extra,
        })

    return call


@pytest.fixture
def api(sf: Sandbox, http: httpx.Client, refresh: Callable[..., httpx.Response]) -> Iterator[httpx.Client]:
    """A client with a live session, based at ``/services/data/v60.0``.

    It uses a grant of its own, so ``sf.refresh_token`` stays unspent for the test's connector.
    """
    token = refresh(http.post("/_sandbox/tokens").json()["refresh_token"]).json()["access_token"]
    with httpx.Client(base_url=sf.url + API, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        yield client


class MemoryCredentials:
    """Credentials kept in a dict; ``updates`` records every persisted change, in order."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self.values: dict[str, str] = dict(values or {})
        self.updates: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def get(self) -> dict[str, str]:
        return dict(self.values)

    def update(self, values: Mapping[str, str]) -> None:
        self.values.update(values)
        self.updates.append(dict(values))

    def lock(self) -> threading.Lock:
        return self._lock


@pytest.fixture
def credentials() -> MemoryCredentials:
    """An empty credentials store of one connector (the refresh token comes from its secrets)."""
    return MemoryCredentials()


@pytest.fixture
def hook() -> Any:
    """The hook caller with only the hook specs and this plugin: no other plugin can interfere."""
    pm = pluggy.PluginManager("leadloop")
    pm.add_hookspecs(hookspecs)
    pm.register(plugin, name="salesforce")
    return pm.hook


@pytest.fixture
def make_runtime(hook: Any) -> Callable[..., Runtime]:
    """``make_runtime(sandbox, credentials=None, **settings)``: a Runtime for a connector on ``sandbox``.

    Runtimes on one sandbox share one credentials store unless given their own, as the jobs of one
    connector do: with rotation, a second store would still hold a refresh token already spent.
    """
    stores: dict[str, MemoryCredentials] = {}

    def make(sandbox: Sandbox, credentials: MemoryCredentials | None = None, **settings: Any) -> Runtime:
        context = ConnectorContext(
            tenant="acme", name="crm", type="salesforce",
            settings={"login_url": sandbox.url, "client_id": sandbox.client_id, **settings},
            secrets={"refresh_token": sandbox.refresh_token},
        )
        credentials = credentials or stores.setdefault(sandbox.url, MemoryCredentials())
        return Runtime(context, credentials, hook, store=None)  # the connector keeps nothing in a store

    return make


@pytest.fixture
def connect(make_runtime: Callable[..., Runtime]) -> Iterator[Callable[..., SalesforceConnector]]:
    """``connect(sandbox, **settings)``: a connector on ``sandbox``, closed after the test."""
    made: list[SalesforceConnector] = []

    def build(sandbox: Sandbox, credentials: MemoryCredentials | None = None,
              **settings: Any) -> SalesforceConnector:
        made.append(SalesforceConnector(make_runtime(sandbox, credentials, **settings)))
        return made[-1]

    yield build
    for connector in made:
        connector.close()


# -- the connector driven by the sync engine, on a real store (leadloop's test kit underneath)




@pytest.fixture
def apply(leadloop_apply: Callable[..., Any]) -> Callable[..., None]:
    """``apply(sandbox, refresh_token=None, status_map=None, mappings=None, **settings)``: apply tenant
    'acme' with one salesforce connector 'crm' on ``sandbox`` through a real tenant file."""

    def apply_(sandbox: Sandbox, *, refresh_token: str | None = None,
               status_map: dict[str, Any] | None = None, mappings: dict[str, Any] | None = None,
               **settings: Any) -> None:
        connector: dict[str, Any] = {
            "type": "salesforce",
            "settings": {"login_url": sandbox.url, "client_id": sandbox.client_id, **settings},
            "secrets": {"refresh_token": {"value": refresh_token or sandbox.refresh_token}},
            "jobs": {"pull": {"every": "5m"}, "push": {"every": "1m"}},
        }
        if status_map:
            connector["status_map"] = status_map
        if mappings:
            connector["mappings"] = mappings
        leadloop_apply({"crm": connector})

    return apply_


@pytest.fixture
def run(leadloop_run: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """``run("pull"|"push", **run_job options)``: one job of acme/crm now; its run record with rejects."""

    def run_(kind: str, **options: Any) -> dict[str, Any]:
        return leadloop_run("acme", "crm", kind, **options)

    return run_
