"""Incremental pulls from the fake source over loopback HTTP into a real store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from leadloop.plugins import Plugins
from leadloop.store import Store
from leadloop.store.tables import checkpoints as checkpoint_rows
from leadloop.store.tables import leads, rejects
from leadloop.sync import checkpoints
from leadloop.sync import pull as pull_module
from leadloop.sync.runner import run_job
from leadloop.sync.runs import get
from leadloop.testing.fakeserver import Running, stamp
from leadloop.testing.fixtures import FAST_RETRY
from leadloop.testing.paths import SameKeys, stored
from sqlalchemy import select


def pull(leadloop_store: Store, leadloop_plugins: Plugins) -> dict:  # type: ignore[type-arg]
    result = run_job(leadloop_store, leadloop_plugins, "acme", "src", "pull", retry=FAST_RETRY)
    assert result.run_id is not None
    return get(leadloop_store, result.run_id)


def external_ids(leadloop_store: Store, *, live: bool = True) -> list[str]:
    query = select(leads.c.external_id).where(leads.c.tenant_id == "acme")
    if live:
        query = query.where(leads.c.deleted_at.is_(None))
    with leadloop_store.read() as conn:
        return sorted(conn.execute(query).scalars())


def test_pull_reads_every_record_page_by_page(fake: Running, apply: Callable[..., None], leadloop_store: Store,
                                             leadloop_plugins: Plugins) -> None:
    fake.source.seed(450)
    apply(fake.url, page_size=100)
    run = pull(leadloop_store, leadloop_plugins)
    assert run["outcome"] == "ok", run["error"]
    assert external_ids(leadloop_store) == sorted(fake.source.records)
    # Five pages; each page after the first starts at the previous page's last record (inclusive).
    assert (run["pages"], run["records_read"], run["api_calls"]) == (5, 454, 5)
    assert checkpoints.load(leadloop_store, "acme", "src", "pull", "lead") == {"stamp": stamp(449 // 3), "id": "L0000449"}
    lead = leadloop_store.tenant("acme").find_leads_by_email("lead7@example7.com")[0]
    assert (lead["first_name"], lead["address_country"], lead["sales_status"]) == ("First7", "FR", "Not Contacted")


def test_second_pull_resumes_from_the_watermark(fake: Running, apply: Callable[..., None], leadloop_store: Store,
                                               leadloop_plugins: Plugins) -> None:
    fake.source.seed(250)
    apply(fake.url, page_size=100)
    pull(leadloop_store, leadloop_plugins)
    fake.source.upsert("L0000010", {"first_name": "Changed"})
    run = pull(leadloop_store, leadloop_plugins)
    assert run["records_read"] == 2  # the last record of the watermark again, and the changed one
    assert leadloop_store.tenant("acme").find_leads_by_email("lead10@example10.com")[0]["first_name"] == "Changed"
    assert leadloop_store.tenant("acme").count_leads() == 250


def test_overlap_window_catches_rows_committed_behind_the_watermark(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins
) -> None:
    fake.source.seed(300)  # stamps 0..99 seconds
    apply(fake.url, page_size=100, overlap_seconds=120)
    pull(leadloop_store, leadloop_plugins)
    fake.source.upsert("LATE1", {"email": "late@example.com", "last_name": "Late", "company": "C"}, at=50)
    pull(leadloop_store, leadloop_plugins)
    assert "LATE1" in external_ids(leadloop_store)


def test_without_overlap_a_late_row_is_missed(fake: Running, apply: Callable[..., None], leadloop_store: Store,
                                             leadloop_plugins: Plugins) -> None:
    """The contrast that shows what the overlap window is for."""
    fake.source.seed(300)
    apply(fake.url, page_size=100, overlap_seconds=0)
    pull(leadloop_store, leadloop_plugins)
    fake.source.upsert("LATE1", {"email": "late@example.com", "last_name": "Late", "company": "C"}, at=50)
    pull(leadloop_store, leadloop_plugins)
    assert "LATE1" not in external_ids(leadloop_store)


def test_deleted_records_are_recorded_not_dropped(fake: Running, apply: Callable[..., None], leadloop_store: Store,
                                                 leadloop_plugins: Plugins) -> None:
    fake.source.seed(30)
    apply(fake.url, page_size=100)
    pull(leadloop_store, leadloop_plugins)
    fake.source.delete("L0000003")
    pull(leadloop_store, leadloop_plugins)
    assert "L0000003" not in external_ids(leadloop_store)
    assert "L0000003" in external_ids(leadloop_store, live=False)
    assert leadloop_store.tenant("acme").count_leads() == 29


def test_bad_records_are_rejected_by_field_and_the_rest_stored(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins
) -> None:
    fake.source.seed(20)
    fake.source.upsert("L0000005", {"email": "not-an-email", "country": "Atlantis"})
    apply(fake.url, page_size=100)
    run = pull(leadloop_store, leadloop_plugins)
    assert run["outcome"] == "ok"
    assert len(external_ids(leadloop_store)) == 19 and "L0000005" not in external_ids(leadloop_store)
    problems = {(r["record"], r["field"]) for r in run["rejects"]}
    assert problems == {("lead L0000005", "email"), ("lead L0000005", "country")}
    assert (run["records_read"], run["records_failed"]) == (20, 1)  # one record, however many bad fields


@pytest.mark.parametrize(("uniqueness", "kept"), [("none", 28), ("email", 27)])
def test_records_mapped_as_columns_are_stored_as_record_by_record(
    uniqueness: str, kept: int, fake: Running, leadloop_apply: Callable[..., Any], leadloop_store: Store,
    leadloop_plugins: Plugins, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The core's defaults take a page of API records column-wise; a plugin answering the key hook
    sees each record as a dict. Statuses translated, bad records refused: both store the same."""
    fake.source.seed(30)
    fake.source.upsert("L0000003", {"status": "Working"})
    fake.source.upsert("L0000007", {"email": "not-an-email", "country": "Atlantis"})
    fake.source.upsert("L0000011", {"status": "Hot"})
    fake.source.upsert("L0000013", {"email": "LEAD4@example4.com"})  # the same lead as L0000004
    column_pages: list[int] = []
    column_wise = pull_module._map_to_columns
    monkeypatch.setattr(pull_module, "_map_to_columns", lambda *a: column_pages.append(1) or column_wise(*a))
    leadloop_apply({"src": {"type": "fake", "settings": {"url": fake.url, "page_size": 8}, "uniqueness": uniqueness,
                            "secrets": {"refresh_token": {"value": "good-refresh-token"}}}})
    first_run = pull(leadloop_store, leadloop_plugins)
    first = stored(leadloop_store)
    assert column_pages, "the core's defaults did not take the column-wise path"
    with leadloop_store.transaction() as conn:
        for table in (leads, rejects, checkpoint_rows):
            conn.execute(table.delete())
    column_pages.clear()
    leadloop_plugins.pm.register(SameKeys(), name="same-keys")
    try:
        second_run = pull(leadloop_store, leadloop_plugins)
    finally:
        leadloop_plugins.pm.unregister(name="same-keys")
    assert not column_pages
    assert stored(leadloop_store) == first
    counts = ("records_read", "records_failed", "records_written", "records_skipped")
    assert [first_run[k] for k in counts] == [second_run[k] for k in counts]
    assert len(first[0]) == kept  # 30 less two refused; by email, L0000013 is the lead L0000004 is
    leads_by_id = {lead["external_id"]: lead for lead in first[0]}
    assert leads_by_id["L0000003"]["sales_status"] == "Contacted"
    assert {(r[0], r[1]) for r in first[1]} == {("lead L0000007", "email"), ("lead L0000007", "country"),
                                               ("lead L0000011", "status")}


