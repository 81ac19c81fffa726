"""The bulk lead upsert and the lead queries."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from leadloop.errors import ConfigError, FatalError
from leadloop.model import LEAD_FIELDS
from leadloop.store import LEAD_COLUMNS, Store, TenantStore, UpsertCounts, tables
from leadloop.store.leads import prepare_leads
from leadloop.store.types import UTCDateTime
from sqlalchemy import select, update
from sqlalchemy.dialects import sqlite

LeadRow = Callable[..., dict[str, Any]]


def _upsert(store: Store, tenant: TenantStore, rows: list[dict[str, Any]]) -> UpsertCounts:
    with store.transaction() as conn:
        return tenant.upsert_leads(conn, rows)


def _by_key(tenant: TenantStore) -> dict[str, dict[str, Any]]:
    return {lead["uniqueness_key"]: lead for lead in tenant.list_leads(limit=1000)}


def test_upsert_inserts_then_updates_and_repeating_it_changes_nothing(
    store: Store, acme: TenantStore, lead_row: LeadRow
) -> None:
    rows = [lead_row(n) for n in range(50)]
    assert _upsert(store, acme, rows) == UpsertCounts(inserted=50, updated=0)
    first = _by_key(acme)
    assert acme.count_leads() == 50

    assert _upsert(store, acme, rows) == UpsertCounts(inserted=0, updated=50)
    again = _by_key(acme)
    assert acme.count_leads() == 50
    for key, lead in first.items():
        assert again[key]["id"] == lead["id"]
        assert again[key]["created_at"] == lead["created_at"]
        assert {k: v for k, v in again[key].items() if k != "updated_at"} == {
            k: v for k, v in lead.items() if k != "updated_at"
        }


def test_upsert_updates_known_leads_and_inserts_new_ones_in_one_batch(
    store: Store, acme: TenantStore, lead_row: LeadRow
) -> None:
    _upsert(store, acme, [lead_row(n) for n in range(10)])
    before = _by_key(acme)
    rows = [lead_row(n, title="VP Engineering") for n in range(5, 15)]
    assert _upsert(store, acme, rows) == UpsertCounts(inserted=5, updated=5)
    after = _by_key(acme)
    assert len(after) == 15
    assert {lead["title"] for lead in after.values()} == {None, "VP Engineering"}
    for n in range(5, 10):
        key = f"email:lead{n}@example.com"
        assert after[key]["title"] == "VP Engineering"
        assert after[key]["id"] == before[key]["id"]
        assert after[key]["updated_at"] >= before[key]["updated_at"]


def test_a_key_repeated_in_one_batch_is_one_lead_and_the_last_row_wins(
    store: Store, acme: TenantStore, lead_row: LeadRow
) -> None:
    rows = [lead_row(1, first_name="Ada"), lead_row(1, first_name="Augusta")]
    assert _upsert(store, acme, rows) == UpsertCounts(inserted=1, updated=1)
    [lead] = acme.list_leads()
    assert lead["first_name"] == "Augusta"


def test_columns_a_batch_does_not_carry_are_kept(store: Store, acme: TenantStore, lead_row: LeadRow) -> None:
    _upsert(store, acme, [lead_row(1, phone="+44 20 7946 0000", lead_score=70)])
    _upsert(store, acme, [{"uniqueness_key": "email:lead1@example.com", "lead_score": 90}])
    [lead] = acme.list_leads()
    assert (lead["phone"], lead["lead_score"], lead["company"]) == (
        "+44 20 7946 0000",
        90,
        "Analytical Engines",
    )
    _upsert(store, acme, [lead_row(1, phone=None)])
    assert acme.list_leads()[0]["phone"] is None


def test_a_key_some_rows_lack_is_null_for_those_rows(
    store: Store, acme: TenantStore, lead_row: LeadRow
) -> None:
    with_phone = lead_row(1, phone="555-0101")
    without = lead_row(2)
    assert _upsert(store, acme, [with_phone, without]) == UpsertCounts(2, 0)
    leads = _by_key(acme)
    assert leads["email:lead1@example.com"]["phone"] == "555-0101"
    assert leads["email:lead2@example.com"]["phone"] is None


def test_an_update_keeps_the_leads_origin(store: Store, acme: TenantStore, lead_row: LeadRow) -> None:
    acme.upsert_connector("files", "csv_sftp", uniqueness="email")
    _upsert(store, acme, [lead_row(1)])
    _upsert(store, acme, [lead_row(1, source_connector="files", external_id="row 2", title="CTO")])
    [lead] = acme.list_leads()
    assert (lead["source_connector"], lead["external_id"], lead["title"]) == ("crm", "00Q000001", "CTO")


def test_every_lead_field_round_trips_with_its_type(store: Store, acme: TenantStore) -> None:
    paris = timezone(timedelta(hours=2))
    row: dict[str, Any] = {
        "uniqueness_key": "email+campaign:ada@example.com|spring",
        "source_connector": "crm",
        "external_id": "00Q1",
        "created_at": datetime(2026, 3, 1, 14, 30, tzinfo=paris),
        "modified_at": datetime(2026, 3, 2, 9, 0, 0, 123456),  # naive: taken as UTC
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "title": "CTO",
        "phone": "+44 20 7946 0000",
        "mobile_phone": "+44 7700 900000",
        "company": "Analytical Engines",
        "website": "https://example.com",
        "employees": 120,
        "industry": "Software",
        "annual_revenue": Decimal("1250000.50"),
        "lead_source": "Trade show",
        "campaign": "spring",
        "products_of_interest": ["routers", "switches"],
        "notes": "met at the booth; wants a demo",
        "lead_score": 87,
        "distribution_status": "assigned",
        "sales_status": "Contacted",
        "rejection_reason": None,
        "address.street": "1 Main St",
        "address.city": "London",
        "address.state": None,
        "address.postal_code": "EC1A 1BB",
        "address.country": "GB",
        "custom": {"Badge_Scan__c": "B-17", "score_components": [1, 2]},
    }
    assert set(row) - {"uniqueness_key", "source_connector", "custom"} == set(LEAD_FIELDS) - {"source_system"}
    _upsert(store, acme, [row])
    [lead] = acme.list_leads()
    for key, value in row.items():
        column = LEAD_COLUMNS[key]
        if key == "created_at":
            assert lead[column] == value and lead[column].tzinfo == UTC and lead[column].hour == 12
        elif key == "modified_at":
            assert lead[column] == value.replace(tzinfo=UTC)
        else:
            assert lead[column] == value, key
    assert lead["created_at"].tzinfo == UTC and lead["deleted_at"] is None


def test_statuses_and_custom_get_their_defaults(store: Store, acme: TenantStore, lead_row: LeadRow) -> None:
    _upsert(store, acme, [lead_row(1)])
    [lead] = acme.list_leads()
    assert (lead["distribution_status"], lead["sales_status"], lead["custom"]) == (
        "unassigned",
        "Not Contacted",
        {},
    )


def test_source_system_is_the_models_name_for_source_connector(store: Store, acme: TenantStore) -> None:
    _upsert(store, acme, [{"uniqueness_key": "k1", "source_system": "crm", "email": "a@example.com"}])
    assert acme.list_leads()[0]["source_connector"] == "crm"


def test_core_finds_a_timestamp_the_bulk_upsert_wrote(
    store: Store, acme: TenantStore, lead_row: LeadRow
) -> None:
    stamp = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
    _upsert(store, acme, [lead_row(1, modified_at=stamp)])
    with store.read() as conn:
        found = conn.execute(
            select(tables.leads.c.id).where(tables.leads.c.source_modified_at == stamp)
        ).scalar_one_or_none()
    assert found is not None


@pytest.mark.parametrize(
    "stamp",
    [
        datetime(2026, 3, 1, 12, 0, 5),
        datetime(2026, 3, 1, 12, 0, 5, 7, tzinfo=UTC),
        datetime(2026, 3, 1, 14, 0, 5, 123456, tzinfo=timezone(timedelta(hours=2))),
    ],
)
def test_sqlite_timestamps_are_the_text_sqlalchemy_writes(stamp: datetime) -> None:
    """Stored text is compared and sorted as text: one format, whoever wrote the value."""
    dialect = sqlite.dialect()
    ours = UTCDateTime().bind_processor(dialect)
    theirs = sqlite.DATETIME().bind_processor(dialect)  # type: ignore[no-untyped-call]
    assert ours is not None and theirs is not None
    as_utc = stamp if stamp.tzinfo is None else stamp.astimezone(UTC).replace(tzinfo=None)
    assert ours(stamp) == theirs(as_utc)
    assert ours(stamp).startswith("2026-03-01 12:00:05.")


def test_unknown_fields_and_a_missing_key_are_config_errors(
    store: Store, acme: TenantStore, lead_row: LeadRow
) -> None:
    with pytest.raises(ConfigError, match="does not know: favourite_colour"):
        _upsert(store, acme, [lead_row(1, favourite_colour="green")])
    with pytest.raises(ConfigError, match="no uniqueness_key"):
        _upsert(store, acme, [{"email": "a@example.com"}])
    assert acme.count_leads() == 0


def test_upsert_outside_a_transaction_is_refused(store: Store, acme: TenantStore, lead_row: LeadRow) -> None:
    with store.engine.connect() as conn, pytest.raises(FatalError, match=r"Store\.transaction"):
        acme.upsert_leads(conn, [lead_row(1)])


def test_a_rolled_back_transaction_leaves_no_lead(store: Store, acme: TenantStore, lead_row: LeadRow) -> None:
    with pytest.raises(RuntimeError), store.transaction() as conn:
        acme.upsert_leads(conn, [lead_row(n) for n in range(5)])
        raise RuntimeError("the page's checkpoint failed")
    assert acme.count_leads() == 0


def test_an_empty_batch_does_nothing(store: Store, acme: TenantStore) -> None:
    assert _upsert(store, acme, []) == UpsertCounts(0, 0)


def test_a_deleted_lead_leaves_the_queries_and_comes_back_when_sent_again(
    store: Store, acme: TenantStore, lead_row: LeadRow
) -> None:
    _upsert(store, acme, [lead_row(1), lead_row(2)])
    gone = acme.find_leads_by_email("lead1@example.com")[0]["id"]
    with store.transaction() as conn:
        conn.execute(
            update(tables.leads)
            .where(tables.leads.c.tenant_id == "acme", tables.leads.c.id == gone)
            .values(deleted_at=datetime.now(UTC))
        )
    assert acme.count_leads() == 1
    assert acme.find_leads_by_email("lead1@example.com") == []
    assert [lead["email"] for lead in acme.list_leads()] == ["lead2@example.com"]
    deleted = acme.get_lead(gone)
    assert deleted is not None and deleted["deleted_at"] is not None

    assert _upsert(store, acme, [lead_row(1)]) == UpsertCounts(0, 1)
    assert acme.count_leads() == 2
    revived = acme.get_lead(gone)
    assert revived is not None and revived["deleted_at"] is None


def test_lead_queries(store: Store, acme: TenantStore, lead_row: LeadRow) -> None:
    _upsert(store, acme, [lead_row(n) for n in range(5)])
    _upsert(
        store,
        acme,
        [lead_row(9, uniqueness_key="email+campaign:lead1@example.com|fall", email="lead1@example.com")],
    )
    assert acme.count_leads() == 6
    assert len(acme.list_leads(limit=3)) == 3
    assert acme.list_leads(limit=1)[0]["external_id"] == "00Q000009"  # newest first
    twins = acme.find_leads_by_email("lead1@example.com")
    assert sorted(lead["uniqueness_key"] for lead in twins) == [
        "email+campaign:lead1@example.com|fall",
        "email:lead1@example.com",
    ]
    assert acme.find_leads_by_email("nobody@example.com") == []
    one = twins[0]
    assert acme.get_lead(one["id"]) == one
    assert acme.get_lead("no-such-id") is None


def test_a_large_batch_counts_right(store: Store, acme: TenantStore, lead_row: LeadRow) -> None:
    rows = [lead_row(n) for n in range(12_000)]
    assert _upsert(store, acme, rows[:7_000]) == UpsertCounts(7_000, 0)
    assert _upsert(store, acme, rows) == UpsertCounts(5_000, 7_000)
    assert acme.count_leads() == 12_000


def test_json_the_fast_encoder_refuses_is_written_by_the_standard_one(
    store: Store, acme: TenantStore, lead_row: LeadRow
) -> None:
    custom = {"huge": 2**70, "text": "Müller \u2603", "nested": {"list": [1, None, True]}}
    _upsert(store, acme, [lead_row(1, custom=custom)])
    assert acme.get_lead(_by_key(acme)["email:lead1@example.com"]["id"])["custom"] == custom


def test_a_prepared_batch_survives_pickling_whatever_its_text_holds(lead_row: LeadRow, store: Store) -> None:
    rows = [lead_row(1, notes="a\x1fb"), lead_row(2, notes=None), lead_row(3, notes="")]
    batch = prepare_leads(store.engine.dialect, rows)
    back = pickle.loads(pickle.dumps(batch))
    assert (back.keys, back.size) == (batch.keys, batch.size)
    assert [list(c) for c in back.columns] == [list(c) for c in batch.columns]
    assert list(back.column("notes")) == ["a\x1fb", None, ""]
