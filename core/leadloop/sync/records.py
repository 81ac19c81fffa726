"""Accounts, contacts, opportunities and campaigns from a source: upserted by their source id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ..errors import ConfigError
from ..store import tables
from ..store.types import utcnow

TABLES: dict[str, Table] = {
    "lead": tables.leads,
    "account": tables.accounts,
    "contact": tables.contacts,
    "opportunity": tables.opportunities,
    "campaign": tables.campaigns,
}
_RENAMED = {"created_at": "source_created_at", "modified_at": "source_modified_at"}
_NOT_DATA = {"source_connector", "source_system", "external_id", "custom"}


def table_for(object_type: str) -> Table:
    try:
        return TABLES[object_type]
    except KeyError:
        raise ConfigError(f"the store keeps no {object_type!r} records (it keeps: {', '.join(TABLES)})") from None


def upsert_records(conn: Connection, tenant: str, connector: str, object_type: str,
                   rows: Sequence[dict[str, Any]]) -> int:
    """Insert or update non-lead records by (tenant, connector, external id); returns rows written.

    Fields with a column of their own go there (dots become underscores); the rest, custom fields
    included, go to the ``data`` document.
    """
    if not rows:
        return 0
    table = table_for(object_type)
    columns = set(table.c.keys())
    values = []
    for row in rows:
        if not row.get("external_id"):
            raise ConfigError(f"connector {connector!r}: the {object_type} mapping maps no external_id, "
                              "so records cannot be matched on the next pull")
        record: dict[str, Any] = {"tenant_id": tenant, "source_connector": connector,
                                  "external_id": str(row["external_id"]), "updated_at": utcnow()}
        data: dict[str, Any] = dict(row.get("custom") or {})
        for key, value in row.items():
            if key in _NOT_DATA:
                continue
            column = _RENAMED.get(key, key.replace(".", "_"))
            if column in columns and column not in {"id", "tenant_id", "data"}:
                record[column] = value
            elif value is not None:
                data[key] = value if isinstance(value, (str, int, float, bool, list, dict)) else str(value)
        record["data"] = data
        record["id"] = f"{connector}:{record['external_id']}"
        values.append(record)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for record in values:
        stmt = dialect.insert(table).values(**record)
        updates = {k: stmt.excluded[k] for k in record if k not in {"id", "tenant_id"}}
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["tenant_id", "source_connector", "external_id"],
            index_where=text("external_id IS NOT NULL"),
            set_={**updates, "deleted_at": None},
        ))
    return len(values)
