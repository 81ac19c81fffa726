"""Write-back through the sync engine: what the hub decided lands on the org's records."""

from __future__ import annotations

import math

import pytest
from leadloop.errors import ConfigError
from leadloop.hub import change_lead, register_deal
from leadloop.store.tables import opportunities, outbox
from leadloop_salesforce.sandbox import start
from sqlalchemy import select


def hub_leads(leadloop_store, n):
    """The first ``n`` pulled leads, by their Salesforce id."""
    rows = sorted(leadloop_store.tenant("acme").list_leads(limit=10_000), key=lambda r: r["external_id"])
    return rows[:n]


def outbox_rows(leadloop_store):
    with leadloop_store.read() as conn:
        return [dict(r) for r in conn.execute(select(outbox).order_by(outbox.c.id)).mappings()]


@pytest.fixture
def pulled(sf, apply, run):
    """The sandbox's leads pulled into the hub; the sandbox's counters start from zero."""
    apply(sf)
    assert run("pull")["outcome"] == "ok"
    sf.org.reset_counters()
    return sf


def test_statuses_partner_rep_and_rejection_are_written_back_in_one_call(pulled, run, leadloop_store, leadloop_plugins):
    accepted, rejected, invalid = hub_leads(leadloop_store, 3)
    change_lead(
        leadloop_store,
        leadloop_plugins,
        "acme",
        accepted["id"],
        {
            "distribution_status": "accepted",
            "sales_status": "Contacted",
            "custom": {
                "partner": "Northwind Systems",
                "partner_rep_name": "Dana Reyes",
                "partner_rep_email": "dana.reyes@northwind.example",
            },
        },
    )
    change_lead(
        leadloop_store,
        leadloop_plugins,
        "acme",
        rejected["id"],
        {"distribution_status": "rejected", "rejection_reason": "Outside our territory"},
    )
    change_lead(leadloop_store, leadloop_plugins, "acme", invalid["id"], {"sales_status": "Unqualified/Invalid"})
    result = run("push")
    assert result["outcome"] == "ok", result["error"]
    assert (result["records_written"], result["records_failed"], result["api_calls"]) == (3, 0, 1)
    assert pulled.org.counters() == {"collections_update": 1}

    org = pulled.org
    row = org.get("Lead", accepted["external_id"])
    assert (
        row["Status"],
        row["Distribution_Status__c"],
        row["Partner__c"],
        row["Partner_Rep_Name__c"],
        row["Partner_Rep_Email__c"],
    ) == (
        "Working - Contacted",
        "Accepted",
        "Northwind Systems",
        "Dana Reyes",
        "dana.reyes@northwind.example",
    )
    row = org.get("Lead", rejected["external_id"])
    assert (row["Distribution_Status__c"], row["Rejection_Reason__c"]) == (
        "Rejected",
        "Outside our territory",
    )
    assert org.get("Lead", invalid["external_id"])["Status"] == "Closed - Not Converted"
    assert [r["status"] for r in outbox_rows(leadloop_store)] == ["confirmed"] * 3


def test_a_tenant_status_map_overrides_the_standard_picklist_entry_by_entry(sf, apply, run, leadloop_store, leadloop_plugins):
    apply(sf, status_map={"sales": {"Nurture": "Open - Not Contacted"}})
    run("pull")
    nurtured, contacted = hub_leads(leadloop_store, 2)
    change_lead(leadloop_store, leadloop_plugins, "acme", nurtured["id"], {"sales_status": "Nurture"})
    change_lead(leadloop_store, leadloop_plugins, "acme", contacted["id"], {"sales_status": "Contacted"})
    assert run("push")["records_written"] == 2
    assert sf.org.get("Lead", nurtured["external_id"])["Status"] == "Open - Not Contacted"
    assert sf.org.get("Lead", contacted["external_id"])["Status"] == "Working - Contacted"  # the default


