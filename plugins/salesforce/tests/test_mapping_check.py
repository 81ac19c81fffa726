"""``leadloop mapping check``: a tenant's mappings for the salesforce connector against the org's describe."""

from __future__ import annotations

import json

from click.testing import CliRunner
from leadloop.cli import cli
from leadloop.hub import change_lead
from leadloop_salesforce.mappings import LEAD


def check(*options):
    return CliRunner().invoke(cli, ["mapping", "check", "acme", "crm", *options], catch_exceptions=False)


PO_RECEIVED = (
    "warning: tenant 'acme', connector 'crm', opportunity field StageName: '11-PO Received' has no "
    "translation and is not an active value of Opportunity.StageName (active: Prospecting, Qualification, "
    "Needs Analysis, Value Proposition, Id. Decision Makers, Perception Analysis, Proposal/Price Quote, "
    "Negotiation/Review, Closed Won, Closed Lost): a record with it would be refused"
)
"""Salesforce's standard stages have nothing after Closed Won: an org that wants the eleventh stage adds a
picklist value and maps it."""


def test_the_default_mappings_match_the_sandbox_org(sf, apply, leadloop_store):
    apply(sf, objects=["lead", "opportunity", "campaign", "account", "contact"])
    result = check()
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        PO_RECEIVED,
        "tenant 'acme', connector 'crm': 0 error(s), 1 warning(s)",
    ]
    assert sf.org.counters()["describe"] == 5


def test_every_problem_is_reported_with_tenant_connector_object_field_and_reason(
    sf, apply, run, leadloop_store, leadloop_plugins
):
    mapping = {
        **LEAD,
        "fields": [
            *LEAD["fields"],
            {"core": "custom.region", "source": "Region__c"},
            {"core": "custom.converted", "source": "IsConverted"},  # both ways, but only Salesforce sets it
        ],
    }
    apply(sf, status_map={"sales": {"Nurture": "Nurturing"}}, mappings={"lead": mapping})
    run("pull")
    lead = leadloop_store.tenant("acme").list_leads(limit=1)[0]
    change_lead(leadloop_store, leadloop_plugins, "acme", lead["id"], {"custom": {"partner_rep_name": "x" * 300}})

    result = check()
    assert result.exit_code == 1
    lines = result.output.splitlines()
    prefix = "tenant 'acme', connector 'crm', lead field"
    assert lines == [
        f"error: {prefix} Status: status_map.sales: 'Nurture' -> 'Nurturing' is not an active value of "
        "Lead.Status (active: Open - Not Contacted, Working - Contacted, Closed - Converted, "
        "Closed - Not Converted)",
        f"warning: {prefix} Partner_Rep_Name__c: Lead.Partner_Rep_Name__c holds 121 characters, but the hub "
        "holds custom.partner_rep_name values up to 300: longer values will be refused",
        f"error: {prefix} Region__c: Lead has no field Region__c (mapped to custom.region): add it to the "
        "org or map custom.region to a field it has",
        f"error: {prefix} IsConverted: Lead.IsConverted is not updateable, but custom.converted is written "
        "back to it: make the mapping direction 'in'",
        "tenant 'acme', connector 'crm': 3 error(s), 1 warning(s)",
    ]

    found = json.loads(check("--json").output)
    assert {(f["level"], f["object"], f["field"]) for f in found} == {
        ("error", "lead", "Status"),
        ("warning", "lead", "Partner_Rep_Name__c"),
        ("error", "lead", "Region__c"),
        ("error", "lead", "IsConverted"),
    }
    assert all(f["tenant"] == "acme" and f["connector"] == "crm" for f in found)


def test_picklist_values_and_unmapped_hub_values_are_checked_both_ways(sf, apply):
    apply(
        sf,
        objects=["lead", "opportunity"],
        status_map={"sales": {"Contacted": "Open - Not Contacted", "Nurture": "Open - Not Contacted"}},
    )
    result = check()
    assert result.exit_code == 0  # warnings only
    assert result.output.splitlines()[:-1] == [
        # Nothing reads 'Working - Contacted' as a sales status any more.
        "warning: tenant 'acme', connector 'crm', lead field Status: Lead.Status value 'Working - Contacted' "
        "is no sales status: records with it are rejected on pull; add it to status_map.sales",
        PO_RECEIVED,
    ]


def test_an_unknown_connector_is_a_one_line_error(sf, apply):
    apply(sf)
    result = CliRunner().invoke(cli, ["mapping", "check", "acme", "nope"])
    assert result.exit_code == 1
    assert "tenant 'acme' has no connector 'nope'" in result.output
