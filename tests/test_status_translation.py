"""The core's default status translation, which reads the tenant's status_map."""

from __future__ import annotations

from leadloop import ConnectorContext
from leadloop.default_plugin import leadloop_translate_status


def context(table: dict[str, str]) -> ConnectorContext:
    return ConnectorContext(tenant="acme", name="crm", type="salesforce", status_map={"sales": table})


def test_a_shared_source_value_reads_as_the_first_status_in_canonical_order_whatever_the_key_order() -> None:
    # PostgreSQL's JSONB hands the table back with its keys reordered (shortest first).
    for table in (
        {"Contacted": "Working", "Nurture": "Working"},
        {"Nurture": "Working", "Contacted": "Working"},
    ):
        assert (
            leadloop_translate_status(
                connector=context(table), kind="sales", status="Working", direction="in"
            )
            == "Contacted"
        )


def test_out_reads_the_table_and_unknown_values_are_left_to_others() -> None:
    ctx = context({"Contacted": "Working"})
    assert (
        leadloop_translate_status(connector=ctx, kind="sales", status="Contacted", direction="out")
        == "Working"
    )
    assert leadloop_translate_status(connector=ctx, kind="sales", status="Nurture", direction="out") is None
    assert leadloop_translate_status(connector=ctx, kind="sales", status="Closed", direction="in") is None
