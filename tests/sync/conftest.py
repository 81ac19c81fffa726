from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet
from leadloop.config import load_tenant_file
from leadloop.plugins import Plugins, load
from leadloop.secrets import SecretBox
from leadloop.store import Store
from leadloop.sync.retry import RetryPolicy
from leadloop.tenants import apply_tenant
from leadloop.testing import fakeserver

FAST_RETRY = RetryPolicy(attempts=50, base=0.005, cap=0.02)
"""Backoff for tests: the same arithmetic, milliseconds instead of seconds."""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> dict[str, str]:
    """The environment a leadloop process of these tests runs with (also given to subprocesses)."""
    values = {
        "LEADLOOP_HOME": str(tmp_path / "home"),
        "LEADLOOP_DATABASE_URL": database_url,
        "LEADLOOP_SECRET_KEY": Fernet.generate_key().decode(),
        "LEADLOOP_PLUGIN_MODULES": "leadloop.testing.fakesource",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("LEADLOOP_PLUGINS", raising=False)
    monkeypatch.delenv("LEADLOOP_DISABLE_PLUGINS", raising=False)
    return {**os.environ, **values}


@pytest.fixture
def plugins(env: dict[str, str]) -> Plugins:
    return load()


@pytest.fixture
def store(env: dict[str, str]) -> Iterator[Store]:
    store = Store.open()
    store.migrate()
    yield store
    store.close()


@pytest.fixture
def fake() -> Iterator[fakeserver.Running]:
    running = fakeserver.start()
    yield running
    running.stop()


@pytest.fixture
def apply(store: Store, plugins: Plugins, tmp_path: Path) -> Callable[..., None]:
    """Apply a tenant 'acme' with one fake connector 'src' through a real tenant file."""

    def apply_(url: str, *, refresh_token: str = "good-refresh-token", jobs: dict[str, Any] | None = None,
               sync: dict[str, Any] | None = None, **settings: Any) -> None:
        connector: dict[str, Any] = {
            "type": "fake",
            "settings": {"url": url, **settings},
            "secrets": {"refresh_token": {"value": refresh_token}},
            "jobs": jobs or {"pull": {"every": "1h"}, "push": {"every": "1h"}},
        }
        if sync:
            connector["sync"] = sync
        path = tmp_path / "acme.yaml"
        path.write_text(yaml.safe_dump({"tenant": "acme", "connectors": {"src": connector}}), encoding="utf-8")
        apply_tenant(store, SecretBox.from_environment(), load_tenant_file(path, plugins))

    return apply_
