"""The store's tables, as SQLAlchemy Core objects.

Every row carries ``tenant_id`` and every key that points at another row includes it, so a row of one
tenant cannot reference a row of another: the database refuses it, whatever the code above does.
Tables with an autoincrementing id (events, runs, outbox, rejects) keep that id alone as the
primary key (SQLite autoincrements only a lone INTEGER PRIMARY KEY) and are referenced through a
UNIQUE (tenant_id, id) instead.

The sync engine reads and writes checkpoints, leases, runs and outbox with Core statements on these
objects inside ``Store.transaction()``. A change here needs a new migration in ``migrations/versions``;
``tests/store/test_migrations.py`` fails while the two disagree.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from .types import BigId, JSONDoc, UTCDateTime, utcnow

metadata = MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)
"""Named constraints, so that migrations can address them (SQLite batch mode needs the names)."""

CONNECTOR_STATES = ("ok", "needs_reauth", "error")
RUN_OUTCOMES = ("running", "ok", "failed", "paused", "quota", "cancelled")
OUTBOX_STATUSES = ("pending", "sent", "unknown", "confirmed", "failed", "superseded")
FILE_STATUSES = ("importing", "processed", "failed", "duplicate")


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


def _tenant_id() -> Column[str]:
    return Column("tenant_id", String, nullable=False, primary_key=True)


def _to_tenants() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id"], ["tenants.id"])


def _to_connectors(column: str = "connector") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], ["connectors.tenant_id", "connectors.name"])


def _created_updated() -> list[Column[object]]:
    return [
        Column("created_at", UTCDateTime, nullable=False, default=utcnow),
        Column("updated_at", UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow),
    ]


tenants = Table(
    "tenants",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False),
    *_created_updated(),
)

connectors = Table(
    "connectors",
    metadata,
    _tenant_id(),
    Column("name", String, primary_key=True),
    Column("type", String, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("settings", JSONDoc, nullable=False, default=dict),
    Column("uniqueness", String, nullable=False),
    Column("status_map", JSONDoc, nullable=False, default=dict),
    Column("mapping", JSONDoc, nullable=False, default=dict),
    Column("jobs", JSONDoc, nullable=False, default=dict),
    Column("sync", JSONDoc, nullable=False, server_default=text("'{}'")),
    Column("state", String, nullable=False, default="ok"),
    Column("state_reason", Text),
    Column("updated_at", UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow),
    _to_tenants(),
    _one_of("state", CONNECTOR_STATES),
)

secrets = Table(
    "secrets",
    metadata,
    _tenant_id(),
    Column("connector", String, primary_key=True),
    Column("name", String, primary_key=True),
    Column("ciphertext", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow),
    _to_connectors(),
)


def _record_columns() -> list[Column[object]]:
    """Where a synced record came from and when it changed, shared by leads and the other records."""
    return [
        Column("source_connector", String),
        Column("external_id", String),
        *_created_updated(),
        Column("source_modified_at", UTCDateTime),
        Column("deleted_at", UTCDateTime),
    ]


partners = Table(
    "partners",
    metadata,
    _tenant_id(),
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("tier", String),
    Column("partner_type", String),
    Column("capacity", Integer),
    Column("parent_id", String),
    Column("data", JSONDoc, nullable=False, default=dict),
    *_record_columns(),
    _to_tenants(),
    _to_connectors("source_connector"),
    ForeignKeyConstraint(["tenant_id", "parent_id"], ["partners.tenant_id", "partners.id"]),
)

leads = Table(
    "leads",
    metadata,
    _tenant_id(),
    Column("id", String, primary_key=True),
    Column("uniqueness_key", String, nullable=False),
    Column("email", String),
    Column("first_name", String),
    Column("last_name", String),
    Column("title", String),
    Column("phone", String),
    Column("mobile_phone", String),
    Column("company", String),
    Column("website", String),
    Column("employees", Integer),
    Column("industry", String),
    Column("annual_revenue", Numeric(18, 2)),
    Column("lead_source", String),
    Column("campaign", String),
    Column("products_of_interest", JSONDoc),
    Column("notes", Text),
    Column("lead_score", Integer),
    Column("address_street", String),
    Column("address_city", String),
    Column("address_state", String),
    Column("address_postal_code", String),
    Column("address_country", String),
    Column("custom", JSONDoc, nullable=False, server_default=text("'{}'")),
    Column("distribution_status", String, nullable=False, server_default="unassigned"),
    Column("sales_status", String, nullable=False, server_default="Not Contacted"),
    Column("rejection_reason", Text),
    Column("assigned_partner_id", String),
    Column("source_created_at", UTCDateTime),
    *_record_columns(),
    _to_tenants(),
    _to_connectors("source_connector"),
    ForeignKeyConstraint(["tenant_id", "assigned_partner_id"], ["partners.tenant_id", "partners.id"]),
    UniqueConstraint("tenant_id", "uniqueness_key"),
    Index(None, "tenant_id", "source_connector", "external_id"),
    Index(None, "tenant_id", "email"),
)
"""Leads are unique per tenant by ``uniqueness_key``: the bulk upsert's conflict target.

