"""The hub's records and canonical statuses (pydantic 2).

These are the typed public shapes: plugins and the CLI speak them. The import hot path works on
plain dicts keyed by the same field names (see :data:`LEAD_FIELDS`), so that a million-row file is
not a million model constructions; the store validates the same names.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class DistributionStatus(str, enum.Enum):
    """Where a lead stands in distribution to partners."""

    UNASSIGNED = "unassigned"
    ASSIGNED = "assigned"  # pending the partner's acceptance
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PULLED_BACK = "pulled_back"
    REROUTED = "rerouted"


class SalesStatus(str, enum.Enum):
    """The five sales statuses written back to the vendor's CRM."""

    NOT_CONTACTED = "Not Contacted"
    CONTACTED = "Contacted"
    NURTURE = "Nurture"
    CONVERTED_OPPORTUNITY = "Converted Opportunity"
    UNQUALIFIED = "Unqualified/Invalid"


class OpportunityStage(str, enum.Enum):
    """Opportunity stages, numbered as partners see them."""

    PROSPECTING = "1-Prospecting"
    ID_DECISION_MAKERS = "2-ID Decision Makers"
    PERCEPTION_ANALYSIS = "3-Perception Analysis"
    QUALIFICATION = "4-Qualification"
    NEEDS_ANALYSIS = "5-Needs Analysis"
    VALUE_PROPOSITION = "6-Value Proposition"
    PROPOSAL_PRICE_QUOTE = "7-Proposal/Price Quote"
    NEGOTIATION_REVIEW = "8-Negotiation/Review"
    CLOSED_LOST = "9-Closed Lost"
    CLOSED_WON = "10-Closed Won"
    PO_RECEIVED = "11-PO Received"

    @property
    def number(self) -> int:
        return int(self.value.split("-", 1)[0])


class SizeSegment(str, enum.Enum):
    """Company size segments; each has its own time-based rules (SMB < 7 days, ...)."""

    SMB = "smb"
    MID_MARKET = "mid_market"
    ENTERPRISE = "enterprise"


class AccessType(str, enum.Enum):
    """How a directly assigned lead reaches the partner (file column ``AccessType``)."""

    GROUP = "Group"
    USER = "User"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: str | None = None
    tenant: str | None = None
    source_system: str | None = Field(None, description="connector name the record came from")
    external_id: str | None = Field(None, description="the record's id in its source system")
    created_at: datetime | None = None
    modified_at: datetime | None = None
    custom: dict[str, Any] = Field(default_factory=dict)


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")


class Lead(_Record):
    """A prospect: a person at a company who showed interest."""

    email: EmailStr | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    phone: str | None = None
    mobile_phone: str | None = None
    company: str | None = None
    website: str | None = None
    employees: int | None = Field(None, ge=0)
    industry: str | None = None
    annual_revenue: Decimal | None = None
    address: Address = Field(default_factory=Address)
    lead_source: str | None = None
    campaign: str | None = Field(None, description="source campaign id or name")
    products_of_interest: list[str] = Field(default_factory=list)
    notes: str | None = None
    lead_score: int | None = None
    distribution_status: DistributionStatus = DistributionStatus.UNASSIGNED
    sales_status: SalesStatus = SalesStatus.NOT_CONTACTED
    rejection_reason: str | None = None


class Account(_Record):
    name: str
    website: str | None = None
    industry: str | None = None
    employees: int | None = Field(None, ge=0)
    annual_revenue: Decimal | None = None
    address: Address = Field(default_factory=Address)
    named_partner: str | None = Field(None, description="partner owning this named account")


class Contact(_Record):
    account_id: str | None = None
    email: EmailStr | None = None
    first_name: str | None = None
    last_name: str
    title: str | None = None
    phone: str | None = None


class Opportunity(_Record):
    name: str
    account_id: str | None = None
    lead_id: str | None = None
    partner_id: str | None = None
    stage: OpportunityStage = OpportunityStage.PROSPECTING
    amount: Decimal | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    close_date: date | None = None
    registered_deal: bool = False


class Campaign(_Record):
    name: str
    offer_id: str | None = None
    tactic_id: str | None = None
    status: str | None = None
    start_date: date | None = None
    end_date: date | None = None


class CampaignMember(_Record):
    """A lead (or contact) in a campaign, by their ids in the source; pulling one tags the lead."""

    campaign_id: str
    lead_id: str | None = None
    contact_id: str | None = None
    status: str | None = None


class LeadOwner(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    name: str | None = None


class Partner(_Record):
    name: str
    tier: str | None = Field(None, description="medallion: Platinum, Gold, ...")
    partner_type: str | None = Field(None, description="reseller, integrator, distributor, ...")
    regions: list[str] = Field(default_factory=list, description="ISO countries or country-state")
    specializations: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    verticals: list[str] = Field(default_factory=list)
    size_segments: list[SizeSegment] = Field(default_factory=list)
    capacity: int | None = Field(None, ge=0, description="open leads it can hold at once")
    parent_id: str | None = None
    lead_owners: list[LeadOwner] = Field(default_factory=list)


class Assignment(BaseModel):
    """A lead offered to a partner (or a group, for shark tank) and what became of it."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    tenant: str | None = None
    lead_id: str
    partner_id: str | None = None
    group: str | None = None
    access_type: AccessType = AccessType.USER
    assigned_to: str | None = Field(None, description="user (lead owner) the lead went to")
    status: DistributionStatus = DistributionStatus.ASSIGNED
    strategy: str | None = Field(None, description="rule, named_account, round_robin, shark_tank, direct")
    assigned_at: datetime | None = None
    respond_by: datetime | None = None
    rejection_reason: str | None = None


OBJECT_MODELS: dict[str, type[_Record]] = {
    "lead": Lead,
    "account": Account,
    "contact": Contact,
    "opportunity": Opportunity,
    "campaign": Campaign,
    "campaign_member": CampaignMember,
    "partner": Partner,
}
"""Core object types by the name mappings and connectors use for them."""

LEAD_FIELDS: tuple[str, ...] = tuple(
    name for name in Lead.model_fields if name not in {"id", "tenant", "address", "custom"}
) + tuple(f"address.{name}" for name in Address.model_fields)
"""Flat field names of a lead as the mapping engine and the store address them."""


def core_fields(object_type: str) -> tuple[str, ...]:
    """Flat (dotted) field names a mapping may target for ``object_type``."""
    try:
        model = OBJECT_MODELS[object_type]
    except KeyError:
        raise KeyError(f"unknown object type {object_type!r}; known: {', '.join(OBJECT_MODELS)}") from None
    names: list[str] = []
    for name, info in model.model_fields.items():
        if name in {"id", "tenant", "custom"}:
            continue
        if info.annotation is Address:
            names.extend(f"{name}.{sub}" for sub in Address.model_fields)
        else:
            names.append(name)
    return tuple(names)
