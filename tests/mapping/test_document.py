"""Checking mapping documents: every problem, located, in one go."""

from __future__ import annotations

import pytest
from leadloop.errors import ConfigError
from leadloop.mapping import compile_mapping, load_mapping
from leadloop.schemas import core_schema


def problems_of(document, file="tenant.yaml"):
    with pytest.raises(ConfigError) as caught:
        compile_mapping(document, file=file)
    return {(p.path, p.reason) for p in caught.value.problems}, caught.value


def test_the_schema_is_draft_2020_12_and_found_by_name():
    schema = core_schema("mapping")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["object", "fields"]


def test_a_document_with_several_mistakes_reports_them_all():
    document = {
        "object": "lead",
        "fields": [
            {"core": "email", "source": "Email", "transforms": ["trim", "lowercase"]},
            {"core": "emial", "source": "Email2"},
            {"core": "sales_status", "source": "Status", "value_map": {"Working": "Contaced"}},
            {"core": "address.country", "source": "Country", "transforms": [{"split": 5}]},
            {"core": "employees", "source": "Employees", "transforms": [{"split": ";"}]},
            {"core": "company", "sourc": "Company"},
            {"core": "lead_source", "constant": "Atlantis show", "transforms": ["country"]},
        ],
    }
    found, error = problems_of(document)
    paths = {path for path, _ in found}
    assert paths == {
        "fields[0].transforms[1]",
        "fields[1].core",
        "fields[2].value_map['Working']",
        "fields[3].transforms[0]",
        "fields[4].transforms",
        "fields[5]",
        "fields[6].constant",
    }
    reasons: dict[str, str] = {}
    for path, reason in sorted(found):
        reasons[path] = f"{reasons[path]} | {reason}" if path in reasons else reason
    assert "unknown transform 'lowercase'; did you mean 'lower'?" in reasons["fields[0].transforms[1]"]
    assert reasons["fields[1].core"].startswith("lead has no core field 'emial'; did you mean 'email'?")
    assert reasons["fields[2].value_map['Working']"].startswith("maps to 'Contaced': not a sales status")
    assert reasons["fields[3].transforms[0]"] == "split needs a separator text, e.g. {split: ';'}"
    assert (
        reasons["fields[4].transforms"] == "the value ends up as a list, but 'employees' holds a whole number"
    )
    assert "'sourc' was unexpected" in reasons["fields[5]"]
    assert "give a source field to read, or a constant" in reasons["fields[5]"]
    assert "unknown country 'Atlantis show'" in reasons["fields[6].constant"]
    assert str(error).startswith("tenant.yaml: the mapping has 8 problems")
    assert "tenant.yaml: fields[1].core: lead has no core field 'emial'" in str(error)


def test_transforms_that_cannot_follow_each_other():
    found, _ = problems_of(
        {
            "object": "lead",
            "fields": [
                {"core": "notes", "source": "N", "transforms": ["int", "lower"]},
            ],
        }
    )
    assert found == {
        ("fields[0].transforms[1]", "lower cannot work on a whole number, which is what the value is by then")
    }


def test_arguments_are_checked():
    found, _ = problems_of(
        {
            "object": "lead",
            "fields": [
                {
                    "core": "notes",
                    "source": "N",
                    "transforms": [{"trim": "x"}, "split", {"date": 7}, {"value_map": {"a": {"b": 1}}}],
                },
            ],
        }
    )
    assert found == {
        ("fields[0].transforms[0]", "trim takes no argument; write it bare: trim"),
        ("fields[0].transforms[1]", "split needs an argument: {split: ...}"),
        (
            "fields[0].transforms[2]",
            "date takes a strptime format or a list of them, e.g. {date: '%d/%m/%Y'}",
        ),
        ("fields[0].transforms[3]", "value_map maps 'a' to {'b': 1}; values must be single texts or numbers"),
    }


def test_object_type_must_be_known():
    found, _ = problems_of({"object": "prospect", "fields": [{"core": "email", "source": "E"}]})
    assert found == {
        (
            "object",
            "unknown object type 'prospect' (known: lead, account, contact, opportunity, campaign, campaign_member, partner)",
        )
    }