def test_429_on_30_percent_of_requests_still_reads_every_record(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins
) -> None:
    fake.source.faults.rate_429 = 0.3
    fake.source.faults.retry_after = 0.01
    fake.source.seed(1000)
    apply(fake.url, page_size=50)
    run = pull(leadloop_store, leadloop_plugins)
    assert run["outcome"] == "ok", run["error"]
    assert external_ids(leadloop_store) == sorted(fake.source.records)
    assert fake.source.calls["records"] > run["pages"]  # some calls were refused and retried


def test_server_errors_and_timeouts_are_retried(fake: Running, apply: Callable[..., None], leadloop_store: Store,
                                               leadloop_plugins: Plugins) -> None:
    fake.source.faults.rate_5xx = 0.2
    fake.source.faults.rate_stall = 0.1
    fake.source.faults.stall_seconds = 0.3
    fake.source.seed(300)
    apply(fake.url, page_size=50, timeout=0.1)
    run = pull(leadloop_store, leadloop_plugins)
    assert run["outcome"] == "ok", run["error"]
    assert external_ids(leadloop_store) == sorted(fake.source.records)


def test_token_refused_after_page_n_pauses_and_resumes_from_page_n(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins
) -> None:
    fake.source.seed(500)
    fake.source.faults.refuse_after_pages = 3
    apply(fake.url, page_size=100)
    run = pull(leadloop_store, leadloop_plugins)
    assert run["outcome"] == "paused"
    assert "re-authorise connector 'src' of tenant 'acme'" in run["error"]
    connector = leadloop_store.tenant("acme").get_connector("src")
    assert connector is not None and connector.state == "needs_reauth"
    assert "invalid_grant" in (connector.state_reason or "")
    after_three = checkpoints.load(leadloop_store, "acme", "src", "pull", "lead")
    assert after_three == {"stamp": stamp(297 // 3), "id": "L0000297"}  # pages 0-99, 99-198, 198-297
    assert len(external_ids(leadloop_store)) == 298

    # Paused means paused: the scheduler's runs skip it until credentials are fixed.
    skipped = run_job(leadloop_store, leadloop_plugins, "acme", "src", "pull", retry=FAST_RETRY)
    assert skipped.outcome == "skipped" and "needs_reauth" in (skipped.error or "")

    fake.source.faults.refuse_after_pages = None
    fake.source.faults.refuse_tokens = False
    apply(fake.url, page_size=100)  # fresh credentials
    served = len(fake.source.requests)
    run = pull(leadloop_store, leadloop_plugins)
    assert run["outcome"] == "ok", run["error"]
    assert fake.source.requests[served] == {"since_stamp": after_three["stamp"], "since_id": "L0000297"}
    assert external_ids(leadloop_store) == sorted(fake.source.records)


def test_daily_quota_reached_mid_run_ends_it_cleanly_with_progress_kept(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins
) -> None:
    fake.source.seed(500)
    fake.source.faults.daily_quota = 2
    apply(fake.url, page_size=100)
    run = pull(leadloop_store, leadloop_plugins)
    assert run["outcome"] == "quota" and "daily API request limit" in run["error"]
    assert (run["pages"], leadloop_store.tenant("acme").count_leads()) == (2, 199)
    assert checkpoints.load(leadloop_store, "acme", "src", "pull", "lead") == {"stamp": stamp(198 // 3), "id": "L0000198"}
    connector = leadloop_store.tenant("acme").get_connector("src")
    assert connector is not None and connector.state == "ok"  # not paused: tomorrow's run goes on
    fake.source.faults.daily_quota = None
    assert pull(leadloop_store, leadloop_plugins)["outcome"] == "ok"
    assert external_ids(leadloop_store) == sorted(fake.source.records)