Server-side defaults (not Python ones) because the bulk upsert writes raw SQL naming only the
columns its rows carry."""


def _record_table(name: str, *columns: Column[object]) -> Table:
    """A synced record kept compact: its main fields as columns, the rest in ``data``."""
    return Table(
        name,
        metadata,
        _tenant_id(),
        Column("id", String, primary_key=True),
        *columns,
        Column("data", JSONDoc, nullable=False, default=dict),
        *_record_columns(),
        _to_tenants(),
        _to_connectors("source_connector"),
        Index(
            f"uq_{name}_source_record",
            "tenant_id",
            "source_connector",
            "external_id",
            unique=True,
            sqlite_where=text("external_id IS NOT NULL"),
            postgresql_where=text("external_id IS NOT NULL"),
        ),
    )


accounts = _record_table(
    "accounts",
    Column("name", String, nullable=False),
    Column("website", String),
    Column("industry", String),
    Column("employees", Integer),
    Column("annual_revenue", Numeric(18, 2)),
    Column("address_country", String),
    Column("address_state", String),
    Column("named_partner", String),
)

contacts = _record_table(
    "contacts",
    Column("account_id", String),
    Column("email", String),
    Column("first_name", String),
    Column("last_name", String, nullable=False),
    Column("title", String),
    Column("phone", String),
)

opportunities = _record_table(
    "opportunities",
    Column("name", String, nullable=False),
    Column("account_id", String),
    Column("lead_id", String),
    Column("partner_id", String),
    Column("stage", String, nullable=False),
    Column("amount", Numeric(18, 2)),
    Column("currency", String(3)),
    Column("close_date", Date),
    Column("registered_deal", Boolean, nullable=False, default=False),
)

campaigns = _record_table(
    "campaigns",
    Column("name", String, nullable=False),
    Column("offer_id", String),
    Column("tactic_id", String),
    Column("status", String),
    Column("start_date", Date),
    Column("end_date", Date),
)

assignments = Table(
    "assignments",
    metadata,
    _tenant_id(),
    Column("id", String, primary_key=True),
    Column("lead_id", String, nullable=False),
    Column("partner_id", String),
    Column("grp", String),
    Column("access_type", String, nullable=False, default="User"),
    Column("assigned_to", String),
    Column("status", String, nullable=False, default="assigned"),
    Column("strategy", String),
    Column("assigned_at", UTCDateTime, nullable=False, default=utcnow),
    Column("respond_by", UTCDateTime),
    Column("rejection_reason", Text),
    _to_tenants(),
    ForeignKeyConstraint(["tenant_id", "lead_id"], ["leads.tenant_id", "leads.id"]),
    ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"]),
    Index(None, "tenant_id", "lead_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("tenant_id", String, nullable=False),
    Column("lead_id", String),
    Column("kind", String, nullable=False),
    Column("data", JSONDoc, nullable=False, default=dict),
    Column("at", UTCDateTime, nullable=False, default=utcnow),
    _to_tenants(),
    ForeignKeyConstraint(["tenant_id", "lead_id"], ["leads.tenant_id", "leads.id"]),
    Index(None, "tenant_id", "lead_id"),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    _tenant_id(),
    Column("connector", String, primary_key=True),
    Column("job", String, primary_key=True),
    Column("object_type", String, primary_key=True),
    Column("watermark", JSONDoc, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow),
    _to_connectors(),
)

schedules = Table(
    "schedules",
    metadata,
    _tenant_id(),
    Column("connector", String, primary_key=True),
    Column("job", String, primary_key=True),
    Column("every_seconds", Integer),
    Column("cron", String),
    Column("enabled", Boolean, nullable=False),
    Column("next_run_at", UTCDateTime, nullable=False),
    _to_connectors(),
    Index(None, "next_run_at"),
)
"""When each job runs next; the scheduler's tick reads only rows whose time has come."""

