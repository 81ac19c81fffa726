"""OAuth for the connector: refresh, rotation persisted at once, 401 mid-run, refusals."""

from __future__ import annotations

import ssl
import threading
import time

import httpx
import pytest
from leadloop import ConnectorContext
from leadloop.errors import AuthError, RetriableError
from leadloop_salesforce import plugin
from leadloop_salesforce.sandbox import start


def spend(sandbox, refresh_token):
    return httpx.post(f"{sandbox.url}/services/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": sandbox.client_id})


def test_a_rotated_refresh_token_is_persisted_and_the_spent_one_is_dead(sf, connect, credentials):
    list(connect(sf, credentials).pull("campaign", None))
    [stored] = credentials.updates
    assert set(stored) == {"access_token", "instance_url", "refresh_token", "expires_at"}
    assert stored["instance_url"] == sf.url
    assert stored["refresh_token"] != sf.refresh_token
    assert float(stored["expires_at"]) == pytest.approx(time.time() + 7200, abs=30)
    assert spend(sf, sf.refresh_token).json()["error"] == "invalid_grant"

    # The next run starts from the persisted token, not the spent one in the tenant file.
    credentials.values["expires_at"] = "0"
    list(connect(sf, credentials).pull("campaign", None))
    assert len(credentials.updates) == 2
    assert credentials.values["refresh_token"] not in (sf.refresh_token, stored["refresh_token"])


def test_without_rotation_the_old_refresh_token_is_kept(connect, credentials):
    with start(rotate_refresh_tokens=False, campaigns=2) as sf:
        list(connect(sf, credentials).pull("campaign", None))
        assert credentials.values["refresh_token"] == sf.refresh_token
        assert spend(sf, sf.refresh_token).status_code == 200


def test_a_401_mid_run_refreshes_and_repeats_the_call_once(connect, credentials):
    with start(leads=4500, seed=2) as sf:
        sf.org.faults.inject("expire", after=1)  # the session dies before the second page's request
        pages = list(connect(sf, credentials).pull("lead", None))
        assert sum(len(p.records) for p in pages) == 4500
        assert len(credentials.updates) == 2
        # The refused call and its repeat: one query_more more than the pages need.
        assert sf.org.counters() == {"token": 2, "queryAll": 1, "query_more": 3}


def test_a_token_near_expiry_is_refreshed_before_the_call(sf, connect, credentials):
    # Sessions shorter than the refresh margin: every call finds its token about to expire.
    connector = connect(sf, credentials, session_timeout_seconds=30)
    list(connector.pull("campaign", None))
    list(connector.pull("campaign", None))
    assert sf.org.counters()["token"] == 2
    assert connector.rt.api_calls == 2  # no call was refused


def test_a_token_still_good_is_not_read_from_the_store_again(sf, connect, credentials):
    connector = connect(sf, credentials)
    list(connector.pull("campaign", None))
    credentials.values["access_token"] = "spoiled"  # were it read again, the next call would be refused
    list(connector.pull("campaign", None))
    assert sf.org.counters() == {"token": 1, "queryAll": 2}


def test_two_jobs_sharing_credentials_never_spend_the_same_refresh_token(connect, credentials):
    with start(campaigns=3) as sf:
        connectors = [connect(sf, credentials) for _ in range(4)]
        errors: list[Exception] = []

        def run(connector):
            try:
                list(connector.pull("campaign", None))
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(c,)) for c in connectors]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sf.org.counters()["token"] == 1  # the first job refreshed, the others reused it


def test_invalid_grant_is_an_auth_error_naming_tenant_and_connector(sf, connect):
    sf.org.auth.refuse_tokens()
    with pytest.raises(AuthError) as caught:
        list(connect(sf).pull("lead", None))
    assert caught.value.tenant == "acme" and caught.value.connector == "crm"
    assert "invalid_grant" in str(caught.value)
    assert "re-authorise connector 'crm' of tenant 'acme'" in str(caught.value)


def test_a_wrong_client_id_is_an_auth_error_saying_so(sf, connect):
    with pytest.raises(AuthError, match="client_id is not the connected app's consumer key"):
        list(connect(sf, client_id="not-the-app").pull("lead", None))


def test_a_rate_limited_token_endpoint_is_retriable_with_its_delay(sf, connect):
    sf.org.faults.inject("429", scope="token", retry_after=9)
    with pytest.raises(RetriableError) as caught:
        list(connect(sf).pull("lead", None))
    assert caught.value.retry_after == 9
    assert not isinstance(caught.value, AuthError)


def test_refusal_after_a_fresh_refresh_is_an_auth_error(sf, connect, http):
    http.post("/_sandbox/config", json={"access_token_lifetime": 0})  # every session is born dead
    with pytest.raises(AuthError, match="refused a freshly refreshed session"):
        list(connect(sf).pull("lead", None))


def test_the_refresh_hook_leaves_other_connector_types_alone():
    other = ConnectorContext(tenant="acme", name="hub", type="hubspot")
    assert plugin.leadloop_refresh_credentials(connector=other, credentials={}) is None


def test_the_certificate_store_is_loaded_once_for_all_clients(sf, connect, credentials, monkeypatch):
    from leadloop_salesforce import client as client_module

    loads = []
    load = ssl.SSLContext.load_verify_locations
    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations",
                        lambda self, *a, **k: loads.append(1) or load(self, *a, **k))
    client_module.tls_context.cache_clear()
    for _ in range(2):  # two runs: each opens a token client and an API client
        connector = connect(sf, credentials)
        credentials.values["expires_at"] = "0"
        list(connector.pull("campaign", None))
    assert sf.org.counters()["token"] == 2
    assert len(loads) == 1
    client_module.tls_context.cache_clear()
