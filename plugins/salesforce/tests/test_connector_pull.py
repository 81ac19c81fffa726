"""Incremental pulls against a started sandbox, over HTTP."""

from __future__ import annotations

import math

import pytest
from leadloop.errors import ConfigError, FatalError
from leadloop_salesforce import soql
from leadloop_salesforce.sandbox import start
from leadloop_salesforce.sandbox.clock import parse_datetime


def test_pages_follow_next_records_url_with_exact_call_counts(connect):
    with start(seed=4, leads=4500) as sf:
        connector = connect(sf)
        pages = list(connector.pull("lead", None))
        assert [len(p.records) for p in pages] == [2000, 2000, 500]
        assert connector.rt.api_calls == math.ceil(4500 / 2000)
        assert sf.org.counters() == {"token": 1, "queryAll": 1, "query_more": 2}

        rows = [r for p in pages for r in p.records]
        assert len({r["Id"] for r in rows}) == 4500
        keys = [(r["SystemModstamp"], r["Id"]) for r in rows]
        assert keys == sorted(keys)
        assert "attributes" not in rows[0] and {"Email", "Company", "Status"} <= set(rows[0])
        assert pages[0].watermark == {"stamp": rows[1999]["SystemModstamp"], "id": rows[1999]["Id"]}
        assert pages[-1].watermark == {"stamp": rows[-1]["SystemModstamp"], "id": rows[-1]["Id"]}


def test_query_batch_size_setting_sets_the_page_size(sf, connect):
    sf.org.seed_data(leads=470)
    pages = list(connect(sf, query_batch_size=200).pull("lead", None))
    assert [len(p.records) for p in pages] == [200, 200, 100]


def test_an_incremental_pull_reads_only_what_changed(sf, connect, http):
    connector = connect(sf, overlap_seconds=0)
    [page] = list(connector.pull("lead", None))
    assert not list(connector.pull("lead", page.watermark))[0].records[1:]  # only the inclusive last row
    http.post("/_sandbox/clock", json={"advance": 60})
    changed = page.records[0]["Id"]
    sf.org.update("Lead", changed, {"Status": "Working - Contacted"})
    [later] = list(connector.pull("lead", page.watermark))
    assert [r["Id"] for r in later.records] == [page.watermark["id"], changed]
    assert later.records[-1]["Status"] == "Working - Contacted"


def test_same_second_ties_across_a_page_boundary_lose_nothing(sf, connect):
    stamp = parse_datetime("2030-01-01T00:00:00Z")
    made = {sf.org.create("Lead", {"LastName": f"Tie{i}", "Company": "Tie Co"}, stamp=stamp) for i in range(450)}
    connector = connect(sf, overlap_seconds=0, query_batch_size=200)
    first = next(iter(connector.pull("lead", {"stamp": "2029-12-31T23:59:59.000+0000", "id": "00Q5e0000000001"})))
    assert len(first.records) == 200 and first.watermark["stamp"] == "2030-01-01T00:00:00.000+0000"
    # The run stops after this page; the next run resumes from its watermark.
    rest = [r["Id"] for p in connector.pull("lead", first.watermark) for r in p.records]
    assert rest[0] == first.watermark["id"]  # inclusive: the last row is read again
    assert {r["Id"] for r in first.records} | set(rest) == made


def test_the_overlap_catches_rows_that_commit_behind_the_watermark(sf, connect):
    [page] = list(connect(sf).pull("lead", None))
    behind = parse_datetime(page.watermark["stamp"]) - 120
    late = sf.org.create("Lead", {"LastName": "Late", "Company": "Long Tx"}, stamp=behind)
    without = {r["Id"] for p in connect(sf, overlap_seconds=0).pull("lead", page.watermark) for r in p.records}
    with_overlap = {r["Id"] for p in connect(sf, overlap_seconds=300).pull("lead", page.watermark)
                    for r in p.records}
    assert late not in without
    assert late in with_overlap


def test_deleted_records_are_reported_not_returned(sf, connect, api):
    [page] = list(connect(sf).pull("lead", None))
    gone = page.records[3]["Id"]
    assert api.delete(f"/sobjects/Lead/{gone}").status_code == 204
    pages = list(connect(sf).pull("lead", page.watermark))
    deleted = [d for p in pages for d in p.deleted]
    assert [d.external_id for d in deleted] == [gone]
    assert deleted[0].deleted_at.endswith("+0000")
    assert gone not in {r["Id"] for p in pages for r in p.records}
    assert pages[-1].watermark["id"] == gone  # the deletion is the newest change


@pytest.mark.parametrize("object_type, prefix", [
    ("contact", "003"), ("account", "001"), ("opportunity", "006"), ("campaign", "701"), ("campaign_member", "00v"),
])
def test_every_readable_object_pulls(sf, connect, object_type, prefix):
    pages = list(connect(sf).pull(object_type, None))
    assert pages and all(r["Id"].startswith(prefix) for p in pages for r in p.records)


def test_configured_fields_replace_the_standard_list(sf, connect):
    [page] = list(connect(sf, fields={"lead": ["Email"]}).pull("lead", None))
    assert set(page.records[0]) == {"Id", "IsDeleted", "SystemModstamp", "Email"}


def test_a_field_the_org_lacks_is_a_configuration_error(sf, connect):
    with pytest.raises(ConfigError, match="No such column 'Region__c'"):
        list(connect(sf, fields={"lead": ["Region__c"]}).pull("lead", None))


def test_names_and_watermarks_cannot_inject_soql(sf, connect):
    with pytest.raises(ConfigError, match="not a Salesforce API name"):
        list(connect(sf, fields={"lead": ["Email FROM Account --"]}).pull("lead", None))
    hostile = {"stamp": "2024-01-01T00:00:00.000+0000", "id": "00Q' OR Name != '"}
    with pytest.raises(FatalError, match="not a Salesforce id"):
        list(connect(sf, overlap_seconds=0).pull("lead", hostile))
    with pytest.raises(FatalError, match="not a datetime"):
        list(connect(sf).pull("lead", {"stamp": "2024-01-01 OR Id != null", "id": None}))
    assert sf.org.counters().get("queryAll") is None  # nothing reached Salesforce


@pytest.mark.parametrize("hostile", [
    "x' OR LastName != 'y",
    "x\\' OR LastName != \\'y",
    "back\\slash\\",
    "line\nbreak\ttab \"quoted\"",
    "' OR Id != null OR Name = '",
])
def test_a_hostile_value_is_matched_exactly_and_changes_nothing(sf, connect, hostile):
    target = sf.org.create("Lead", {"LastName": hostile, "Company": "Injection Ltd"})
    client = connect(sf).client
    body = client.call("GET", "/query", params={"q": f"SELECT Id, LastName FROM Lead WHERE LastName = {soql.quote(hostile)}"})
    assert [(r["Id"], r["LastName"]) for r in body["records"]] == [(target, hostile)]