def test_a_partial_failure_is_retried_record_by_record(sf, apply, run, leadloop_store, leadloop_plugins):
    apply(sf, status_map={"sales": {"Nurture": "Nurturing"}})  # a value the org's picklist does not have
    run("pull")
    fine, bad, busy, converted = hub_leads(leadloop_store, 4)
    for lead, status in (
        (fine, "Contacted"),
        (bad, "Nurture"),
        (busy, "Contacted"),
        (converted, "Converted Opportunity"),
    ):
        change_lead(leadloop_store, leadloop_plugins, "acme", lead["id"], {"sales_status": status})
    sf.org.lock(busy["external_id"])  # another transaction holds this row for the first write
    before = sf.org.get("Lead", bad["external_id"])["Status"]
    sf.org.reset_counters()

    result = run("push")
    assert result["outcome"] == "ok", result["error"]
    assert (result["records_written"], result["records_failed"]) == (3, 1)
    assert result["api_calls"] == 2 and sf.org.counters() == {
        "collections_update": 2
    }  # the batch, then busy alone
    rows = {r["record_id"]: r for r in outbox_rows(leadloop_store)}
    assert rows[bad["id"]]["status"] == "failed" and rows[bad["id"]]["attempts"] == 1
    assert rows[bad["id"]]["last_error"].startswith("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")
    assert (rows[busy["id"]]["status"], rows[busy["id"]]["attempts"]) == ("confirmed", 2)
    assert {rows[r["id"]]["status"] for r in (fine, converted)} == {"confirmed"}
    assert sf.org.get("Lead", busy["external_id"])["Status"] == "Working - Contacted"
    assert sf.org.get("Lead", bad["external_id"])["Status"] == before
    assert run("push")["api_calls"] == 0  # a failure for good is not sent again


def test_updates_go_in_batches_of_200(apply, run, leadloop_store, leadloop_plugins):
    with start(seed=8, leads=250) as sf:
        apply(sf)
        run("pull")
        leads = leadloop_store.tenant("acme").list_leads(limit=10_000)
        for lead in leads:
            change_lead(leadloop_store, leadloop_plugins, "acme", lead["id"], {"sales_status": "Contacted"})
        result = run("push")
        assert result["records_written"] == len(leads)
        assert result["api_calls"] == math.ceil(len(leads) / 200)
        assert {r["Status"] for r in sf.org.store.snapshot("Lead")} == {"Working - Contacted"}


def test_registered_deals_are_created_and_their_salesforce_ids_kept(sf, apply, run, leadloop_store, leadloop_plugins):
    apply(sf, objects=["lead", "opportunity"])
    run("pull")
    deals = {}
    for n, lead in enumerate(hub_leads(leadloop_store, 3)):
        deal_id, queued = register_deal(
            leadloop_store,
            leadloop_plugins,
            "acme",
            lead["id"],
            {"name": f"Deal {n}", "stage": "1-Prospecting", "amount": 25_000 + n, "close_date": "2027-03-31"},
        )
        assert len(queued) == 1
        deals[deal_id] = n
    sf.org.reset_counters()

    result = run("push")
    assert result["outcome"] == "ok", result["error"]
    assert (result["records_written"], result["api_calls"]) == (3, 1)
    assert sf.org.counters() == {"collections_create": 1}
    with leadloop_store.read() as conn:
        rows = {
            r["id"]: r
            for r in conn.execute(select(opportunities).where(opportunities.c.id.in_(deals))).mappings()
        }
    for deal_id, n in deals.items():
        row = rows[deal_id]
        assert row["source_connector"] == "crm" and row["registered_deal"] is True
        created = sf.org.get("Opportunity", row["external_id"])
        assert (created["Name"], created["StageName"], created["Amount"], created["CloseDate"]) == (
            f"Deal {n}",
            "Prospecting",
            25_000 + n,
            "2027-03-31",
        )

    assert run("pull")["outcome"] == "ok"  # reading the new opportunities back adds none
    with leadloop_store.read() as conn:
        assert (
            len(conn.execute(select(opportunities.c.id)).all())
            == sf.org.store.counts()["Opportunity"]["live"]
        )


def test_deal_creates_go_in_batches_of_200(apply, run, leadloop_store, leadloop_plugins):
    with start(seed=9, leads=250) as sf:
        apply(sf, objects=["lead", "opportunity"])
        run("pull")
        for lead in leadloop_store.tenant("acme").list_leads(limit=250):
            register_deal(
                leadloop_store, leadloop_plugins, "acme", lead["id"], {"name": "Expansion", "close_date": "2027-01-15"}
            )
        result = run("push")
        assert result["records_written"] == 250 and result["api_calls"] == math.ceil(250 / 200)
        assert sf.org.store.counts()["Opportunity"]["live"] == 250


def test_a_deal_the_model_refuses_is_never_queued(pulled, leadloop_store, leadloop_plugins):
    lead = hub_leads(leadloop_store, 1)[0]
    with pytest.raises(ConfigError, match="registered deal takes .*not owner"):
        register_deal(leadloop_store, leadloop_plugins, "acme", lead["id"], {"name": "Deal", "owner": "Dana"})
    with pytest.raises(ConfigError, match="registered deal is not valid: stage"):
        register_deal(leadloop_store, leadloop_plugins, "acme", lead["id"], {"name": "Deal", "stage": "99-Signed in blood"})
    assert outbox_rows(leadloop_store) == []
