"""Two-way sync: later change wins per field; what came from the source never goes back to it."""

from __future__ import annotations

from collections.abc import Callable

from leadloop.hub import change_lead
from leadloop.plugins import Plugins
from leadloop.store import Store
from leadloop.store.tables import outbox
from leadloop.sync.runner import run_job
from leadloop.testing.fakeserver import Running
from leadloop.testing.fixtures import FAST_RETRY
from sqlalchemy import select


def run(leadloop_store: Store, leadloop_plugins: Plugins, job: str) -> None:
    result = run_job(leadloop_store, leadloop_plugins, "acme", "src", job, retry=FAST_RETRY)
    assert result.outcome == "ok", result.error


def lead(leadloop_store: Store, email: str) -> dict:  # type: ignore[type-arg]
    return leadloop_store.tenant("acme").find_leads_by_email(email)[0]


def outbox_rows(leadloop_store: Store) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    with leadloop_store.read() as conn:
        return [tuple(r) for r in conn.execute(select(outbox.c.origin, outbox.c.status, outbox.c.payload)
                                              .order_by(outbox.c.id))]


def test_pulled_changes_are_never_pushed_back(fake: Running, apply: Callable[..., None], leadloop_store: Store,
                                              leadloop_plugins: Plugins) -> None:
    fake.source.seed(10)
    apply(fake.url)
    run(leadloop_store, leadloop_plugins, "pull")
    fake.source.upsert("L0000001", {"status": "Working", "first_name": "Renamed"})
    run(leadloop_store, leadloop_plugins, "pull")
    assert lead(leadloop_store, "lead1@example1.com")["sales_status"] == "Contacted"  # "Working", translated in
    assert outbox_rows(leadloop_store) == []
    run(leadloop_store, leadloop_plugins, "push")
    assert fake.source.writes == []


def test_hub_change_later_than_source_change_wins_and_is_pushed(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins
) -> None:
    fake.source.seed(10)
    apply(fake.url)
    run(leadloop_store, leadloop_plugins, "pull")
    # The source changes the status first (its stamp lies in the past: fake time starts in 2026-01)...
    fake.source.upsert("L0000002", {"status": "Open", "first_name": "FromSource"})
    # ...then a partner works the lead in the hub, now.
    change_lead(leadloop_store, leadloop_plugins, "acme", lead(leadloop_store, "lead2@example2.com")["id"], {"sales_status": "Contacted"})
    run(leadloop_store, leadloop_plugins, "pull")
    row = lead(leadloop_store, "lead2@example2.com")
    assert row["sales_status"] == "Contacted"  # the hub's later change kept
    assert row["first_name"] == "FromSource"  # a field changed only at the source still flows in
    run(leadloop_store, leadloop_plugins, "push")
    assert fake.source.writes == [{"id": "L0000002", "fields": {"status": "Working"}}]
    assert [(o, s) for o, s, _ in outbox_rows(leadloop_store)] == [("hub", "confirmed")]


def test_source_change_later_than_hub_change_wins_and_the_hub_change_is_not_pushed(
    fake: Running, apply: Callable[..., None], leadloop_store: Store, leadloop_plugins: Plugins
) -> None:
    fake.source.seed(10)
    apply(fake.url)
    run(leadloop_store, leadloop_plugins, "pull")
    change_lead(leadloop_store, leadloop_plugins, "acme", lead(leadloop_store, "lead3@example3.com")["id"], {"sales_status": "Contacted"})
    # The source's change is stamped after the hub's (far in the future of the fake clock's epoch).
    fake.source.upsert("L0000003", {"status": "Open"}, at=10**9)
    run(leadloop_store, leadloop_plugins, "pull")
    assert lead(leadloop_store, "lead3@example3.com")["sales_status"] == "Not Contacted"
    assert [(o, s) for o, s, _ in outbox_rows(leadloop_store)] == [("hub", "superseded")]
    run(leadloop_store, leadloop_plugins, "push")
    assert fake.source.writes == []


def test_selective_sync_moves_only_listed_fields(fake: Running, apply: Callable[..., None], leadloop_store: Store,
                                                 leadloop_plugins: Plugins) -> None:
    fake.source.seed(10)
    apply(fake.url, sync={"lead": {"mode": "selective", "in": ["email", "first_name", "last_name", "company"],
                                   "out": ["sales_status"]}})
    run(leadloop_store, leadloop_plugins, "pull")
    fake.source.upsert("L0000004", {"first_name": "NewName", "country": "JP", "status": "Working"})
    run(leadloop_store, leadloop_plugins, "pull")
    row = lead(leadloop_store, "lead4@example4.com")
    assert row["first_name"] == "NewName"
    assert row["address_country"] is None and row["sales_status"] == "Not Contacted"  # not listed: not pulled
    change_lead(leadloop_store, leadloop_plugins, "acme", row["id"], {"sales_status": "Contacted", "notes": "called"})
    run(leadloop_store, leadloop_plugins, "push")
    assert fake.source.writes == [{"id": "L0000004", "fields": {"status": "Working"}}]


def test_source_wins_mode_writes_nothing_back(fake: Running, apply: Callable[..., None], leadloop_store: Store,
                                              leadloop_plugins: Plugins) -> None:
    fake.source.seed(5)
    apply(fake.url, sync={"lead": {"mode": "source_wins"}})
    run(leadloop_store, leadloop_plugins, "pull")
    assert change_lead(leadloop_store, leadloop_plugins, "acme", lead(leadloop_store, "lead1@example1.com")["id"],
                       {"sales_status": "Contacted"}) == []
    run(leadloop_store, leadloop_plugins, "push")
    assert fake.source.writes == []
