"""Whole records in and out: aliases, problems of a record, custom fields, write-back, metadata."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from leadloop.errors import BadRecord
from leadloop.mapping import MappedField, compile_mapping
from leadloop.model import SalesStatus

LEAD = {
    "object": "lead",
    "source": "Lead",
    "fields": [
        {"core": "external_id", "source": "Id", "direction": "in"},
        {
            "core": "email",
            "source": ["Email", "E-mail", "Email Address"],
            "transforms": ["trim", "lower"],
            "required": True,
        },
        {"core": "address.country", "source": "Country", "transforms": ["trim", "country"]},
        {"core": "products_of_interest", "source": "Products", "transforms": [{"split": ";"}]},
        {
            "core": "sales_status",
            "source": "Status",
            "value_map": {
                "Open - Not Contacted": "Not Contacted",
                "Working - Contacted": "Contacted",
                "Working": "Contacted",
            },
        },
        {"core": "lead_source", "constant": "Trade show"},
        {"core": "created_at", "source": "CreatedDate", "transforms": [{"date": "%Y-%m-%dT%H:%M:%S.%f%z"}]},
        {"core": "employees", "source": "NumberOfEmployees"},
        {"core": "annual_revenue", "source": "AnnualRevenue"},
        {
            "core": "custom.partner_notes",
            "source": "Partner_Notes__c",
            "internal": True,
            "label": "Notes for partner",
            "default": "",
        },
        {"core": "rejection_reason", "source": "Rejection_Reason__c", "direction": "out"},
    ],
}

SALESFORCE_LEAD = {
    "Id": "00Q5e00000AbCdE",
    "Email": " Ada@Example.COM ",
    "Country": "United Kingdom",
    "Products": "Storage;Backup",
    "Status": "Working - Contacted",
    "CreatedDate": "2013-05-20T20:49:32.000+0000",
    "NumberOfEmployees": 250,
    "AnnualRevenue": 1250000.5,
    "Partner_Notes__c": None,
    "Rejection_Reason__c": "ignored on the way in",
}


@pytest.fixture(scope="module")
def lead_mapping():
    return compile_mapping(LEAD, file="lead.yaml")


def test_a_salesforce_lead_comes_in(lead_mapping):
    assert lead_mapping.apply_in(SALESFORCE_LEAD) == {
        "external_id": "00Q5e00000AbCdE",
        "email": "ada@example.com",
        "address.country": "GB",
        "products_of_interest": ["Storage", "Backup"],
        "sales_status": "Contacted",
        "lead_source": "Trade show",
        "created_at": datetime(2013, 5, 20, 20, 49, 32, tzinfo=UTC),
        "employees": 250,
        "annual_revenue": Decimal("1250000.5"),
        "custom": {"partner_notes": ""},
    }


def test_the_first_alias_present_is_read(lead_mapping):
    assert lead_mapping.apply_in({"Email Address": "b@example.com"})["email"] == "b@example.com"
    assert (
        lead_mapping.apply_in({"E-mail": "c@example.com", "Email Address": "d@example.com"})["email"]
        == "c@example.com"
    )


def test_fields_the_record_lacks_come_out_empty(lead_mapping):
    result = lead_mapping.apply_in({"Email": "a@example.com"})
    assert result["address.country"] is None and result["products_of_interest"] == []
    assert result["sales_status"] == "Not Contacted"


def test_a_bad_record_lists_every_bad_field_by_its_source_name(lead_mapping):
    record = {
        "E-mail": "ada(at)example.com",
        "Country": "Atlantis",
        "NumberOfEmployees": "12.5",
        "Status": "Hot",
        "CreatedDate": "yesterday",
        "AnnualRevenue": "1.2M",
    }
    with pytest.raises(BadRecord) as caught:
        lead_mapping.apply_in(record, label="Lead 00Q5e00000AbCdE")
    error = caught.value
    assert error.record == "Lead 00Q5e00000AbCdE"
    assert [(p.field, p.value) for p in error.problems] == [
        ("E-mail", "ada(at)example.com"),
        ("Country", "Atlantis"),
        ("Status", "Hot"),
        ("CreatedDate", "yesterday"),
        ("NumberOfEmployees", "12.5"),
        ("AnnualRevenue", "1.2M"),
    ]
    reasons = [p.reason for p in error.problems]
    assert reasons[0] == "not an email address"
    assert reasons[1].startswith("unknown country 'Atlantis'")
    assert reasons[4] == "not a whole number"
    assert reasons[5] == "not a number"
    assert str(error).startswith(
        "Lead 00Q5e00000AbCdE: field 'E-mail': not an email address; field 'Country'"
    )


@pytest.mark.parametrize(
    "record",
    [SALESFORCE_LEAD, {"Email": "a@example.com"}, {"Email Address": "b@example.com", "Partner_Notes__c": "VIP"}],
)
def test_the_tuple_form_gives_the_same_values_in_the_order_of_its_fields(lead_mapping, record):
    as_dict = lead_mapping.apply_in(record)
    mapper = lead_mapping.as_tuples()
    values = mapper(record)
    assert isinstance(values, tuple)
    assert mapper.fields == tuple(as_dict) and dict(zip(mapper.fields, values, strict=True)) == as_dict
    assert lead_mapping.as_tuples() is mapper  # compiled once


def test_the_tuple_form_refuses_a_bad_record_with_the_same_problems(lead_mapping):
    record = {"E-mail": "ada(at)example.com", "Country": "Atlantis", "NumberOfEmployees": -3}
    with pytest.raises(BadRecord) as as_dict:
        lead_mapping.apply_in(record, label="Lead 1")
    with pytest.raises(BadRecord) as as_tuple:
        lead_mapping.as_tuples()(record, label="Lead 1")
    assert as_tuple.value.record == "Lead 1"
    assert as_tuple.value.problems == as_dict.value.problems
    assert [p.field for p in as_tuple.value.problems] == ["E-mail", "Country", "NumberOfEmployees"]


def test_a_missing_required_field_is_named_by_its_first_alias(lead_mapping):
    with pytest.raises(BadRecord) as caught:
        lead_mapping.apply_in({"Country": "DE"})
    assert [(p.field, p.reason, p.value) for p in caught.value.problems] == [("Email", "required", None)]


def test_write_back_reverses_the_mapping(lead_mapping):
    core = {
        "external_id": "00Q5e00000AbCdE",
        "email": "ada@example.com",
        "address.country": "GB",
        "products_of_interest": ["Storage", "Backup"],
        "sales_status": SalesStatus.CONTACTED,
        "created_at": datetime(2013, 5, 20, 20, 49, 32, tzinfo=UTC),
        "employees": 250,
        "annual_revenue": Decimal("1250000.50"),
        "custom": {"partner_notes": "call after 3pm"},
        "rejection_reason": "Out of territory",
    }
    assert lead_mapping.apply_out(core) == {
        "Email": "ada@example.com",
        "Country": "GB",
        "Products": "Storage;Backup",
        "Status": "Working - Contacted",  # the first source value mapping to Contacted
        "CreatedDate": "2013-05-20T20:49:32.000000+0000",
        "NumberOfEmployees": 250,
        "AnnualRevenue": 1250000.5,
        "Partner_Notes__c": "call after 3pm",
        "Rejection_Reason__c": "Out of territory",
    }


def test_write_back_takes_nested_records_and_skips_what_is_absent(lead_mapping):
    out = lead_mapping.apply_out({"address": {"country": "DE"}, "sales_status": "Nurture", "email": None})
    assert out == {"Country": "DE", "Status": "Nurture", "Email": None}


def test_round_trip_source_to_core_to_source(lead_mapping):
    source = {
        "Email": "ada@example.com",
        "Country": "DE",
        "Products": "Storage;Backup",
        "Status": "Open - Not Contacted",
        "CreatedDate": "2013-05-20T20:49:32.000000+0000",
        "NumberOfEmployees": 12,
        "AnnualRevenue": 99.5,
        "Partner_Notes__c": "n",
    }
    again = lead_mapping.apply_out(lead_mapping.apply_in(source))
    assert again == source
    assert lead_mapping.apply_in(again) == lead_mapping.apply_in(source)


def test_constants_going_out_are_written():
    mapping = compile_mapping(
        {
            "object": "lead",
            "fields": [
                {"core": "email", "source": "Email"},
                {"core": "lead_source", "source": "LeadSource", "constant": "leadloop"},
            ],
        }
    )
    assert mapping.apply_in({"Email": "a@example.com", "LeadSource": "Web"})["lead_source"] == "leadloop"
    assert mapping.apply_out({"email": "a@example.com"}) == {
        "Email": "a@example.com",
        "LeadSource": "leadloop",
    }


def test_dates_go_out_as_iso_without_a_format():
    mapping = compile_mapping(
        {
            "object": "opportunity",
            "fields": [
                {"core": "name", "source": "Name"},
                {"core": "close_date", "source": "CloseDate"},
            ],
        }
    )
    assert mapping.apply_out({"close_date": date(2026, 12, 31)}) == {"CloseDate": "2026-12-31"}


def test_metadata_for_partner_views(lead_mapping):
    by_core = {f.core: f for f in lead_mapping.fields}
    assert by_core["custom.partner_notes"] == MappedField(
        core="custom.partner_notes",
        sources=("Partner_Notes__c",),
        direction="both",
        required=False,
        internal=True,
        label="Notes for partner",
    )
    assert by_core["email"].sources == ("Email", "E-mail", "Email Address")
    assert by_core["email"].required and not by_core["email"].internal and by_core["email"].label is None
    assert by_core["rejection_reason"].direction == "out"
    assert [f.core for f in lead_mapping.fields if not f.internal][:2] == ["external_id", "email"]


def test_records_do_not_share_list_values():
    mapping = compile_mapping(
        {
            "object": "lead",
            "fields": [
                {"core": "email", "source": "E"},
                {"core": "products_of_interest", "constant": ["Storage"]},
            ],
        }
    )
    first, second = mapping.apply_in({"E": "a@example.com"}), mapping.apply_in({"E": "b@example.com"})
    first["products_of_interest"].append("Backup")
    assert second["products_of_interest"] == ["Storage"]


def test_the_generated_code_is_there_to_read(lead_mapping):
    source = lead_mapping.python_source
    assert source.startswith("def apply_in(rec, *, label='record'):")
    assert "# f1 fields[1]: 'email'" in source
    assert "rec.get('E-mail', _MISSING)" in source
