"""Plugin loading: built-ins from entry points, hook validation, clear failures."""

from __future__ import annotations

import pytest
from leadloop import ConnectorType, hookimpl, plugins
from leadloop.errors import PluginError

BUILTIN_CONNECTORS = {"salesforce", "dynamics", "hubspot", "csv_sftp"}


def test_builtin_plugins_load_from_entry_points() -> None:
    loaded = plugins.load()
    described = {p["name"]: p for p in loaded.describe()}
    assert BUILTIN_CONNECTORS <= set(described)
    for name in BUILTIN_CONNECTORS:
        assert described[name]["builtin"]
        assert described[name]["distribution"] == "leadloop-" + name.replace("_", "-")
        assert [c["name"] for c in described[name]["connectors"]] == [name]
    assert {c.name for c in loaded.connectors} == BUILTIN_CONNECTORS


class _Misspelled:
    @hookimpl
    def leadloop_uniquenes_key(self, connector, record, rule):  # type: ignore[no-untyped-def]
        return "x"


def test_unknown_hook_fails_at_load_naming_the_plugin() -> None:
    with pytest.raises(PluginError) as info:
        plugins.load(extra=[("typo-plugin", _Misspelled())])
    message = str(info.value)
    assert "'typo-plugin'" in message and "leadloop_uniquenes_key" in message
    assert "leadloop_uniqueness_key" in message  # the known hooks are listed to spot the typo


class _WrongArgs:
    @hookimpl
    def leadloop_uniqueness_key(self, connector, record, rule, extra):  # type: ignore[no-untyped-def]
        return "x"


def test_hook_with_unknown_argument_is_refused() -> None:
    with pytest.raises(PluginError, match="'bad-args'"):
        plugins.load(extra=[("bad-args", _WrongArgs())])


class _Duplicate:
    @hookimpl
    def leadloop_register_connectors(self, register):  # type: ignore[no-untyped-def]
        register(ConnectorType(name="salesforce", title="Another Salesforce", config_schema={}))


def test_two_plugins_registering_one_connector_type_is_an_error() -> None:
    with pytest.raises(PluginError, match="'dup'.*'salesforce'.*already"):
        plugins.load(extra=[("dup", _Duplicate())])


def test_core_cannot_be_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLOOP_DISABLE_PLUGINS", "core")
    with pytest.raises(PluginError, match="cannot be disabled"):
        plugins.load()


def test_unknown_connector_type_lists_installed_ones() -> None:
    with pytest.raises(PluginError, match="no plugin provides connector type 'pipedrive'.*salesforce"):
        plugins.load().connectors.get("pipedrive")
