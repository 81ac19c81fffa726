"""Campaigns through the sync engine: offer and tactic IDs where the tenant maps them, members tagging
their leads."""

from __future__ import annotations

from leadloop.store.tables import campaigns
from leadloop_salesforce.connector import DEFAULT_FIELDS
from leadloop_salesforce.mappings import CAMPAIGN
from sqlalchemy import select


def test_offer_and_tactic_ids_come_with_campaigns_where_the_tenant_maps_them(sf, apply, run, leadloop_store):
    mapping = {**CAMPAIGN, "fields": [*CAMPAIGN["fields"], {"core": "offer_id", "source": "Offer_ID__c"},
                                      {"core": "tactic_id", "source": "Tactic_ID__c"}]}
    apply(sf, objects=["campaign"], mappings={"campaign": mapping},
          fields={"campaign": [*DEFAULT_FIELDS["campaign"], "Offer_ID__c", "Tactic_ID__c"]})
    result = run("pull")
    assert result["outcome"] == "ok", result["error"]
    with leadloop_store.read() as conn:
        stored = {r.external_id: (r.offer_id, r.tactic_id)
                  for r in conn.execute(select(campaigns).where(campaigns.c.tenant_id == "acme"))}
    org = {r["Id"]: (r["Offer_ID__c"], r["Tactic_ID__c"]) for r in sf.org.store.snapshot("Campaign")}
    assert stored == org and all(offer.startswith("OF-") for offer, _ in stored.values())

def test_campaign_members_tag_their_leads_with_the_latest_campaign(sf, apply, run, leadloop_store):
    apply(sf, objects=["lead", "campaign", "campaign_member"])
    result = run("pull")
    assert result["outcome"] == "ok", result["error"]
    members = sorted(sf.org.store.snapshot("CampaignMember"), key=lambda r: (r["SystemModstamp"], r["Id"]))
    latest = {m["LeadId"]: m["CampaignId"] for m in members if m["LeadId"]}
    assert latest
    tagged = {r["external_id"]: r["campaign"] for r in leadloop_store.tenant("acme").list_leads(limit=1000)}
    assert {lead: tagged[lead] for lead in latest} == latest
    assert all(campaign is None for lead, campaign in tagged.items() if lead not in latest)

    # A lead added to a campaign later is tagged by the next pull.
    untagged = next(lead for lead in tagged if lead not in latest)
    campaign = members[0]["CampaignId"]
    sf.org.create("CampaignMember", {"CampaignId": campaign, "LeadId": untagged})
    run("pull")
    assert {r["external_id"]: r["campaign"] for r in leadloop_store.tenant("acme").list_leads(limit=1000)}[untagged] == campaign
