"""``leadloop export``: a tenant's leads as CSV or XLSX, safe to open in a spreadsheet.

Lead values come from files and CRMs, so a company called ``=HYPERLINK(...)`` is written as text
(:func:`~leadloop_csv_sftp.write_table` neutralises every cell a spreadsheet would evaluate). The
headers are the ones the default import mapping reads, so an exported file imports again as it is.
Leads are streamed from the store, a thousand at a time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, BinaryIO

from leadloop.store import Store
from leadloop.store.tables import leads
from sqlalchemy import select

from .export import Format, write_table

COLUMNS: tuple[tuple[str, str], ...] = (
    ("Hub ID", "id"),
    ("External ID", "external_id"),
    ("Source Connector", "source_connector"),
    ("Email", "email"),
    ("First Name", "first_name"),
    ("Last Name", "last_name"),
    ("Title", "title"),
    ("Company", "company"),
    ("Phone", "phone"),
    ("Mobile", "mobile_phone"),
    ("Website", "website"),
    ("Employees", "employees"),
    ("Industry", "industry"),
    ("Annual Revenue", "annual_revenue"),
    ("Street", "address_street"),
    ("City", "address_city"),
    ("State", "address_state"),
    ("Postal Code", "address_postal_code"),
    ("Country", "address_country"),
    ("Lead Source", "lead_source"),
    ("Campaign", "campaign"),
    ("Products", "products_of_interest"),
    ("Notes", "notes"),
    ("Lead Score", "lead_score"),
    ("Created", "source_created_at"),
    ("Distribution Status", "distribution_status"),
    ("Sales Status", "sales_status"),
    ("Rejection Reason", "rejection_reason"),
    ("Assigned Partner", "assigned_partner_id"),
    ("Stored At", "created_at"),
    ("Updated At", "updated_at"),
)
"""(header, ``leads`` column); the lead's custom fields follow as ``custom.<name>`` columns."""

CUSTOM_HEADERS = {"assign_to": "RecordAssignTo", "access_type": "AccessType"}
"""Custom fields the import fills from well-known columns go back under those columns' names."""


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, dict):
        return str(value)
    return value


def _custom_names(store: Store, tenant: str) -> list[str]:
    """Every custom field name the tenant's leads carry, in a first pass that reads only ``custom``."""
    names: dict[str, None] = {}
    with store.read() as conn:
        for (custom,) in conn.execution_options(yield_per=1000).execute(
            select(leads.c.custom).where(leads.c.tenant_id == tenant, leads.c.deleted_at.is_(None))
        ):
            names.update(dict.fromkeys(custom or ()))
    return sorted(names, key=lambda n: (n not in CUSTOM_HEADERS, n))


def export_leads(store: Store, tenant: str, target: str | os.PathLike[str] | BinaryIO, fmt: Format = "csv") -> int:
    """Write the tenant's live leads to ``target`` (a path or a binary stream); returns the count."""
    custom = _custom_names(store, tenant)
    headers = [h for h, _ in COLUMNS] + [CUSTOM_HEADERS.get(n, f"custom.{n}") for n in custom]
    query = (
        select(*(leads.c[column] for _, column in COLUMNS), leads.c.custom)
        .where(leads.c.tenant_id == tenant, leads.c.deleted_at.is_(None))
        .order_by(leads.c.created_at, leads.c.id)
    )

    def rows() -> Iterator[list[Any]]:
        with store.read() as conn:
            for row in conn.execution_options(yield_per=1000).execute(query):
                values = row[:-1]
                extra = row[-1] or {}
                yield [_cell(v) for v in values] + [_cell(extra.get(n)) for n in custom]

    return write_table(headers, rows(), target, fmt, title="leads")
