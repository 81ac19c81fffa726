"""Default mappings from Salesforce's standard objects to leadloop's core objects.

Used where a tenant file gives no mapping of its own. Identity fields map both ways (a lead created
from the hub needs its name, company and email); what Salesforce owns (ids, stamps, conversion,
calculated fields) maps in only. ``Status`` is translated by the status hooks before mapping, so it
arrives as a canonical sales status.

What only the hub knows (distribution status, rejection reason, the partner and rep a lead went to)
maps out only, to the custom fields a channel management package adds to Lead (``Partner__c``,
``Partner_Rep_Name__c``, ``Partner_Rep_Email__c``, ``Distribution_Status__c``,
``Rejection_Reason__c``). An org without them needs a tenant mapping naming its own fields:
``leadloop mapping check`` says which are missing. The hub keeps partner and rep as the lead's custom
fields ``partner``, ``partner_rep_name`` and ``partner_rep_email``.
"""

from __future__ import annotations

from typing import Any


def _both(core: str, source: str, *transforms: Any) -> dict[str, Any]:
    return {"core": core, "source": source, **({"transforms": list(transforms)} if transforms else {})}


def _in(core: str, source: str, *transforms: Any) -> dict[str, Any]:
    return {**_both(core, source, *transforms), "direction": "in"}


def _out(core: str, source: str) -> dict[str, Any]:
    return {**_both(core, source), "direction": "out"}


def _stamps() -> list[dict[str, Any]]:
    return [_in("external_id", "Id"), _in("created_at", "CreatedDate", "datetime"),
            _in("modified_at", "SystemModstamp", "datetime")]


def _address(prefix: str) -> list[dict[str, Any]]:
    return [_both("address.street", f"{prefix}Street"), _both("address.city", f"{prefix}City"),
            _both("address.state", f"{prefix}State"), _both("address.postal_code", f"{prefix}PostalCode"),
            _both("address.country", f"{prefix}Country", "country")]


LEAD = {
    "object": "lead",
    "source": "Lead",
    "fields": [
        *_stamps(),
        _both("email", "Email", "trim", "lower", "email"),
        _both("first_name", "FirstName"),
        _both("last_name", "LastName"),
        _both("title", "Title"),
        _both("phone", "Phone"),
        _both("mobile_phone", "MobilePhone"),
        _both("company", "Company"),
        _both("website", "Website"),
        _both("employees", "NumberOfEmployees"),
        _both("industry", "Industry"),
        _both("annual_revenue", "AnnualRevenue", "decimal"),
        *_address(""),
        _both("lead_source", "LeadSource"),
        _both("notes", "Description"),
        _both("sales_status", "Status"),
        # The closed loop: what the hub decided, written back to the channel package's fields.
        _out("distribution_status", "Distribution_Status__c"),
        _out("rejection_reason", "Rejection_Reason__c"),
        _out("custom.partner", "Partner__c"),
        _out("custom.partner_rep_name", "Partner_Rep_Name__c"),
        _out("custom.partner_rep_email", "Partner_Rep_Email__c"),
    ],
}

ACCOUNT = {
    "object": "account",
    "source": "Account",
    "fields": [
        *_stamps(),
        _both("name", "Name"),
        _both("website", "Website"),
        _both("industry", "Industry"),
        _both("employees", "NumberOfEmployees"),
        _both("annual_revenue", "AnnualRevenue", "decimal"),
        *_address("Billing"),
    ],
}

CONTACT = {
    "object": "contact",
    "source": "Contact",
    "fields": [
        *_stamps(),
        _in("account_id", "AccountId"),
        _both("email", "Email", "trim", "lower", "email"),
        _both("first_name", "FirstName"),
        _both("last_name", "LastName"),
        _both("title", "Title"),
        _both("phone", "Phone"),
    ],
}

# Salesforce's default StageName values to the stages partners see.
STAGES = {
    "Prospecting": "1-Prospecting", "Id. Decision Makers": "2-ID Decision Makers",
    "Perception Analysis": "3-Perception Analysis", "Qualification": "4-Qualification",
    "Needs Analysis": "5-Needs Analysis", "Value Proposition": "6-Value Proposition",
    "Proposal/Price Quote": "7-Proposal/Price Quote", "Negotiation/Review": "8-Negotiation/Review",
    "Closed Lost": "9-Closed Lost", "Closed Won": "10-Closed Won",
}

OPPORTUNITY = {
    "object": "opportunity",
    "source": "Opportunity",
    "fields": [
        *_stamps(),
        _both("name", "Name"),
        _in("account_id", "AccountId"),
        {"core": "stage", "source": "StageName", "value_map": STAGES},
        _both("amount", "Amount", "decimal"),
        _both("close_date", "CloseDate", "date"),
    ],
}

CAMPAIGN = {
    "object": "campaign",
    "source": "Campaign",
    "fields": [
        *_stamps(),
        _both("name", "Name"),
        _both("status", "Status"),
        _both("start_date", "StartDate", "date"),
        _both("end_date", "EndDate", "date"),
    ],
}

# A member row tags its lead with the campaign (pull campaign_member after lead).
CAMPAIGN_MEMBER = {
    "object": "campaign_member",
    "source": "CampaignMember",
    "fields": [*_stamps(), _in("campaign_id", "CampaignId"), _in("lead_id", "LeadId"),
               _in("contact_id", "ContactId"), _in("status", "Status")],
}

DEFAULT_MAPPINGS = {"lead": LEAD, "account": ACCOUNT, "contact": CONTACT, "opportunity": OPPORTUNITY,
                    "campaign": CAMPAIGN, "campaign_member": CAMPAIGN_MEMBER}
"""By the connector's object type."""
