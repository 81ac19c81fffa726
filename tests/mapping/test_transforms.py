"""Each transform, on every generated path (see conftest.run_field)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest


def test_trim_lower_upper(map_value):
    assert map_value({"core": "title", "transforms": ["trim"]}, "  CTO \t") == "CTO"
    assert map_value({"core": "title", "transforms": ["lower"]}, "Head Of IT") == "head of it"
    assert map_value({"core": "address.state", "transforms": ["trim", "upper"]}, " ca ") == "CA"


def test_text_methods_apply_to_each_list_item(map_value):
    field = {"core": "products_of_interest", "transforms": [{"split": ","}, "upper"]}
    assert map_value(field, "storage, backup") == ["STORAGE", "BACKUP"]


def test_split_trims_items_and_drops_blank_ones(map_value):
    field = {"core": "products_of_interest", "transforms": [{"split": ";"}]}
    assert map_value(field, " Storage; Backup;;Cloud ;") == ["Storage", "Backup", "Cloud"]
    assert map_value(field, "") == []


def test_split_keeps_a_list_from_an_api_as_a_list(map_value):
    field = {"core": "products_of_interest", "transforms": [{"split": ";"}]}
    assert map_value(field, [" Storage ", "", "Backup"]) == ["Storage", "Backup"]


def test_join_makes_one_text_of_a_list(map_value):
    field = {"core": "notes", "transforms": [{"join": " / "}]}
    assert map_value(field, ["call back", "wants demo"]) == "call back / wants demo"
    assert map_value(field, "already text") == "already text"


def test_value_map_replaces_known_values_and_keeps_others(map_value):
    field = {
        "core": "industry",
        "transforms": [{"value_map": {"Tech": "Technology", "Mfg": "Manufacturing"}}],
    }
    assert map_value(field, "Mfg") == "Manufacturing"
    assert map_value(field, "Retail") == "Retail"


def test_value_map_works_item_by_item_on_lists(map_value):
    field = {"core": "products_of_interest", "transforms": [{"split": ";"}, {"value_map": {"BK": "Backup"}}]}
    assert map_value(field, "BK;Storage") == ["Backup", "Storage"]


def test_value_map_to_null_means_no_value(map_value):
    field = {"core": "industry", "value_map": {"N/A": None, "-": None}}
    assert map_value(field, "N/A") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-05-20T20:49:32.000+0000", datetime(2013, 5, 20, 20, 49, 32, tzinfo=UTC)),  # Salesforce
        ("2023-04-07T21:59:01Z", datetime(2023, 4, 7, 21, 59, 1, tzinfo=UTC)),  # Dataverse
        ("2023-04-07T23:59:01+02:00", datetime(2023, 4, 7, 23, 59, 1, tzinfo=timezone(timedelta(hours=2)))),
        ("2023-04-07", datetime(2023, 4, 7)),
        (" 2023-04-07T10:00:00 ", datetime(2023, 4, 7, 10)),
    ],
)
def test_datetime_reads_iso_8601_and_the_crms_variants(map_value, text, expected):
    assert map_value({"core": "created_at", "transforms": ["datetime"]}, text) == expected


def test_date_with_formats_tries_each_after_iso(map_value):
    field = {"core": "created_at", "transforms": [{"date": ["%d/%m/%Y", "%d.%m.%Y %H:%M"]}]}
    assert map_value(field, "07/04/2023") == datetime(2023, 4, 7)
    assert map_value(field, "07.04.2023 18:30") == datetime(2023, 4, 7, 18, 30)
    assert map_value(field, "2023-04-07T21:59:01Z") == datetime(2023, 4, 7, 21, 59, 1, tzinfo=UTC)


def test_the_salesforce_format_of_the_mapping_docs_parses(map_value):
    field = {"core": "created_at", "transforms": [{"date": "%Y-%m-%dT%H:%M:%S.%f%z"}]}
    value = map_value(field, "2013-05-20T20:49:32.000+0000")
    assert value == datetime(2013, 5, 20, 20, 49, 32, tzinfo=UTC)


def test_a_date_field_keeps_only_the_date(map_value):
    field = {"core": "close_date", "transforms": [{"date": "%d/%m/%Y"}]}
    assert map_value(field, "31/12/2026", "opportunity") == date(2026, 12, 31)
    assert map_value({"core": "close_date"}, "2026-12-31T23:00:00Z", "opportunity") == date(2026, 12, 31)


def test_unreadable_dates_name_what_was_expected(refused):
    (reason,) = refused({"core": "created_at", "transforms": [{"date": "%d/%m/%Y"}]}, "next Tuesday")
    assert reason.startswith("not a date") and "%d/%m/%Y" in reason


def test_default_fills_blank_values_only(map_value):
    field = {"core": "lead_source", "transforms": ["trim", {"default": "Web"}]}
    assert map_value(field, "   ") == "Web"
    assert map_value(field, "Trade show") == "Trade show"
    assert map_value(field, None) == "Web"


def test_constant_transform_ignores_the_source(map_value):
    assert (
        map_value({"core": "lead_source", "transforms": [{"constant": "Partner portal"}]}, "Web")
        == "Partner portal"
    )


def test_country_transform(map_value, refused):
    assert map_value({"core": "address.country", "transforms": ["country"]}, " Deutschland ") == "DE"
    assert refused({"core": "address.country", "transforms": ["country"]}, "Atlantis") == [
        "unknown country 'Atlantis' (use a country name or an ISO 3166 code such as 'DE')"
    ]


def test_int_transform(map_value, refused):
    field = {"core": "lead_score", "transforms": ["int"]}
    assert map_value(field, "42") == 42
    assert map_value(field, " 42 ") == 42
    assert map_value(field, "-7") == -7
    assert map_value(field, "12.0") == 12
    assert map_value(field, 12.0) == 12
    assert map_value(field, "") is None
    assert refused(field, "12.5") == ["not a whole number"]
    assert refused(field, "twelve") == ["not a whole number"]
    assert refused(field, True) == ["not a whole number"]


def test_decimal_transform_is_exact(map_value, refused):
    field = {"core": "annual_revenue", "transforms": ["decimal"]}
    assert map_value(field, "1250000.50") == Decimal("1250000.50")
    assert map_value(field, "-3.5") == Decimal("-3.5")
    assert map_value(field, 0.1) == Decimal(
        "0.1"
    )  # a JSON float read through its repr, not 0.1000000000000000055...
    assert map_value(field, " ") is None
    for junk in ("NaN", "Infinity", "1.2.3", "12 EUR"):
        assert refused(field, junk) == ["not a number"], junk


@pytest.mark.parametrize(
    "address",
    [
        "ada@example.com",
        "Ada.Lovelace+crm@mail.example.co.uk",
        "o'brien@example.ie",
        "jürgen@münchen.de",
        "x@xn--80ak6aa92e.com",
        "first_last@sub-domain.example.org",
    ],
)
def test_email_accepts_addresses_people_have(map_value, address):
    assert map_value({"core": "email", "transforms": ["email"]}, f" {address} ") == address


@pytest.mark.parametrize(
    "junk",
    [
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada@@example.com",
        "ada lovelace@example.com",
        "ada..l@example.com",
        ".ada@example.com",
        "ada@-example.com",
        "ada@example-.com",
        "ada@example.c0m",
        "a" * 250 + "@example.com",
    ],
)
def test_email_refuses_what_cannot_be_an_address(refused, junk):
    assert refused({"core": "email", "transforms": ["email"]}, junk) == ["not an email address"]


def test_split_cells_are_remembered_but_every_row_gets_its_own_list(monkeypatch):
    from leadloop.mapping import compile_mapping, snippets

    monkeypatch.setattr(snippets, "SPLIT_MEMO_SIZE", 2)
    mapping = compile_mapping(
        {
            "object": "lead",
            "fields": [{"core": "products_of_interest", "source": "P", "transforms": [{"split": ";"}]}],
        }
    )
    mapper = mapping.for_columns(["P"])
    first = mapper(["A; B"])["products_of_interest"]
    first.append("changed by the store")
    assert mapper(["A; B"])["products_of_interest"] == ["A", "B"]
    for text in ("C", "D;E", "F", "G"):
        assert mapper([text])["products_of_interest"] == text.split(";")
    (memo,) = [value for name, value in mapper.__globals__.items() if name.startswith("_splits")]
    assert memo == {"A; B": ("A", "B"), "C": ("C",)}
