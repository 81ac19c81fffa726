"""Values get their core field's type from the model, with no transform asked for."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from leadloop.model import OpportunityStage, SalesStatus


def test_text_fields_are_trimmed_and_blank_is_no_value(map_value):
    assert map_value({"core": "company"}, "  Analytical Engines Ltd ") == "Analytical Engines Ltd"
    assert map_value({"core": "company"}, "   ") is None
    assert map_value({"core": "company"}, None) is None


def test_numbers_from_an_api_become_text_in_text_fields(map_value):
    assert map_value({"core": "phone"}, 4420794609) == "4420794609"


def test_whole_numbers(map_value, refused):
    assert map_value({"core": "employees"}, "250") == 250
    assert map_value({"core": "employees"}, 250) == 250
    assert map_value({"core": "employees"}, "") is None
    assert refused({"core": "employees"}, "about 250") == ["not a whole number"]


def test_model_constraints_are_checked(refused):
    assert refused({"core": "employees"}, "-5") == ["must be 0 or more"]
    assert refused({"core": "currency"}, "euro", "opportunity") == ["not in the expected form ^[A-Z]{3}$"]


def test_decimals(map_value, refused):
    assert map_value({"core": "annual_revenue"}, "1250000.50") == Decimal("1250000.50")
    assert map_value({"core": "annual_revenue"}, 3) == Decimal(3)
    assert refused({"core": "annual_revenue"}, "lots") == ["not a number"]


def test_dates_and_datetimes(map_value, refused):
    assert map_value({"core": "modified_at"}, "2023-04-07T21:59:01Z") == datetime(
        2023, 4, 7, 21, 59, 1, tzinfo=UTC
    )
    assert map_value({"core": "start_date"}, "2026-03-01", "campaign") == date(2026, 3, 1)
    assert map_value({"core": "start_date"}, date(2026, 3, 1), "campaign") == date(2026, 3, 1)
    assert map_value({"core": "modified_at"}, "") is None
    (reason,) = refused({"core": "modified_at"}, "03/01/2026")
    assert reason.startswith("not a date and time (expected ISO 8601")


def test_booleans(map_value, refused):
    for text, expected in [
        ("yes", True),
        ("Y", True),
        ("1", True),
        ("x", True),
        ("false", False),
        ("No", False),
    ]:
        assert map_value({"core": "registered_deal"}, text, "opportunity") is expected
    assert map_value({"core": "registered_deal"}, True, "opportunity") is True
    assert map_value({"core": "registered_deal"}, "", "opportunity") is False  # the model's default
    assert refused({"core": "registered_deal"}, "maybe", "opportunity") == [
        "not yes or no (use true/false, yes/no or 1/0)"
    ]


def test_email_fields_check_syntax(map_value, refused):
    assert map_value({"core": "email"}, " Ada@Example.com ") == "Ada@Example.com"
    assert refused({"core": "email"}, "ada at example dot com") == ["not an email address"]
    assert map_value({"core": "email"}, "") is None


def test_a_refused_email_is_reported_once_and_never_defaulted(refused):
    # The email check reports without raising: the field's own emptiness and default must not
    # see the refused value as a missing one.
    assert refused({"core": "email", "required": True}, "ada at example dot com") == ["not an email address"]
    assert refused({"core": "email", "default": "x@example.com"}, "ada@") == ["not an email address"]
    assert refused({"core": "email", "required": True}, "  ") == ["required"]


def test_country_fields_normalise_without_a_transform(map_value, refused):
    assert map_value({"core": "address.country"}, "United States") == "US"
    assert refused({"core": "address.country"}, "Atlantis")[0].startswith("unknown country 'Atlantis'")


def test_statuses_are_validated_and_spelled_canonically(map_value, refused):
    assert map_value({"core": "sales_status"}, "Contacted") == SalesStatus.CONTACTED.value
    assert map_value({"core": "sales_status"}, " not contacted ") == "Not Contacted"
    assert map_value({"core": "sales_status"}, "UNQUALIFIED") == "Unqualified/Invalid"
    assert map_value({"core": "distribution_status"}, "Pulled Back") == "pulled_back"
    (reason,) = refused({"core": "sales_status"}, "Hot")
    assert reason == (
        "not a sales status (expected one of: Not Contacted, Contacted, Nurture, "
        "Converted Opportunity, Unqualified/Invalid)"
    )


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("10-Closed Won", OpportunityStage.CLOSED_WON),
        ("Closed Won", OpportunityStage.CLOSED_WON),
        ("4", OpportunityStage.QUALIFICATION),
        ("prospecting", OpportunityStage.PROSPECTING),
    ],
)
def test_opportunity_stages_by_label_or_number(map_value, text, stage):
    assert map_value({"core": "stage"}, text, "opportunity") == stage.value


def test_a_blank_status_takes_the_models_default(map_value):
    assert map_value({"core": "sales_status"}, "") == "Not Contacted"
    assert map_value({"core": "distribution_status"}, None) == "unassigned"


def test_list_fields_take_one_text_as_one_item(map_value):
    assert map_value({"core": "products_of_interest"}, " Storage ") == ["Storage"]
    assert map_value({"core": "products_of_interest"}, "") == []


def test_enum_lists_check_every_item(map_value, refused):
    field = {"core": "size_segments", "transforms": [{"split": ","}]}
    assert map_value(field, "SMB, mid market", "partner") == ["smb", "mid_market"]
    assert refused(field, "SMB, huge", "partner")[0].startswith("not a size segment")


def test_custom_fields_keep_their_value_trimmed(map_value):
    assert map_value({"core": "custom.region_code"}, " EMEA-7 ") == "EMEA-7"
    assert map_value({"core": "custom.seats"}, 12) == 12
    assert map_value({"core": "custom.partner_notes", "default": ""}, "  ") == ""


def test_mapping_default_beats_the_models(map_value):
    assert map_value({"core": "sales_status", "default": "Nurture"}, "") == "Nurture"


def test_required_fields_refuse_blank(refused, map_value):
    assert refused({"core": "company", "required": True}, "  ") == ["required"]
    assert map_value({"core": "company", "required": True, "default": "Unknown"}, "") == "Unknown"


def test_the_models_required_fields_are_required_without_saying_so(refused):
    assert refused({"core": "name"}, "", "account") == ["required"]
