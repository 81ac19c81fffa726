"""The sandbox under concurrent clients, and the speed of a large pull."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from leadloop_salesforce.sandbox import start

API = "/services/data/v60.0"


def _session(sf) -> httpx.Client:
    client = httpx.Client(base_url=sf.url + API, timeout=30)
    token = httpx.post(f"{sf.url}/services/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": sf.refresh_token, "client_id": sf.client_id,
    }).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_concurrent_writers_and_readers_see_consistent_data():
    with start(leads=500, seed=2, rotate_refresh_tokens=False) as sf:
        def writer(n: int) -> int:
            with _session(sf) as api:
                ok = 0
                for batch in range(5):
                    records = [{"attributes": {"type": "Lead"}, "LastName": f"W{n}-{batch}-{i}", "Company": "Par"}
                               for i in range(20)]
                    ok += sum(r["success"] for r in api.post("/composite/sobjects", json={"records": records}).json())
                return ok

        def reader(n: int) -> int:
            with _session(sf) as api:
                seen = 0
                for _ in range(5):
                    body = api.get("/query", params={"q": "SELECT Id FROM Lead"},
                                   headers={"Sforce-Query-Options": "batchSize=200"}).json()
                    seen = len(body["records"])
                    while not body["done"]:
                        body = api.get(sf.url + body["nextRecordsUrl"]).json()
                        seen += len(body["records"])
                    assert seen >= 500
                return seen

        with ThreadPoolExecutor(8) as pool:
            written = sum(pool.map(writer, range(4)))
            list(pool.map(reader, range(4)))
        assert written == 400
        assert sf.org.store.counts()["Lead"]["live"] == 900
        assert sf.org.state()["limits"]["api_usage"] == sum(sf.org.counters().values()) - sf.org.counters()["token"]


@pytest.mark.slow
def test_a_100k_lead_pull_in_pages_of_2000_is_fast():
    """Measures the sandbox's share of a large pull; prints the seconds (pytest -s to see them)."""
    with start(leads=100_000, seed=3) as sf, _session(sf) as api:
        fields = ("Id, FirstName, LastName, Company, Email, Phone, Title, Street, City, State, PostalCode, "
                  "Country, Status, Industry, LeadSource, Rating, AnnualRevenue, NumberOfEmployees, IsDeleted, "
                  "CreatedDate, SystemModstamp")
        began = time.perf_counter()
        body = api.get("/queryAll", params={
            "q": f"SELECT {fields} FROM Lead WHERE SystemModstamp >= 2000-01-01T00:00:00Z "
                 "ORDER BY SystemModstamp, Id"}).json()
        rows, pages = len(body["records"]), 1
        while not body["done"]:
            body = api.get(sf.url + body["nextRecordsUrl"]).json()
            rows, pages = rows + len(body["records"]), pages + 1
        seconds = time.perf_counter() - began
        print(f"\n100k leads in {pages} pages: {seconds:.2f} s")
        assert (rows, pages) == (100_000, 50)
        assert seconds < 20
