"""Binding a mapping to a file's header row once, then mapping rows by position."""

from __future__ import annotations

import pytest
from leadloop.errors import BadRecord, ConfigError
from leadloop.mapping import compile_mapping

MAPPING = compile_mapping(
    {
        "object": "lead",
        "fields": [
            {
                "core": "email",
                "source": ["Email", "E-mail", "Email Address"],
                "transforms": ["trim", "lower"],
                "required": True,
            },
            {"core": "company", "source": ["Company", "Account Name"], "required": True},
            {"core": "address.country", "source": "Country"},
            {"core": "employees", "source": "Employees"},
            {"core": "lead_source", "source": "Source", "default": "Trade show"},
            {"core": "campaign", "constant": "Spring Expo"},
        ],
    },
    file="expo.yaml",
)


def test_headers_match_aliases_ignoring_case_spaces_and_a_bom():
    mapper = MAPPING.for_columns(["\ufeffemail address", "ACCOUNT  NAME", " Country ", "Badge Id"])
    assert mapper.columns == {
        "email": "email address",
        "company": "ACCOUNT  NAME",
        "address.country": "Country",
    }
    assert mapper.unmapped == ("Badge Id",)
    assert mapper.absent == ("employees", "lead_source")
    row = mapper(["ADA@example.com", "Analytical Engines", "UK", "B-17"])
    # No Employees column: the row says nothing about it (an update keeps the stored value); the
    # absent Source column has a default, which is filled in.
    assert row == {
        "email": "ada@example.com",
        "company": "Analytical Engines",
        "address.country": "GB",
        "lead_source": "Trade show",
        "campaign": "Spring Expo",
    }


def test_the_first_alias_the_file_has_wins_and_duplicate_headers_are_unmapped():
    mapper = MAPPING.for_columns(["E-mail", "Email", "Company", "company"])
    assert mapper.columns["email"] == "Email"
    assert mapper(["x@example.com", "y@example.com", "A", "B"])["email"] == "y@example.com"
    assert mapper.unmapped == ("E-mail", "company")


def test_a_missing_required_column_is_reported_once_for_the_file():
    with pytest.raises(ConfigError) as caught:
        MAPPING.for_columns(["First Name", "Country"], file="expo-2026.csv")
    assert str(caught.value).startswith("expo-2026.csv: required columns are missing")
    assert [(p.file, p.path, p.reason) for p in caught.value.problems] == [
        (
            "expo-2026.csv",
            "header",
            (
                "no column for required field 'email' (looked for 'Email', 'E-mail', 'Email Address', "
                "ignoring case and spaces)"
            ),
        ),
        (
            "expo-2026.csv",
            "header",
            (
                "no column for required field 'company' (looked for 'Company', 'Account Name', "
                "ignoring case and spaces)"
            ),
        ),
    ]


def test_a_bad_row_names_its_cells_by_the_files_header():
    mapper = MAPPING.for_columns(["E-Mail ", "Company", "Country", "Employees"])
    with pytest.raises(BadRecord) as caught:
        mapper(["not an address", "", "Atlantis", "many"], "row 17")
    assert caught.value.record == "row 17"
    assert [(p.field, p.reason.split(" (")[0], p.value) for p in caught.value.problems] == [
        ("E-Mail", "not an email address", "not an address"),
        ("Company", "required", ""),
        ("Country", "unknown country 'Atlantis'", "Atlantis"),
        ("Employees", "not a whole number", "many"),
    ]


def test_short_rows_read_missing_cells_as_empty_and_long_rows_ignore_extra_cells():
    mapper = MAPPING.for_columns(["Email", "Company", "Country", "Employees"])
    assert mapper(["a@example.com", "A"])["address.country"] is None
    assert mapper(["a@example.com", "A", "FR", "7", "extra", "cells"])["employees"] == 7


def test_a_row_mapper_is_plain_generated_code():
    mapper = MAPPING.for_columns(["Email", "Company", "Notes"])
    assert mapper.python_source.startswith("def map_row(row, label='row'):")
    assert "f0, f1, _ = row" in mapper.python_source


def test_custom_fields_without_a_column_leave_no_custom_key():
    mapping = compile_mapping(
        {"object": "lead", "fields": [{"core": "email", "source": "Email"},
                                      {"core": "custom.badge", "source": "Badge"}]}
    )
    assert mapping.for_columns(["Email"])(["a@b.co"]) == {"email": "a@b.co"}
    assert mapping.for_columns(["Email", "Badge"])(["a@b.co", "B-1"]) == {"email": "a@b.co", "custom": {"badge": "B-1"}}


@pytest.mark.parametrize(
    ("headers", "row"),
    [
        (["\ufeffemail address", "ACCOUNT  NAME", " Country ", "Badge Id"], ["ADA@example.com", "Analytical", "UK", "B"]),
        (["Email", "Company", "Country", "Employees", "Source"], ["a@example.com", "A", "fr", "7", ""]),
        (["Company", "Email"], ["A", "b@example.com"]),
    ],
)
def test_a_tuple_mapper_gives_the_same_values_in_the_order_of_its_fields(headers, row):
    as_dict = MAPPING.for_columns(headers)(row)
    mapper = MAPPING.for_columns(headers, as_tuples=True)
    values = mapper(row)
    assert isinstance(values, tuple)
    assert mapper.fields == tuple(as_dict) and dict(zip(mapper.fields, values, strict=True)) == as_dict


def test_a_tuple_mapper_carries_custom_fields_as_one_dict_and_refuses_bad_rows_alike():
    mapping = compile_mapping(
        {"object": "lead", "fields": [{"core": "email", "source": "Email", "required": True},
                                      {"core": "custom.badge", "source": "Badge"},
                                      {"core": "custom.booth", "constant": "B-12"}]}
    )
    mapper = mapping.for_columns(["Badge", "Email"], as_tuples=True)
    assert mapper.fields == ("email", "custom")
    assert mapper(["B-1", "a@b.co"]) == ("a@b.co", {"badge": "B-1", "booth": "B-12"})
    with pytest.raises(BadRecord) as refused:
        mapper(["B-1", ""], "row 7")
    assert refused.value.record == "row 7" and [p.field for p in refused.value.problems] == ["Email"]
