"""Tenants, connectors and their secrets, as the CLI and the config code use them."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from leadloop.errors import ConfigError
from leadloop.store import Store, TenantStore


def test_connector_round_trips_its_configuration(store: Store) -> None:
    acme = store.tenant("acme")
    acme.upsert_tenant("Acme Corp")
    acme.upsert_connector(
        "crm",
        "salesforce",
        uniqueness="email+campaign",
        settings={"instance_url": "https://acme.my.salesforce.com", "api_version": 60},
        status_map={"sales": {"Contacted": "Working - Contacted"}},
        mapping={"lead": {"Email": "email"}},
        jobs={"pull": {"every": "15m"}},
    )
    got = acme.get_connector("crm")
    assert got is not None
    assert (got.name, got.type, got.uniqueness, got.enabled, got.state) == (
        "crm",
        "salesforce",
        "email+campaign",
        True,
        "ok",
    )
    assert got.settings == {"instance_url": "https://acme.my.salesforce.com", "api_version": 60}
    assert got.status_map == {"sales": {"Contacted": "Working - Contacted"}}
    assert got.mapping == {"lead": {"Email": "email"}}
    assert got.jobs == {"pull": {"every": "15m"}}
    assert got.updated_at.tzinfo is not None
    assert acme.get_connector("nope") is None


def test_reapplying_a_connector_replaces_its_settings_but_keeps_it_disabled(acme: TenantStore) -> None:
    acme.set_connector_enabled("crm", False)
    acme.upsert_connector("crm", "salesforce", uniqueness="email", settings={"instance": "new"})
    got = acme.get_connector("crm")
    assert got is not None
    assert got.settings == {"instance": "new"}
    assert got.enabled is False
    acme.upsert_connector("crm", "salesforce", uniqueness="email", enabled=True)
    got = acme.get_connector("crm")
    assert got is not None and got.enabled is True


def test_enable_and_disable(acme: TenantStore) -> None:
    acme.set_connector_enabled("crm", False)
    assert [(c.name, c.enabled) for c in acme.list_connectors()] == [("crm", False)]
    acme.set_connector_enabled("crm", True)
    assert [(c.name, c.enabled) for c in acme.list_connectors()] == [("crm", True)]


def test_unknown_connector_error_names_tenant_and_connector(acme: TenantStore) -> None:
    with pytest.raises(ConfigError) as failed:
        acme.set_connector_enabled("hubspot", True)
    message = str(failed.value)
    assert "'acme'" in message and "'hubspot'" in message
    assert "crm" in message  # the connectors it does have


def test_connector_state_records_why_it_stopped(acme: TenantStore) -> None:
    acme.set_connector_state("crm", "needs_reauth", "refresh token revoked")
    got = acme.get_connector("crm")
    assert got is not None and (got.state, got.state_reason) == ("needs_reauth", "refresh token revoked")
    acme.set_connector_state("crm", "ok")
    got = acme.get_connector("crm")
    assert got is not None and (got.state, got.state_reason) == ("ok", None)
    with pytest.raises(ConfigError, match="'acme' has no connector 'gone'"):
        acme.set_connector_state("gone", "error", "boom")


def test_the_database_refuses_an_unknown_connector_state(acme: TenantStore) -> None:
    with pytest.raises(IntegrityError):
        acme.set_connector_state("crm", "sleepy", None)  # type: ignore[arg-type]


def test_connector_of_an_unknown_tenant_is_refused(store: Store) -> None:
    with pytest.raises(ConfigError, match="tenant 'ghost' does not exist"):
        store.tenant("ghost").upsert_connector("crm", "salesforce", uniqueness="email")


def test_tenant_file_applied_in_one_transaction_is_all_or_nothing(store: Store) -> None:
    acme = store.tenant("acme")
    with pytest.raises(RuntimeError), store.transaction() as conn:
        acme.upsert_tenant("Acme", conn=conn)
        acme.upsert_connector("crm", "salesforce", uniqueness="email", conn=conn)
        acme.put_secret("crm", "refresh_token", "gAAAA-cipher", conn=conn)
        raise RuntimeError("a later connector of the file failed")
    assert store.list_tenants() == []
    assert acme.list_connectors() == []


def test_upsert_tenant_renames(store: Store) -> None:
    store.tenant("acme").upsert_tenant("Acme")
    store.tenant("acme").upsert_tenant("Acme Corporation")
    assert [(t.id, t.name) for t in store.list_tenants()] == [("acme", "Acme Corporation")]


def test_secrets_are_stored_as_given_and_replaced(acme: TenantStore) -> None:
    acme.put_secret("crm", "refresh_token", "gAAAA-first")
    acme.put_secret("crm", "client_secret", "gAAAA-client")
    acme.put_secret("crm", "refresh_token", "gAAAA-rotated")
    assert acme.get_secrets("crm") == {"refresh_token": "gAAAA-rotated", "client_secret": "gAAAA-client"}
    assert acme.get_secrets("other") == {}


def test_secret_of_an_unknown_connector_is_refused(acme: TenantStore) -> None:
    with pytest.raises(IntegrityError):
        acme.put_secret("hubspot", "token", "gAAAA")
