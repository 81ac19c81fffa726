"""A plugin package installed with pip overrides one built-in answer for one connector type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from leadloop import ConnectorContext, plugins

FIXTURE = Path(__file__).parents[1] / "fixtures" / "leadloop-email-only"
RECORD = {"email": "Ada@Example.com", "campaign": "RSA-2026", "source_system": "sf", "external_id": "00Q1"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--target", str(target), str(FIXTURE)],
        check=True,
    )
    return target


def _key(loaded: plugins.Plugins, connector_type: str) -> str:
    ctx = ConnectorContext(tenant="acme", name="crm", type=connector_type, uniqueness="email+campaign")
    return loaded.hook.leadloop_uniqueness_key(connector=ctx, record=RECORD, rule="email+campaign")


def test_installed_plugin_overrides_only_its_connector(installed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = plugins.load()
    assert _key(before, "salesforce") == "email:ada@example.com|campaign:rsa-2026"

    monkeypatch.syspath_prepend(str(installed))
    loaded = plugins.load()
    entry = next(p for p in loaded.describe() if p["name"] == "email_only")
    assert entry["distribution"] == "leadloop-email-only" and not entry["builtin"]
    assert entry["hooks"] == ["leadloop_uniqueness_key"]
    assert _key(loaded, "salesforce") == "email:ada@example.com"
    assert _key(loaded, "hubspot") == "email:ada@example.com|campaign:rsa-2026"


def test_blocking_the_plugin_restores_the_builtin_answer(installed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(installed))
    monkeypatch.setenv("LEADLOOP_DISABLE_PLUGINS", "email_only")
    loaded = plugins.load()
    assert "email_only" not in {p["name"] for p in loaded.describe()}
    assert _key(loaded, "salesforce") == "email:ada@example.com|campaign:rsa-2026"


def test_allow_list_loads_only_named_plugins_and_always_the_core(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(installed))
    monkeypatch.setenv("LEADLOOP_PLUGINS", "salesforce")
    loaded = plugins.load()
    assert [p["name"] for p in loaded.describe()] == ["core", "salesforce"]
    assert _key(loaded, "salesforce") == "email:ada@example.com|campaign:rsa-2026"
