"""Write-back through the outbox: batches, per-record results, timeouts, retries of one record."""

from __future__ import annotations

from collections.abc import Callable

from leadloop.hub import change_lead
from leadloop.plugins import Plugins
from leadloop.store import Store
from leadloop.store.tables import leads, outbox
from leadloop.sync.runner import run_job
from leadloop.sync.runs import get
from leadloop.testing.fakeserver import Running
from leadloop.testing.fixtures import FAST_RETRY
from sqlalchemy import select


def setup(fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins, n: int) -> list[str]:
    """Pull n leads, then mark every one 'Contacted' in the hub; returns their external ids."""
    fake.source.seed(n)
    apply(fake.url, page_size=100)
    assert run_job(leadloop_store, leadloop_plugins, "acme", "src", "pull", retry=FAST_RETRY).outcome == "ok"
    with leadloop_store.read() as conn:
        rows = conn.execute(select(leads.c.id, leads.c.external_id).order_by(leads.c.external_id)).all()
    for lead_id, _ in rows:
        change_lead(leadloop_store, leadloop_plugins, "acme", lead_id, {"sales_status": "Contacted"})
    return [external_id for _, external_id in rows]


def push(leadloop_store: Store, leadloop_plugins: Plugins) -> dict:  # type: ignore[type-arg]
    result = run_job(leadloop_store, leadloop_plugins, "acme", "src", "push", retry=FAST_RETRY)
    assert result.run_id is not None
    return get(leadloop_store, result.run_id)


def statuses(leadloop_store: Store) -> dict[str, tuple[str, str | None]]:
    with leadloop_store.read() as conn:
        return {r.external_id: (r.status, r.last_error)
                for r in conn.execute(select(outbox.c.external_id, outbox.c.status, outbox.c.last_error))}


def test_changes_go_out_in_the_largest_batches_the_connector_declares(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins
) -> None:
    ids = setup(fake, apply, leadloop_store, leadloop_plugins, 120)
    run = push(leadloop_store, leadloop_plugins)
    assert run["outcome"] == "ok"
    assert fake.source.calls["batch"] == 3  # 120 changes in batches of 50
    assert (run["records_written"], run["api_calls"]) == (120, 3)
    assert {w["id"] for w in fake.source.writes} == set(ids)
    assert set(statuses(leadloop_store).values()) == {("confirmed", None)}
    assert push(leadloop_store, leadloop_plugins)["records_written"] == 0  # nothing left to send


def test_a_refused_record_fails_alone_and_a_busy_one_is_retried_alone(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins
) -> None:
    ids = setup(fake, apply, leadloop_store, leadloop_plugins, 60)
    fake.source.faults.fail_write_ids = {ids[3]}
    fake.source.faults.flaky_write_ids = {ids[7]: 2}
    run = push(leadloop_store, leadloop_plugins)
    result = statuses(leadloop_store)
    assert result[ids[3]] == ("failed", "VALIDATION: status not allowed")
    assert result[ids[7]] == ("confirmed", None)
    assert sum(1 for status, _ in result.values() if status == "confirmed") == 59
    assert (run["records_written"], run["records_failed"]) == (59, 1)
    # The busy record went out twice more by itself, after its batch.
    assert fake.source.calls["batch"] == 2 + 2
    assert push(leadloop_store, leadloop_plugins)["records_written"] == 0  # the refused record is not sent again


def test_a_timeout_leaves_changes_unknown_and_the_next_run_sends_them_again(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins
) -> None:
    ids = setup(fake, apply, leadloop_store, leadloop_plugins, 10)
    apply(fake.url, page_size=100, timeout=0.2)
    fake.source.faults.rate_stall = 1.0
    fake.source.faults.stall_seconds = 0.5
    push(leadloop_store, leadloop_plugins)
    assert set(statuses(leadloop_store).values()) == {("unknown", "POST /batch: no answer within the timeout")}
    fake.source.faults.rate_stall = 0.0
    assert push(leadloop_store, leadloop_plugins)["records_written"] == 10
    assert set(statuses(leadloop_store).values()) == {("confirmed", None)}
    # The stalled call was applied by the source too: repeating it was safe.
    assert [w["id"] for w in fake.source.writes].count(ids[0]) == 2