def test_schema_problems_come_with_their_place():
    found, _ = problems_of(
        {"object": "lead", "fields": [{"core": "email", "source": [], "direction": "sideways"}]}
    )
    assert ("fields[0].source", "[] should be non-empty") in found
    assert ("fields[0].direction", "'sideways' is not one of ['in', 'out', 'both']") in found


def test_fields_that_read_or_write_nothing():
    found, _ = problems_of(
        {
            "object": "lead",
            "fields": [
                {"core": "email"},
                {"core": "notes", "constant": "x", "direction": "out"},
                {"core": "phone", "source": "Phone", "direction": "out", "required": True},
            ],
        }
    )
    assert found == {
        ("fields[0]", "give a source field to read, or a constant"),
        ("fields[1]", "a field going out needs a source field to write to"),
        ("fields[2].required", "required applies to records coming in; this field only goes out"),
    }


def test_one_core_field_filled_twice_or_one_source_field_written_twice():
    found, _ = problems_of(
        {
            "object": "lead",
            "fields": [
                {"core": "email", "source": "Email"},
                {"core": "email", "source": "Mail", "direction": "in"},
                {"core": "notes", "source": "Email", "direction": "out"},
                {"core": "phone", "source": "Phone", "direction": "out"},
                {"core": "phone", "source": "Phone2", "direction": "in"},
            ],
        }
    )
    assert found == {
        ("fields[1].core", "core field 'email' is already filled by fields[0]"),
        ("fields[2].source", "source field 'Email' is already written by fields[0]"),
    }


def test_a_core_field_the_model_needs_must_be_mapped():
    found, _ = problems_of({"object": "account", "fields": [{"core": "website", "source": "Web"}]})
    assert found == {("fields", "account needs core field 'name'; map it from a source or a constant")}


def test_defaults_must_suit_the_field():
    found, _ = problems_of(
        {"object": "lead", "fields": [{"core": "employees", "source": "E", "default": "many"}]}
    )
    assert found == {("fields[0].default", "'many': not a whole number")}


def test_custom_fields_need_a_name():
    found, _ = problems_of({"object": "lead", "fields": [{"core": "custom. ", "source": "X"}]})
    assert found == {("fields[0].core", "name the custom field: custom.<name>")}


def test_not_a_mapping_at_all():
    found, _ = problems_of(["object", "lead"])
    assert found == {("", "['object', 'lead'] is not of type 'object'")}


def test_load_mapping_reads_yaml(tmp_path):
    path = tmp_path / "lead.yaml"
    path.write_text(
        "object: lead\nsource: Lead\nfields:\n"
        "  - core: email\n    source: [Email, E-mail]\n    transforms: [trim, lower]\n    required: true\n"
        "  - core: custom.partner_notes\n    source: Partner_Notes__c\n    internal: true\n"
        "    label: Notes for partner\n",
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    assert mapping.object_type == "lead" and mapping.source == "Lead" and mapping.file == str(path)
    assert mapping.apply_in({"E-mail": "ADA@EXAMPLE.COM"})["email"] == "ada@example.com"


def test_load_mapping_reports_yaml_errors_with_their_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("object: lead\nfields:\n  - core: email\n   source: Email\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_mapping(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path) and problem.path == "line 4, column 4"


def test_load_mapping_of_a_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot read mapping file .*nowhere\.yaml"):
        load_mapping(tmp_path / "nowhere.yaml")


def test_a_field_that_would_refuse_every_record_is_refused_itself():
    found, _ = problems_of(
        {
            "object": "lead",
            "fields": [
                {"core": "employees", "source": "E", "transforms": [{"default": "many"}]},
                {"core": "address.country", "source": "C", "transforms": [{"constant": "Atlantis"}]},
            ],
        }
    )
    assert found == {
        ("fields[0].transforms", "with no source value: not a whole number"),
        (
            "fields[1].transforms",
            (
                "with no source value: unknown country 'Atlantis' (use a country name or an "
                "ISO 3166 code such as 'DE')"
            ),
        ),
    }
