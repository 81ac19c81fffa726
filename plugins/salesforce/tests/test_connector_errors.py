"""How the connector's reads sort Salesforce's failures into leadloop's error tree."""

from __future__ import annotations

import pytest
from leadloop.errors import ConfigError, QuotaExceeded, RetriableError
from leadloop_salesforce.sandbox import start


def test_429_is_retriable_and_carries_retry_after(sf, connect):
    sf.org.faults.inject("429", retry_after=7)
    with pytest.raises(RetriableError) as caught:
        list(connect(sf).pull("lead", None))
    assert caught.value.retry_after == 7
    assert "HTTP 429" in str(caught.value)


def test_503_mid_pull_is_retriable_after_the_pages_already_yielded(connect):
    with start(leads=2500) as sf:
        sf.org.faults.inject("503", retry_after=2, after=1)  # the second page's request
        pages = connect(sf).pull("lead", None)
        first = next(pages)
        with pytest.raises(RetriableError) as caught:
            next(pages)
        assert caught.value.retry_after == 2
        assert len(first.records) == 2000  # the engine resumes from first.watermark


def test_the_daily_quota_ends_the_run_cleanly(sf, connect, http):
    http.post("/_sandbox/config", json={"daily_limit": 5, "api_usage": 5})
    with pytest.raises(QuotaExceeded, match="daily API request limit") as caught:
        list(connect(sf).pull("lead", None))
    assert "api-usage=5/5" in str(caught.value)


def test_a_dropped_connection_on_a_read_is_retriable(sf, connect):
    sf.org.faults.inject("drop")
    with pytest.raises(RetriableError, match="no answer from Salesforce"):
        list(connect(sf).pull("lead", None))


def test_a_read_timeout_is_retriable(sf, connect, http):
    connector = connect(sf, timeout_seconds=0.2)
    list(connector.pull("campaign", None))  # a live session first, so the delay hits the query
    http.post("/_sandbox/config", json={"faults": {"latency_ms": 500}})
    with pytest.raises(RetriableError, match="GET .*/queryAll: no answer from Salesforce"):
        list(connector.pull("lead", None))


def test_an_object_the_connector_does_not_read_is_a_configuration_error(sf, connect):
    with pytest.raises(ConfigError, match="cannot handle object type 'partner'"):
        list(connect(sf).pull("partner", None))
