"""The default mappings compile and map the sandbox's standard records."""

from __future__ import annotations

import pytest
from leadloop.mapping import compile_mapping
from leadloop_salesforce.mappings import DEFAULT_MAPPINGS
from leadloop_salesforce.plugin import DEFAULT_STATUS_MAP


@pytest.mark.parametrize("object_type", sorted(DEFAULT_MAPPINGS))
def test_default_mappings_map_pulled_records(sf, connect, object_type):
    mapping = compile_mapping(DEFAULT_MAPPINGS[object_type], file=f"salesforce/{object_type}")
    records = [r for p in connect(sf).pull(object_type, None) for r in p.records]
    assert records
    for record in records:
        if object_type == "lead":  # the status hooks run before mapping in a real job
            record = {**record, "Status": "Contacted"}
        core = mapping.apply_in(record, label=record["Id"])
        assert core["external_id"] == record["Id"]
        assert core["modified_at"] is not None


def test_lead_statuses_map_out_to_the_picklist_via_the_default_status_map():
    mapping = compile_mapping(DEFAULT_MAPPINGS["lead"], file="salesforce/lead")
    out = mapping.apply_out({"sales_status": DEFAULT_STATUS_MAP["sales"]["Contacted"], "last_name": "Doe"})
    assert out["Status"] == "Working - Contacted" and out["LastName"] == "Doe"
    assert "Id" not in out and "SystemModstamp" not in out
