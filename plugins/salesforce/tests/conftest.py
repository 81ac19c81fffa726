"""Fixtures for the Salesforce plugin's tests: a real sandbox over HTTP, and in-memory credentials."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
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
def api(sf: Sandbox, refresh: Callable[..., httpx.Response]) -> Iterator[httpx.Client]:
    """A client with a live session, based at ``/services/data/v60.0``."""
    token = refresh(sf.refresh_token).json()["access_token"]
    with httpx.Client(base_url=sf.url + API, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        yield client