leases = Table(
    "leases",
    metadata,
    _tenant_id(),
    Column("connector", String, primary_key=True),
    Column("job", String, primary_key=True),
    Column("holder", Text, nullable=False),
    Column("token", BigId, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    _to_connectors(),
)
"""One row per job, kept after release so that ``token`` (the fencing token) only ever grows."""

runs = Table(
    "runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("tenant_id", String, nullable=False),
    Column("connector", String, nullable=False),
    Column("job", String, nullable=False),
    Column("started_at", UTCDateTime, nullable=False, default=utcnow),
    Column("ended_at", UTCDateTime),
    Column("outcome", String, nullable=False, default="running"),
    *(
        Column(name, Integer, nullable=False, default=0)
        for name in (
            "pages",
            "records_read",
            "records_written",
            "records_skipped",
            "records_failed",
            "api_calls",
        )
    ),
    Column("error", Text),
    _to_connectors(),
    _one_of("outcome", RUN_OUTCOMES),
    UniqueConstraint("tenant_id", "id"),
    Index(None, "tenant_id", "connector", "job", "started_at"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("tenant_id", String, nullable=False),
    Column("connector", String, nullable=False),
    Column("object_type", String, nullable=False),
    Column("record_id", String, nullable=False),
    Column("external_id", String),
    Column("payload", JSONDoc, nullable=False),
    Column("origin", String, nullable=False),
    Column("status", String, nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("next_attempt_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    Column("confirmed_at", UTCDateTime),
    _to_connectors(),
    _one_of("status", OUTBOX_STATUSES),
    Index(None, "tenant_id", "connector", "status", "next_attempt_at"),
)
"""Pending write-backs. ``origin`` is who made the change (``"hub"`` or a connector name), so that a
change pulled from a source is never pushed back to that same source."""

rejects = Table(
    "rejects",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("tenant_id", String, nullable=False),
    Column("connector", String, nullable=False),
    Column("run_id", BigId),
    Column("source", String),
    Column("record", String),
    Column("field", String),
    Column("reason", Text, nullable=False),
    Column("value", Text),
    Column("at", UTCDateTime, nullable=False, default=utcnow),
    _to_connectors(),
    ForeignKeyConstraint(["tenant_id", "run_id"], ["runs.tenant_id", "runs.id"]),
    Index(None, "tenant_id", "run_id"),
)

files = Table(
    "files",
    metadata,
    _tenant_id(),
    Column("connector", String, primary_key=True),
    Column("checksum", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("status", String, nullable=False),
    Column("rows", Integer),
    Column("reason", Text),
    Column("at", UTCDateTime, nullable=False, default=utcnow),
    _to_connectors(),
    _one_of("status", FILE_STATUSES),
)
"""Files a connector has seen, by content checksum: the same file dropped twice is imported once."""
