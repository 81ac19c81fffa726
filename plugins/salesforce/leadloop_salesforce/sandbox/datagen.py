"""Seeded, realistic sandbox data: the same seed and counts always give the same org.

Stamps are spread over the ``days`` before the clock's now, with about one row in ten sharing its
second with the row before (Salesforce stamps have whole-second precision, so ties are normal and
pagination must break them on Id).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from .clock import format_datetime
from .schema import (
    ACCOUNT_TYPES,
    CAMPAIGN_TYPES,
    INDUSTRIES,
    LEAD_SOURCES,
    LEAD_STATUSES,
    OPPORTUNITY_STAGES,
    RATINGS,
)
from .store import Store

FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Paul "
    "Ashley Steven Kimberly Andrew Emily Kenneth Donna Joshua Michelle Kevin Carol Priya Wei Sofia Lukas "
    "Amelie Hiroshi Yuki Mateo Camila Olga Ahmed Fatima Noah Chloe Liam Emma Arjun Ananya Jonas Ines"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores O'Brien Müller "
    "Schmidt Dubois Rossi Kowalski Novak Sato Tanaka Chen Wang Patel Sharma Silva Santos Jensen Larsen"
).split()
_COMPANY_A = (
    "Acme Apex Blue Bright Cedar Core Delta Eagle Evergreen First Global Granite Harbor Horizon Iron "
    "Keystone Lakeside Liberty Maple Meridian North Northwind Oak Pacific Peak Pioneer Prime Quantum Red "
    "River Summit Sun Titan Union Vertex Vista West"
).split()
_COMPANY_B = (
    "Analytics Systems Logistics Foods Energy Health Networks Robotics Software Labs Capital Partners "
    "Motors Materials Media Pharma Solutions Telecom Textiles Works"
).split()
_STREETS = ("Main Street", "Market Street", "Hauptstraße", "Rue de la Paix", "High Street", "Oak Avenue")
_SUFFIX = ("Inc.", "LLC", "Ltd", "GmbH", "S.A.", "Corp.", "Group", "AG", "Pty Ltd", "")
_TITLES = (
    "CEO", "CTO", "CFO", "VP Sales", "VP Marketing", "Director of IT", "IT Manager", "Procurement Manager",
    "Head of Operations", "Sales Manager", "Marketing Manager", "Software Engineer", "Buyer", "Owner",
)
# country -> (states, cities, postal code pattern: '9' a digit, 'A' a letter)
_PLACES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "United States": (("CA", "NY", "TX", "WA", "IL", "MA", "GA", "CO", "FL", "OR"),
                      ("San Francisco", "New York", "Austin", "Seattle", "Chicago", "Boston", "Atlanta",
                       "Denver", "Miami", "Portland"), "99999"),
    "Canada": (("ON", "QC", "BC", "AB"), ("Toronto", "Montreal", "Vancouver", "Calgary"), "A9A 9A9"),
    "United Kingdom": (("England", "Scotland", "Wales"), ("London", "Manchester", "Edinburgh", "Cardiff"),
                       "AA9 9AA"),
    "Germany": (("Bayern", "Berlin", "Hessen", "Hamburg"), ("München", "Berlin", "Frankfurt", "Hamburg"),
                "99999"),
    "France": (("Île-de-France", "Auvergne-Rhône-Alpes", "Occitanie"), ("Paris", "Lyon", "Toulouse"),
               "99999"),
    "Australia": (("NSW", "VIC", "QLD"), ("Sydney", "Melbourne", "Brisbane"), "9999"),
    "India": (("Karnataka", "Maharashtra", "Delhi"), ("Bengaluru", "Mumbai", "New Delhi"), "999999"),
    "Brazil": (("SP", "RJ"), ("São Paulo", "Rio de Janeiro"), "99999-999"),
    "Japan": (("Tokyo", "Osaka"), ("Tokyo", "Osaka"), "999-9999"),
}
_COUNTRY_WEIGHTS = (40, 8, 10, 9, 7, 6, 8, 6, 6)


@dataclass(frozen=True)
class Counts:
    """How many rows of each object :func:`generate` adds."""

    leads: int = 1000
    accounts: int = 100
    contacts: int = 200
    opportunities: int = 50
    campaigns: int = 10
    members: int = 300


class _Gen:
    def __init__(self, seed: int, now: float, days: float) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.span = days * 86400

    def stamps(self, n: int) -> list[tuple[str, str]]:
        """(CreatedDate, SystemModstamp) pairs; about one in ten ties with the previous stamp."""
        out: list[tuple[str, str]] = []
        rng = self.rng
        for _ in range(n):
            if out and rng.random() < 0.1:
                out.append(out[-1])
                continue
            stamp = self.now - rng.random() * self.span
            created = stamp - rng.random() * 30 * 86400
            out.append((format_datetime(created), format_datetime(stamp)))
        return out

    def postal(self, pattern: str) -> str:
        rng = self.rng
        return "".join(str(rng.randrange(10)) if c == "9" else rng.choice("ABCDEFGHJKLMNPRSTVWXY") if c == "A"
                       else c for c in pattern)

    def place(self) -> tuple[str, str, str, str]:
        country = self.rng.choices(tuple(_PLACES), _COUNTRY_WEIGHTS)[0]
        states, cities, pattern = _PLACES[country]
        i = self.rng.randrange(len(states))
        return country, states[i], cities[i % len(cities)], self.postal(pattern)

    def company(self) -> tuple[str, str]:
        rng = self.rng
        a, b = rng.choice(_COMPANY_A), rng.choice(_COMPANY_B)
        name = f"{a} {b} {rng.choice(_SUFFIX)}".strip()
        return name, f"{a}{b}".lower() + rng.choice((".com", ".io", ".net", ".co", ".de", ".co.uk"))

    def person(self, domain: str) -> tuple[str, str, str]:
        rng = self.rng
        first, last = rng.choice(FIRST), rng.choice(LAST)
        local = f"{first}.{last}".lower().replace("'", "").replace("ü", "ue")
        if rng.random() < 0.3:
            local += str(rng.randrange(1, 99))
        return first, last, f"{local}@{domain}"

    def phone(self) -> str:
        area, exchange, line = (self.rng.randrange(200, 999), self.rng.randrange(200, 999),
                                self.rng.randrange(1000, 9999))
        return f"+1 {area}-{exchange}-{line}"

    def date_around(self, days: int) -> str:
        return format_datetime(self.now + self.rng.uniform(-days, days) * 86400)[:10]


def generate(store: Store, seed: int, now: float, counts: Counts = Counts(),
             days: float = 90) -> dict[str, int]:
    """Add seeded rows of every object to ``store``; returns how many of each were added."""
    g = _Gen(seed, now, days)
    rng = g.rng
    accounts: list[dict[str, Any]] = []
    for created, stamp in g.stamps(counts.accounts):
        name, domain = g.company()
        country, state, city, postal = g.place()
        accounts.append({
            "Name": name, "Type": rng.choice(ACCOUNT_TYPES), "Industry": rng.choice(INDUSTRIES),
            "BillingCity": city, "BillingState": state, "BillingPostalCode": postal,
            "BillingCountry": country, "Phone": g.phone(), "Website": f"https://www.{domain}",
            "NumberOfEmployees": rng.randrange(5, 20000),
            "AnnualRevenue": float(rng.randrange(1, 5000) * 10000),
            "CreatedDate": created, "LastModifiedDate": stamp, "SystemModstamp": stamp,
        })
    account_ids = store.load("Account", accounts)

    contacts = []
    for created, stamp in g.stamps(counts.contacts if account_ids else 0):
        k = rng.randrange(len(accounts))
        first, last, email = g.person(accounts[k]["Website"].removeprefix("https://www."))
        contacts.append({
            "AccountId": account_ids[k], "FirstName": first, "LastName": last, "Email": email,
            "Title": rng.choice(_TITLES), "Phone": g.phone(), "LeadSource": rng.choice(LEAD_SOURCES),
            "CreatedDate": created, "LastModifiedDate": stamp, "SystemModstamp": stamp,
        })
    contact_ids = store.load("Contact", contacts)

    campaigns = []
    for created, stamp in g.stamps(counts.campaigns):
        kind = rng.choice(CAMPAIGN_TYPES)
        start = g.date_around(120)
        campaigns.append({
            "Name": f"{rng.choice(('Q1', 'Q2', 'Q3', 'Q4'))} {kind} {rng.choice(_COMPANY_B)}",
            "Type": kind, "Status": rng.choice(("Planned", "In Progress", "Completed")), "StartDate": start,
            "IsActive": rng.random() < 0.6, "BudgetedCost": float(rng.randrange(1, 100) * 1000),
            "Offer_ID__c": f"OF-{rng.randrange(1000, 9999)}", "Tactic_ID__c": f"TC-{rng.randrange(100, 999)}",
            "CreatedDate": created, "LastModifiedDate": stamp, "SystemModstamp": stamp,
        })
    campaign_ids = store.load("Campaign", campaigns)

    statuses = rng.choices(LEAD_STATUSES, (50, 30, 8, 12), k=counts.leads)
    leads = []
    for i, (created, stamp) in enumerate(g.stamps(counts.leads)):
        company, domain = g.company()
        first, last, email = g.person(domain)
        country, state, city, postal = g.place()
        leads.append({
            "FirstName": first, "LastName": last, "Company": company, "Email": email,
            "Title": rng.choice(_TITLES), "Phone": g.phone(),
            "Street": f"{rng.randrange(1, 999)} {rng.choice(_STREETS)}",
            "City": city, "State": state, "PostalCode": postal, "Country": country,
            "Website": f"https://{domain}", "Industry": rng.choice(INDUSTRIES), "Status": statuses[i],
            "LeadSource": rng.choice(LEAD_SOURCES), "Rating": rng.choice(RATINGS + (None,)),
            "NumberOfEmployees": rng.randrange(1, 50000),
            "AnnualRevenue": float(rng.randrange(1, 10000) * 1000),
            "CreatedDate": created, "LastModifiedDate": stamp, "SystemModstamp": stamp,
        })
        if statuses[i] == "Closed - Converted" and account_ids:
            leads[-1].update(IsConverted=True, ConvertedDate=stamp[:10],
                             ConvertedAccountId=rng.choice(account_ids))
    lead_ids = store.load("Lead", leads)

    opportunities = []
    for created, stamp in g.stamps(counts.opportunities if account_ids else 0):
        stage = rng.choice(OPPORTUNITY_STAGES)
        opportunities.append({
            "AccountId": rng.choice(account_ids), "Name": f"{rng.choice(_COMPANY_B)} expansion",
            "StageName": stage, "CloseDate": g.date_around(60), "Amount": float(rng.randrange(5, 500) * 1000),
            "CampaignId": rng.choice(campaign_ids) if campaign_ids and rng.random() < 0.5 else None,
            "CreatedDate": created, "LastModifiedDate": stamp, "SystemModstamp": stamp,
        })
    store.load("Opportunity", opportunities)

    members: list[dict[str, Any]] = []
    for created, stamp in g.stamps(counts.members if campaign_ids and (lead_ids or contact_ids) else 0):
        use_lead = bool(lead_ids) and (not contact_ids or rng.random() < 0.7)
        members.append({
            "CampaignId": rng.choice(campaign_ids),
            "LeadId": rng.choice(lead_ids) if use_lead else None,
            "ContactId": None if use_lead else rng.choice(contact_ids),
            "Status": rng.choice(("Sent", "Responded")),
            "CreatedDate": created, "LastModifiedDate": stamp, "SystemModstamp": stamp,
        })
    store.load("CampaignMember", members)
    return {"Account": len(accounts), "Contact": len(contacts), "Campaign": len(campaigns),
            "Lead": len(leads), "Opportunity": len(opportunities), "CampaignMember": len(members)}
