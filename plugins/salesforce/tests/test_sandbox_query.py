"""SOQL over HTTP: filters, escapes, ordering, limits, pagination, queryAll and query errors."""

from __future__ import annotations

import httpx
import pytest
from leadloop_salesforce.sandbox import start


def query(api, soql, endpoint="query", **headers):
    response = api.get(f"/{endpoint}", params={"q": soql}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def ids_of(body):
    return [r["Id"] for r in body["records"]]


@pytest.fixture
def people(sf):
    """Five known leads (plus the seeded ones), created through the in-process API."""
    rows = {
        "ann": {"FirstName": "Ann", "LastName": "O'Hara", "Company": "Back\\slash Ltd", "Country": "Ireland",
                "NumberOfEmployees": 10, "Status": "Working - Contacted", "Email": "ann@example.com"},
        "bob": {"FirstName": "Bob", "LastName": "Stone", "Company": "Line\nBreak GmbH", "Country": "Germany",
                "NumberOfEmployees": 250},
        "cy": {"FirstName": "Cy", "LastName": "Zed", "Company": "100% Pure_Data", "Country": "ireland",
               "NumberOfEmployees": None},
        "dee": {"FirstName": "Dée", "LastName": "Ünal", "Company": "Umlaut AG", "Country": "Österreich",
                "NumberOfEmployees": 5000, "Rating": "Hot"},
        "eve": {"FirstName": "Eve", "LastName": "Quote", "Company": "Say \"hi\"", "Country": "France",
                "NumberOfEmployees": 42, "Rating": "Cold"},
    }
    return {k: sf.org.create("Lead", v) for k, v in rows.items()}


def test_record_shape_and_datetime_format(api, people):
    body = query(api, f"SELECT Id, Company, CreatedDate, IsDeleted FROM Lead WHERE Id = '{people['ann']}'")
    assert body["totalSize"] == 1 and body["done"] is True and "nextRecordsUrl" not in body
    record = body["records"][0]
    assert record["attributes"] == {"type": "Lead", "url": f"/services/data/v60.0/sobjects/Lead/{people['ann']}"}
    assert list(record) == ["attributes", "Id", "Company", "CreatedDate", "IsDeleted"]
    assert record["Company"] == "Back\\slash Ltd"
    assert record["IsDeleted"] is False
    assert record["CreatedDate"].endswith(".000+0000") and len(record["CreatedDate"]) == 28


@pytest.mark.parametrize("where, expected", [
    ("LastName = 'O\\'Hara'", {"ann"}),
    ("Company = 'Back\\\\slash Ltd'", {"ann"}),
    ("Company = 'Line\\nBreak GmbH'", {"bob"}),
    ("Company = 'Say \\\"hi\\\"'", {"eve"}),
    ("FirstName = 'D\\u00e9e'", {"dee"}),
    ("Country = 'IRELAND'", {"ann", "cy"}),
    ("Company LIKE '100\\% Pure\\_%'", {"cy"}),
    ("Company LIKE '%slash%'", {"ann"}),
    ("Country IN ('France', 'Germany')", {"bob", "eve"}),
    ("NumberOfEmployees >= 250", {"bob", "dee"}),
    ("NumberOfEmployees < 42", {"ann"}),
    ("NumberOfEmployees = null", {"cy"}),
    ("Rating != 'Hot'", {"ann", "bob", "cy", "eve"}),
    ("(Country = 'France' OR Country = 'Germany') AND NumberOfEmployees > 100", {"bob"}),
    ("NOT Country = 'Ireland'", {"bob", "dee", "eve"}),
    ("Country NOT IN ('Ireland', 'France')", {"bob", "dee"}),
    ("Status = 'Working - Contacted' AND Email = 'ann@example.com'", {"ann"}),
])
def test_filters(api, people, where, expected):
    known = ", ".join(f"'{i}'" for i in people.values())
    body = query(api, f"SELECT Id FROM Lead WHERE Id IN ({known}) AND ({where})")
    by_id = {v: k for k, v in people.items()}
    assert {by_id[i] for i in ids_of(body)} == expected


def test_a_hostile_value_stays_a_value(api, people):
    hostile = "x' OR LastName != 'y"
    escaped = hostile.replace("\\", "\\\\").replace("'", "\\'")
    assert query(api, f"SELECT Id FROM Lead WHERE LastName = '{escaped}'")["totalSize"] == 0


def test_order_by_with_direction_nulls_and_limit(api, people):
    known = ", ".join(f"'{i}'" for i in people.values())
    by_id = {v: k for k, v in people.items()}
    body = query(api, f"SELECT Id FROM Lead WHERE Id IN ({known}) ORDER BY NumberOfEmployees DESC")
    assert [by_id[i] for i in ids_of(body)] == ["dee", "bob", "eve", "ann", "cy"]  # DESC: nulls last
    body = query(api, f"SELECT Id FROM Lead WHERE Id IN ({known}) ORDER BY NumberOfEmployees ASC NULLS LAST")
    assert [by_id[i] for i in ids_of(body)] == ["ann", "eve", "bob", "dee", "cy"]
    body = query(api, f"SELECT Id FROM Lead WHERE Id IN ({known}) ORDER BY LastName LIMIT 2")
    assert [by_id[i] for i in ids_of(body)] == ["ann", "eve"]
    assert body["totalSize"] == 2


@pytest.mark.parametrize("literal", [
    "2000-01-01T00:00:00Z", "2000-01-01T00:00:00.000+0000", "2000-01-01T01:00:00+01:00",
])
def test_datetime_literal_forms(api, literal):
    body = query(api, f"SELECT Id FROM Lead WHERE SystemModstamp >= {literal}")
    assert body["totalSize"] == 30


def test_stamp_and_id_ordering_breaks_ties(sf, api):
    stamp = 1_700_000_000
    made = [sf.org.create("Lead", {"LastName": f"T{i}", "Company": "Tie"}, stamp=stamp) for i in range(3)]
    body = query(api, "SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp = 2023-11-14T22:13:20Z "
                      "ORDER BY SystemModstamp, Id")
    assert ids_of(body) == sorted(made)
    assert {r["SystemModstamp"] for r in body["records"]} == {"2023-11-14T22:13:20.000+0000"}


def test_pagination_follows_next_records_url():
    with start(leads=4500, seed=1) as sf, httpx.Client(base_url=sf.url) as http:
        token = http.post("/services/oauth2/token", data={
            "grant_type": "refresh_token", "refresh_token": sf.refresh_token, "client_id": sf.client_id,
        }).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        first = http.get("/services/data/v60.0/query", params={"q": "SELECT Id FROM Lead ORDER BY Id"}).json()
        assert (first["totalSize"], first["done"], len(first["records"])) == (4500, False, 2000)
        assert first["nextRecordsUrl"].startswith("/services/data/v60.0/query/01g")
        assert first["nextRecordsUrl"].endswith("-2000")
        seen = ids_of(first)
        url = first["nextRecordsUrl"]
        while url:
            page = http.get(url).json()
            seen += ids_of(page)
            url = page.get("nextRecordsUrl")
            assert page["done"] is (url is None)
        assert len(seen) == 4500 == len(set(seen)) and seen == sorted(seen)

        small = http.get("/services/data/v60.0/query", params={"q": "SELECT Id FROM Lead"},
                         headers={"Sforce-Query-Options": "batchSize=200"}).json()
        assert len(small["records"]) == 200 and small["nextRecordsUrl"].endswith("-200")
        assert len(http.get(small["nextRecordsUrl"]).json()["records"]) == 200
        assert sf.org.counters()["query_more"] == 3


def test_batch_size_is_clamped_to_the_documented_range(api):
    body = query(api, "SELECT Id FROM Lead", **{"Sforce-Query-Options": "batchSize=5"})
    assert len(body["records"]) == 30  # 200 at least: all 30 fit


def test_query_all_includes_deleted_rows_and_query_does_not(sf, api, people):
    assert api.delete(f"/sobjects/Lead/{people['bob']}").status_code == 204
    soql = f"SELECT Id, IsDeleted FROM Lead WHERE Id = '{people['bob']}'"
    assert query(api, soql)["totalSize"] == 0
    rows = query(api, soql, endpoint="queryAll")["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in rows] == [(people["bob"], True)]


@pytest.mark.parametrize("soql, code, fragment", [
    ("SELECT Id FROM Lead WHERE", "MALFORMED_QUERY", "unexpected token: '<EOF>'"),
    ("SELEC Id FROM Lead", "MALFORMED_QUERY", "unexpected token"),
    ("SELECT Id FROM Lead WHERE LastName = 'x' AND Company = 'y' OR City = 'z'", "MALFORMED_QUERY", "OR"),
    ("SELECT Id FROM Lead WHERE LastName = 'unterminated", "MALFORMED_QUERY", "unexpected token"),
    ("SELECT Id FROM Lead WHERE LastName = 'bad \\q escape'", "MALFORMED_QUERY", "Illegal character sequence"),
    ("SELECT Id FROM Lead LIMIT -1", "MALFORMED_QUERY", "unexpected token"),
    ("SELECT Id, Foo FROM Lead", "INVALID_FIELD", "No such column 'Foo' on entity 'Lead'"),
    ("SELECT Id FROM Lead ORDER BY Bar", "INVALID_FIELD", "No such column 'Bar'"),
    ("SELECT Id FROM Lead WHERE SystemModstamp > '2024-01-01'", "INVALID_FIELD", "must be of type dateTime"),
    ("SELECT Id FROM Lead WHERE NumberOfEmployees = '5'", "INVALID_FIELD", "must be of type double"),
    ("SELECT Id FROM Lead WHERE Company = 5", "INVALID_FIELD", "must be of type string"),
    ("SELECT Id FROM Lead WHERE Description = 'x'", "INVALID_FIELD", "can not be filtered"),
    ("SELECT Id FROM Lead WHERE Id = 'nope'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field"),
    ("SELECT Id FROM Leed", "INVALID_TYPE", "sObject type 'Leed' is not supported"),
])
def test_query_errors(api, soql, code, fragment):
    response = api.get("/query", params={"q": soql})
    assert response.status_code == 400
    [error] = response.json()
    assert error["errorCode"] == code
    assert fragment in error["message"]
    assert "ERROR at Row:1:Column:" in error["message"]


def test_an_unknown_query_locator_is_refused(api):
    response = api.get("/query/01g5e0000000000AAA-2000")
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
