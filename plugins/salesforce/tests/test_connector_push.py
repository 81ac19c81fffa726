"""Write-back through sObject Collections: batches, per-record results, unknown outcomes."""

from __future__ import annotations

import pytest
from leadloop.errors import ConfigError, QuotaExceeded, RetriableError
from leadloop.source import Change
from leadloop_salesforce.sandbox import start


def update(n, record_id, **fields):
    return Change(outbox_id=n, object_type="lead", external_id=record_id, fields=fields)


def create(n, **fields):
    return Change(outbox_id=n, object_type="lead", external_id=None, fields=fields)


@pytest.fixture
def leads(sf):
    return [sf.org.create("Lead", {"LastName": f"Push{i}", "Company": "Acme"}) for i in range(3)]


def test_partial_failure_gives_one_result_per_change_in_input_order(sf, connect, leads):
    sf.org.delete("Lead", leads[2])
    changes = [
        update(1, leads[0], Status="Working - Contacted"),
        create(2, LastName="New", Company="Beta", Status="Open - Not Contacted"),
        update(3, leads[1], Status="Sort Of Interested"),
        create(4, LastName="NoCompany"),
        update(5, leads[2], Status="Working - Contacted"),
        update(6, leads[1], **{"Bad Field": "x"}),
    ]
    results = connect(sf).push("lead", changes)
    assert [r.outbox_id for r in results] == [1, 2, 3, 4, 5, 6]
    assert [r.ok for r in results] == [True, True, False, False, False, False]
    assert results[0].external_id == leads[0]
    assert results[1].external_id.startswith("00Q") and sf.org.get("Lead", results[1].external_id)["Company"] == "Beta"
    assert results[2].error.startswith("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: Lead Status: bad value")
    assert "(fields: Status)" in results[2].error
    assert results[3].error.startswith("REQUIRED_FIELD_MISSING")
    assert results[4].error.startswith("ENTITY_IS_DELETED")
    assert "not Salesforce API field names: 'Bad Field'" in results[5].error
    assert [r.retriable for r in results[2:]] == [False, False, False, False]
    assert sf.org.get("Lead", leads[0])["Status"] == "Working - Contacted"
    assert sf.org.counters()["collections_update"] == sf.org.counters()["collections_create"] == 1


def test_changes_go_in_batches_of_200(connect):
    with start(leads=450, seed=9) as sf:
        ids = [r["Id"] for r in sf.org.store.snapshot("Lead")]
        changes = [update(n, i, Rating="Hot") for n, i in enumerate(ids)]
        connector = connect(sf)
        results = connector.push("lead", changes)
        assert all(r.ok for r in results) and len(results) == 450
        assert sf.org.counters()["collections_update"] == 3
        assert connector.rt.api_calls == 3
        assert {r["Rating"] for r in sf.org.store.snapshot("Lead")} == {"Hot"}


def test_a_timeout_leaves_the_batch_outcome_unknown(sf, connect, http, leads):
    connector = connect(sf, timeout_seconds=0.2)
    list(connector.pull("campaign", None))  # a live session first, so the delay hits the write
    http.post("/_sandbox/config", json={"faults": {"latency_ms": 500}})
    results = connector.push("lead", [update(1, leads[0], City="Oslo"), update(2, leads[1], City="Rome")])
    assert [r.ok for r in results] == [None, None]
    assert all(r.retriable for r in results)


def test_a_dropped_connection_on_a_write_is_unknown_too(sf, connect, leads):
    sf.org.faults.inject("drop")
    [result] = connect(sf).push("lead", [update(1, leads[0], City="Oslo")])
    assert result.ok is None and "no answer" in result.error


def test_a_rate_limit_before_anything_was_written_raises(sf, connect, leads):
    connector = connect(sf)
    list(connector.pull("campaign", None))  # a live session first, so the fault hits the write
    sf.org.faults.inject("429", retry_after=3)
    with pytest.raises(RetriableError) as caught:
        connector.push("lead", [update(1, leads[0], City="Oslo")])
    assert caught.value.retry_after == 3


def test_a_rate_limit_after_a_written_batch_keeps_its_results(connect):
    with start(leads=250, seed=3) as sf:
        ids = [r["Id"] for r in sf.org.store.snapshot("Lead")]
        connector = connect(sf)
        list(connector.pull("campaign", None))  # a live session first
        sf.org.faults.inject("429", retry_after=5, after=1)  # the second batch is refused
        results = connector.push("lead", [update(n, i, City="Pushed") for n, i in enumerate(ids)])
        assert [r.ok for r in results[:200]] == [True] * 200
        assert all(r.ok is False and r.retriable and "not sent" in r.error for r in results[200:])
        assert sum(r["City"] == "Pushed" for r in sf.org.store.snapshot("Lead")) == 200


def test_quota_on_the_first_batch_raises(sf, connect, http, leads):
    http.post("/_sandbox/config", json={"daily_limit": 1, "api_usage": 1})
    with pytest.raises(QuotaExceeded):
        connect(sf).push("lead", [update(1, leads[0], City="Oslo")])


def test_a_request_level_refusal_fails_the_batch_for_good(sf, connect, leads):
    [result] = connect(sf).push("lead", [update(1, leads[0], NumberOfEmployees="many")])
    assert result.ok is False and result.retriable is False
    assert result.error.startswith("JSON_PARSER_ERROR")


def test_only_writable_objects_can_be_pushed(sf, connect):
    with pytest.raises(ConfigError, match="cannot handle object type 'account'"):
        connect(sf).push("account", [])
