"""The sandbox org's objects and fields, defined once as data.

``describe`` answers, SOQL field checks and write validation all read these definitions, so a field
added here is queryable, writable and described at once. Names, types and lengths follow the
standard objects as documented (see ``/work/shared/reference/crm-apis.md``). The org also has the few
custom fields (``__c``) a channel management package would install: partner, rep, distribution
status and rejection reason on Lead, offer and tactic IDs on Campaign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

STRING_TYPES = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "combobox", "id", "reference"}
)
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})
_SOAP_TYPES = {
    "id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "int": "xsd:int",
    "double": "xsd:double", "currency": "xsd:double", "percent": "xsd:double", "date": "xsd:date",
    "datetime": "xsd:dateTime",
}


@dataclass(frozen=True)
class Field:
    """One field as ``describe`` reports it; ``picklist[0]`` is not implied to be the default."""

    name: str
    type: str
    label: str = ""
    length: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    picklist: tuple[str, ...] = ()
    default: str | None = None
    reference_to: tuple[str, ...] = ()
    external_id: bool = False
    unique: bool = False
    calculated: bool = False
    precision: int = 0
    scale: int = 0
    digits: int = 0

    @property
    def defaulted_on_create(self) -> bool:
        return self.type == "boolean" or self.default is not None or self.name in _SYSTEM_NAMES

    @property
    def custom(self) -> bool:
        """A field an admin or a managed package added: its API name ends in ``__c``."""
        return self.name.endswith("__c")

    @property
    def required(self) -> bool:
        """What a create must supply: not nillable, createable and without a default."""
        return not self.nillable and self.createable and not self.defaulted_on_create

    @property
    def filterable(self) -> bool:
        """Long text areas cannot appear in WHERE or ORDER BY."""
        return not (self.type == "textarea" and self.length > 255)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label or _label(self.name),
            "type": self.type,
            "soapType": _SOAP_TYPES.get(self.type, "xsd:string"),
            "length": self.length,
            "byteLength": self.length * 3,
            "digits": self.digits,
            "precision": self.precision,
            "scale": self.scale,
            "nillable": self.nillable,
            "createable": self.createable,
            "updateable": self.updateable,
            "defaultedOnCreate": self.defaulted_on_create,
            "defaultValue": self.default,
            "calculated": self.calculated,
            "custom": self.custom,
            "externalId": self.external_id,
            "unique": self.unique,
            "idLookup": self.name == "Id" or self.type == "email",
            "nameField": self.name == "Name",
            "filterable": self.filterable,
            "sortable": self.filterable,
            "restrictedPicklist": bool(self.picklist),
            "picklistValues": [
                {"active": True, "defaultValue": v == self.default, "label": v, "validFor": None, "value": v}
                for v in self.picklist
            ],
            "referenceTo": list(self.reference_to),
            "relationshipName": self.name[:-2] if self.type == "reference" else None,
        }


@dataclass(frozen=True)
class SObject:
    """A standard object: its key prefix (first three characters of its ids) and fields."""

    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: tuple[Field, ...]
    by_lower: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_lower", {f.name.lower(): f for f in self.fields})

    def field(self, name: str) -> Field | None:
        """Field names are case-insensitive in SOQL and in write bodies."""
        return self.by_lower.get(name.lower())

    def describe(self, version: str) -> dict[str, Any]:
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {
            "name": self.name,
            "label": self.label,
            "labelPlural": self.label_plural,
            "keyPrefix": self.key_prefix,
            "custom": False,
            "createable": True,
            "updateable": True,
            "deletable": True,
            "queryable": True,
            "searchable": True,
            "retrieveable": True,
            "fields": [f.describe() for f in self.fields],
            "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
        }


def _label(name: str) -> str:
    if name == "Id":
        return "Record ID"
    stem = name.removesuffix("Id")
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)
    return f"{words} ID" if stem != name else words


# Field builders: each reads like a row of the object's field table.
def _text(name: str, length: int, kind: str = "string", **kw: Any) -> Field:
    return Field(name, kind, length=length, **kw)


def _pick(name: str, values: tuple[str, ...], default: str | None = None, **kw: Any) -> Field:
    return Field(name, "picklist", length=255, picklist=values, default=default, **kw)


def _ref(name: str, *targets: str, **kw: Any) -> Field:
    return Field(name, "reference", length=18, reference_to=targets, **kw)


def _money(name: str) -> Field:
    return Field(name, "currency", precision=18, scale=2)


def _flag(name: str, **kw: Any) -> Field:
    return Field(name, "boolean", nillable=False, **kw)


_READ_ONLY: dict[str, Any] = {"createable": False, "updateable": False}
_SYSTEM_NAMES = frozenset({"Id", "IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp"})


def _system(*fields: Field) -> tuple[Field, ...]:
    return (
        Field("Id", "id", length=18, nillable=False, **_READ_ONLY),
        _flag("IsDeleted", label="Deleted", **_READ_ONLY),
        *fields,
        Field("CreatedDate", "datetime", nillable=False, **_READ_ONLY),
        Field("LastModifiedDate", "datetime", nillable=False, **_READ_ONLY),
        Field("SystemModstamp", "datetime", label="System Modstamp", nillable=False, **_READ_ONLY),
    )


LEAD_STATUSES = (
    "Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted",
)
INDUSTRIES = (
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications", "Construction",
    "Consulting", "Education", "Electronics", "Energy", "Engineering", "Entertainment", "Environmental",
    "Finance", "Food & Beverage", "Government", "Healthcare", "Hospitality", "Insurance", "Machinery",
    "Manufacturing", "Media", "Not For Profit", "Other", "Recreation", "Retail", "Shipping", "Technology",
    "Telecommunications", "Transportation", "Utilities",
)
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
RATINGS = ("Hot", "Warm", "Cold")
OPPORTUNITY_STAGES = (
    "Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
    "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost",
)
ACCOUNT_TYPES = (
    "Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
    "Installation Partner", "Technology Partner", "Other",
)
CAMPAIGN_TYPES = (
    "Conference", "Webinar", "Trade Show", "Public Relations", "Partners", "Referral Program",
    "Advertisement", "Banner Ads", "Direct Mail", "Email", "Telemarketing", "Other",
)
CAMPAIGN_STATUSES = ("Planned", "In Progress", "Completed", "Aborted")
DISTRIBUTION_STATUSES = ("Unassigned", "Assigned", "Accepted", "Rejected", "Pulled Back", "Rerouted")
MEMBER_STATUSES = ("Sent", "Responded")


def _address(prefix: str = "") -> tuple[Field, ...]:
    return (
        _text(f"{prefix}Street", 255, "textarea"),
        _text(f"{prefix}City", 40),
        _text(f"{prefix}State", 80, label=f"{prefix} State/Province".strip()),
        _text(f"{prefix}PostalCode", 20, label=f"{prefix} Zip/Postal Code".strip()),
        _text(f"{prefix}Country", 80),
    )


# What a channel management package adds to Lead, so the closed loop has somewhere to write: who the
# lead went to, where it stands in distribution, and why a partner turned it down.
_CHANNEL_FIELDS = (
    _text("Partner__c", 255, label="Partner"),
    _text("Partner_Rep_Name__c", 121, label="Partner Rep Name"),
    _text("Partner_Rep_Email__c", 80, "email", label="Partner Rep Email"),
    _pick("Distribution_Status__c", DISTRIBUTION_STATUSES, label="Distribution Status"),
    _text("Rejection_Reason__c", 255, label="Rejection Reason"),
)

OBJECTS: dict[str, SObject] = {
    o.name: o
    for o in (
        SObject("Lead", "Lead", "Leads", "00Q", _system(
            _text("FirstName", 40),
            _text("LastName", 80, nillable=False),
            _text("Name", 121, label="Full Name", **_READ_ONLY, calculated=True),
            _text("Title", 128),
            _text("Company", 255, nillable=False),
            *_address(),
            _text("Phone", 40, "phone"),
            _text("MobilePhone", 40, "phone"),
            _text("Email", 80, "email"),
            _text("Website", 255, "url"),
            _text("Description", 32000, "textarea"),
            _pick("LeadSource", LEAD_SOURCES),
            _pick("Status", LEAD_STATUSES, default=LEAD_STATUSES[0], label="Lead Status", nillable=False),
            _pick("Industry", INDUSTRIES),
            _pick("Rating", RATINGS),
            _money("AnnualRevenue"),
            Field("NumberOfEmployees", "int", label="Employees", digits=8),
            _flag("IsConverted", label="Converted", updateable=False),
            Field("ConvertedDate", "date", **_READ_ONLY),
            _ref("ConvertedAccountId", "Account", **_READ_ONLY),
            _ref("ConvertedContactId", "Contact", **_READ_ONLY),
            _ref("ConvertedOpportunityId", "Opportunity", **_READ_ONLY),
            *_CHANNEL_FIELDS,
        )),
        SObject("Account", "Account", "Accounts", "001", _system(
            _text("Name", 255, label="Account Name", nillable=False),
            _pick("Type", ACCOUNT_TYPES, label="Account Type"),
            _pick("Industry", INDUSTRIES),
            *_address("Billing"),
            _text("Phone", 40, "phone"),
            _text("Website", 255, "url"),
            _money("AnnualRevenue"),
            Field("NumberOfEmployees", "int", label="Employees", digits=8),
            _text("Description", 32000, "textarea"),
        )),
        SObject("Contact", "Contact", "Contacts", "003", _system(
            _ref("AccountId", "Account"),
            _text("FirstName", 40),
            _text("LastName", 80, nillable=False),
            _text("Name", 121, label="Full Name", **_READ_ONLY, calculated=True),
            _text("Title", 128),
            _text("Email", 80, "email"),
            _text("Phone", 40, "phone"),
            _text("MobilePhone", 40, "phone"),
            *_address("Mailing"),
            _pick("LeadSource", LEAD_SOURCES),
            _text("Description", 32000, "textarea"),
        )),
        SObject("Opportunity", "Opportunity", "Opportunities", "006", _system(
            _ref("AccountId", "Account"),
            _text("Name", 120, nillable=False),
            _pick("StageName", OPPORTUNITY_STAGES, label="Stage", nillable=False),
            Field("CloseDate", "date", nillable=False),
            _money("Amount"),
            Field("Probability", "percent", precision=3, scale=0),
            _pick("Type", ("New Customer", "Existing Customer - Upgrade", "Existing Customer - Replacement",
                           "Existing Customer - Downgrade"), label="Opportunity Type"),
            _pick("LeadSource", LEAD_SOURCES),
            _ref("CampaignId", "Campaign"),
            _flag("IsClosed", label="Closed", **_READ_ONLY, calculated=True),
            _flag("IsWon", label="Won", **_READ_ONLY, calculated=True),
            _text("Description", 32000, "textarea"),
        )),
        SObject("Campaign", "Campaign", "Campaigns", "701", _system(
            _text("Name", 80, nillable=False),
            _pick("Type", CAMPAIGN_TYPES),
            _pick("Status", CAMPAIGN_STATUSES, default="Planned"),
            Field("StartDate", "date"),
            Field("EndDate", "date"),
            _flag("IsActive", label="Active"),
            _money("BudgetedCost"),
            _money("ActualCost"),
            _text("Description", 32000, "textarea"),
            _text("Offer_ID__c", 40, label="Offer ID"),
            _text("Tactic_ID__c", 40, label="Tactic ID"),
        )),
        SObject("CampaignMember", "Campaign Member", "Campaign Members", "00v", _system(
            _ref("CampaignId", "Campaign", nillable=False, updateable=False),
            _ref("LeadId", "Lead", updateable=False),
            _ref("ContactId", "Contact", updateable=False),
            _pick("Status", MEMBER_STATUSES, default="Sent"),
            _flag("HasResponded", label="Responded", **_READ_ONLY, calculated=True),
        )),
    )
}
OBJECTS_BY_LOWER = {name.lower(): obj for name, obj in OBJECTS.items()}
BY_PREFIX = {obj.key_prefix: obj for obj in OBJECTS.values()}


def derive(sobject: str, record: dict[str, Any]) -> None:
    """Recompute calculated fields in place after a write."""
    if sobject in ("Lead", "Contact"):
        record["Name"] = " ".join(p for p in (record.get("FirstName"), record.get("LastName")) if p)
    elif sobject == "Opportunity":
        stage = record.get("StageName")
        record["IsClosed"] = stage in ("Closed Won", "Closed Lost")
        record["IsWon"] = stage == "Closed Won"
    elif sobject == "CampaignMember":
        record["HasResponded"] = record.get("Status") == "Responded"
