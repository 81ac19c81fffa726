"""The default lead mapping for files: the header names trade-show and telemarketing files use.

Used when a tenant file gives no ``mappings.lead`` of its own. Headers are matched ignoring case,
spaces and a BOM, and the first alias present wins, so ``E-Mail``, ``email`` and ``Email Address``
all land in ``email``. Values are checked by the mapping engine: email syntax, ISO countries
("United States", "USA", "US" -> ``US``), whole numbers, amounts and dates, each failure naming the
row's header.

``email`` is not marked required here: whether a lead may come without one is the connector's
``allow_pii_free`` setting, which the connector enforces on every row whatever the mapping (see
:mod:`leadloop_csv_sftp.rowchecks`). ``company`` is required.

Direct assignment (``RecordAssignTo`` and ``AccessType``) lands in ``custom.assign_to`` and
``custom.access_type``: a lead carrying them was assigned by the vendor before it arrived, and
routing leaves it alone.
"""

from __future__ import annotations

from typing import Any

ASSIGN_TO = "custom.assign_to"
ACCESS_TYPE = "custom.access_type"

DATE_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%d.%m.%Y", "%d.%m.%Y %H:%M"]
"""Unambiguous date spellings beside ISO 8601; 03/04/2024 is left to a tenant's mapping, which
knows whether its files are American or European."""


def _field(core: str, *aliases: str, **rule: Any) -> dict[str, Any]:
    return {"core": core, "source": list(aliases), "direction": "in", **rule}


LEAD_MAPPING: dict[str, Any] = {
    "object": "lead",
    "source": "file row",
    "description": "leadloop_csv_sftp's default: common header names of lead files",
    "fields": [
        _field("external_id", "External ID", "ExternalId", "External Id", "External_ID", "Lead ID", "Record ID"),
        _field("email", "Email", "E-mail", "Email Address", "E-mail Address", "EmailAddress", "Work Email",
               "Business Email", transforms=["trim", "lower"]),
        _field("first_name", "First Name", "FirstName", "First_Name", "Given Name", "First"),
        _field("last_name", "Last Name", "LastName", "Last_Name", "Surname", "Family Name", "Last"),
        _field("company", "Company", "Company Name", "CompanyName", "Account Name", "Organization",
               "Organisation", required=True),
        _field("title", "Title", "Job Title", "JobTitle", "Position"),
        _field("phone", "Phone", "Phone Number", "Business Phone", "Work Phone", "Telephone"),
        _field("mobile_phone", "Mobile", "Mobile Phone", "MobilePhone", "Cell", "Cell Phone"),
        _field("website", "Website", "Web Site", "Company Website", "URL"),
        _field("employees", "Employees", "Number of Employees", "NumberOfEmployees", "No. of Employees"),
        _field("industry", "Industry"),
        _field("annual_revenue", "Annual Revenue", "AnnualRevenue", "Revenue"),
        _field("address.street", "Street", "Street Address", "Address", "Address 1", "Address Line 1"),
        _field("address.city", "City", "Town"),
        _field("address.state", "State", "State/Province", "Province", "Region", "State Code"),
        _field("address.postal_code", "Postal Code", "PostalCode", "ZIP", "Zip Code", "ZIP/Postal Code",
               "Postcode", "Post Code"),
        _field("address.country", "Country", "Country Code", "Country/Region"),
        _field("lead_source", "Lead Source", "LeadSource", "Source"),
        _field("campaign", "Campaign", "Campaign Name", "Source Campaign", "Campaign ID", "CampaignId"),
        _field("products_of_interest", "Products", "Products of Interest", "Product Interest", "Product",
               transforms=[{"split": ";"}]),
        _field("notes", "Notes", "Note", "Comments", "Comment", "Description"),
        _field("lead_score", "Lead Score", "LeadScore", "Score"),
        _field("created_at", "Created", "Created Date", "CreatedDate", "Date",
               transforms=[{"datetime": DATE_FORMATS}]),
        _field(ASSIGN_TO, "RecordAssignTo", "Record Assign To", "Assign To", label="Assigned to"),
        _field(ACCESS_TYPE, "AccessType", "Access Type", label="Access type"),
    ],
}
