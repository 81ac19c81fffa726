"""Limits, fault injection, counters, the admin API and the command line."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest
from leadloop_salesforce.sandbox import start


def test_every_api_response_carries_the_usage_header(api):
    first = api.get("/sobjects/Lead/describe")
    second = api.get("/query", params={"q": "SELECT Id FROM Lead WHERE Foo = 1"})
    assert first.headers["Sforce-Limit-Info"] == "api-usage=1/100000"
    assert second.status_code == 400
    assert second.headers["Sforce-Limit-Info"] == "api-usage=2/100000"


def test_past_the_daily_limit_requests_are_refused(http, api):
    http.post("/_sandbox/config", json={"daily_limit": 3, "api_usage": 2})
    assert api.get("/sobjects/Lead/describe").status_code == 200
    refused = api.get("/sobjects/Lead/describe")
    assert refused.status_code == 403
    assert refused.json() == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    assert refused.headers["Sforce-Limit-Info"] == "api-usage=3/3"


def test_injected_429_carries_retry_after(http, api):
    http.post("/_sandbox/faults/inject", json={"kind": "429", "retry_after": 7, "count": 2})
    for _ in range(2):
        response = api.get("/query", params={"q": "SELECT Id FROM Lead"})
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
        assert response.json()[0]["errorCode"] == "TOO_MANY_REQUESTS"
    assert api.get("/query", params={"q": "SELECT Id FROM Lead"}).status_code == 200


def test_injected_faults_can_let_requests_through_first(http, api):
    http.post("/_sandbox/faults/inject", json={"kind": "503", "after": 2})
    statuses = [api.get("/sobjects/Lead/describe").status_code for _ in range(4)]
    assert statuses == [200, 200, 503, 200]


def test_injected_drop_closes_the_connection_unanswered(sf, api):
    sf.org.faults.inject("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/sobjects/Lead/describe")
    assert api.get("/sobjects/Lead/describe").status_code == 200


def test_injected_revoke_ends_sessions_and_refresh_tokens_before_its_request(sf, http, api, refresh):
    http.post("/_sandbox/faults/inject", json={"kind": "revoke", "after": 1})
    assert api.get("/sobjects/Lead/describe").status_code == 200
    refused = api.get("/sobjects/Lead/describe")
    assert (refused.status_code, refused.json()[0]["errorCode"]) == (401, "INVALID_SESSION_ID")
    assert refresh(sf.refresh_token).json()["error"] == "invalid_grant"


def test_injected_expire_keeps_refresh_tokens_and_is_for_the_api_only(sf, http, api, refresh):
    sf.org.faults.inject("expire")
    assert api.get("/sobjects/Lead/describe").status_code == 401
    assert refresh(sf.refresh_token).status_code == 200
    refused = http.post("/_sandbox/faults/inject", json={"kind": "expire", "scope": "token"})
    assert refused.status_code == 400 and "api scope" in refused.json()["message"]


def _statuses(seed: int) -> list[int]:
    with start(seed=seed, leads=1, faults={"error_rate": 0.3, "drop_rate": 0.0}) as sf, \
            httpx.Client(base_url=sf.url) as http:
        token = http.post("/services/oauth2/token", data={
            "grant_type": "refresh_token", "refresh_token": sf.refresh_token, "client_id": sf.client_id,
        }).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        return [http.get("/services/data/v60.0/sobjects/Lead/describe", headers=headers).status_code
                for _ in range(40)]


def test_fault_rates_are_deterministic_for_a_seed():
    first, again, other = _statuses(11), _statuses(11), _statuses(12)
    assert first == again
    assert first != other
    assert {429, 503, 200} == set(first)


def test_latency_is_added_per_request(http, api):
    http.post("/_sandbox/config", json={"faults": {"latency_ms": 150}})
    began = time.perf_counter()
    api.get("/sobjects/Lead/describe")
    assert time.perf_counter() - began >= 0.15


def test_counters_per_endpoint(sf, http, api):
    http.post("/_sandbox/counters/reset")
    api.get("/query", params={"q": "SELECT Id FROM Lead"})
    api.get("/queryAll", params={"q": "SELECT Id FROM Lead"})
    api.get("/sobjects/Lead/describe")
    api.post("/composite/sobjects", json={"records": []})
    assert http.get("/_sandbox/counters").json() == {
        "query": 1, "queryAll": 1, "describe": 1, "collections_create": 1}


def test_admin_api_seeds_and_writes_records_with_late_stamps(sf, http, api):
    added = http.post("/_sandbox/seed", json={"seed": 3, "leads": 20}).json()
    assert added["Lead"] == 20
    made = http.post("/_sandbox/records/Lead", json={
        "fields": {"LastName": "Late", "Company": "Slow Tx Inc"}, "stamp": "2021-01-01T00:00:00Z"}).json()
    row = http.get(f"/_sandbox/records/Lead/{made['id']}").json()
    assert row["SystemModstamp"] == "2021-01-01T00:00:00.000+0000"
    http.patch(f"/_sandbox/records/Lead/{made['id']}", json={"fields": {"City": "Oslo"}, "stamp": 1_700_000_000})
    assert http.get(f"/_sandbox/records/Lead/{made['id']}").json()["City"] == "Oslo"
    http.request("DELETE", f"/_sandbox/records/Lead/{made['id']}")
    state = http.get("/_sandbox/state").json()
    assert state["records"]["Lead"] == {"live": 50, "deleted": 1}
    refused = http.post("/_sandbox/records/Lead", json={"fields": {"LastName": "NoCompany"}})
    assert refused.status_code == 400 and refused.json()["error"] == "REQUIRED_FIELD_MISSING"
    assert http.post("/_sandbox/config", json={"colour": "red"}).status_code == 400
    assert http.get("/_sandbox/nothing-here").status_code == 404


def test_seeded_data_is_realistic_and_reproducible():
    with start(seed=5, leads=200, accounts=10, contacts=20, campaigns=3, members=30) as a, \
            start(seed=5, leads=200, accounts=10, contacts=20, campaigns=3, members=30) as b:
        rows_a = sorted(a.org.store.snapshot("Lead"), key=lambda r: r["Id"])
        rows_b = sorted(b.org.store.snapshot("Lead"), key=lambda r: r["Id"])
        strip = ("CreatedDate", "LastModifiedDate", "SystemModstamp")
        assert [{k: v for k, v in r.items() if k not in strip} for r in rows_a] == \
               [{k: v for k, v in r.items() if k not in strip} for r in rows_b]
        stamps = [r["SystemModstamp"] for r in rows_a]
        assert len(set(stamps)) < len(stamps)  # same-second ties exist
        assert all("@" in r["Email"] and r["Company"] and r["LastName"] for r in rows_a)
        assert len({r["Country"] for r in rows_a}) > 3 and len({r["Industry"] for r in rows_a}) > 10
        members = a.org.store.snapshot("CampaignMember")
        assert all(m["CampaignId"].startswith("701") and (m["LeadId"] or m["ContactId"]) for m in members)


def test_command_line_serves_in_the_foreground():
    proc = subprocess.Popen(
        [sys.executable, "-m", "leadloop_salesforce.sandbox", "--port", "0", "--leads", "5", "--quiet"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        banner = proc.stdout.readline()
        assert banner.startswith("Salesforce sandbox on http://127.0.0.1:")
        url = banner.split()[-1]
        lines = dict(proc.stdout.readline().strip().split(":", 1) for _ in range(4))
        assert lines["client_id"].strip() == "leadloop-sandbox"
        state = httpx.get(f"{url}/_sandbox/state").json()
        assert state["records"]["Lead"]["live"] == 5
    finally:
        proc.terminate()
        proc.wait(timeout=10)
