"""Campaign members from a source: each tags the lead it names with its campaign."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Connection

from ..store.tables import leads


def tag_leads(conn: Connection, tenant: str, connector: str, rows: list[dict[str, Any]]) -> int:
    """Set ``campaign`` (the campaign's source id) on the leads of ``connector`` the rows name, in
    row order, so a lead in several campaigns keeps the latest; returns the leads tagged. Members
    whose lead the hub does not hold (a contact, a lead not pulled yet) change nothing."""
    tagged = 0
    for row in rows:
        if row.get("lead_id"):
            tagged += conn.execute(
                update(leads)
                .where(leads.c.tenant_id == tenant, leads.c.source_connector == connector,
                       leads.c.external_id == row["lead_id"])
                .values(campaign=row["campaign_id"])
            ).rowcount
    return tagged
