"""Initial schema: tenants, connectors and secrets; leads and the other synced records; routing
(assignments, events); the sync engine's checkpoints, leases, runs, outbox, rejects and files.

Self-contained on purpose (no imports from leadloop): a revision must create the same schema
forever, whatever ``leadloop.store.tables`` becomes later.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
RECORD_TABLES = ("accounts", "campaigns", "contacts", "opportunities")
TABLES = (
    "tenants", "connectors", "secrets", "partners", "leads", *RECORD_TABLES, "assignments", "events",
    "checkpoints", "leases", "runs", "outbox", "rejects", "files",
)  # fmt: skip


def _str(name: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id")


def _connector_fk(table: str, column: str = "connector") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        ["connectors.tenant_id", "connectors.name"],
        name=f"fk_{table}_tenant_id_{column}",
    )


def _check(table: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=f"ck_{table}_{column}")


def _record_columns() -> list[sa.Column[Any]]:
    return [
        _str("source_connector"),
        _str("external_id"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("source_modified_at", TS),
        sa.Column("deleted_at", TS),
    ]


def _record_table(name: str, *columns: sa.Column[Any]) -> None:
    op.create_table(
        name,
        _str("tenant_id", False),
        _str("id", False),
        *columns,
        sa.Column("data", DOC, nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{name}"),
        _tenant_fk(name),
        _connector_fk(name, "source_connector"),
    )
    op.create_index(
        f"uq_{name}_source_record",
        name,
        ["tenant_id", "source_connector", "external_id"],
        unique=True,
        sqlite_where=sa.text("external_id IS NOT NULL"),
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )


def upgrade() -> None:
    op.create_table(
        "tenants",
        _str("id", False),
        _str("name", False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
    )
    op.create_table(
        "connectors",
        _str("tenant_id", False),
        _str("name", False),
        _str("type", False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("settings", DOC, nullable=False),
        _str("uniqueness", False),
        sa.Column("status_map", DOC, nullable=False),
        sa.Column("mapping", DOC, nullable=False),
        sa.Column("jobs", DOC, nullable=False),
        _str("state", False),
        sa.Column("state_reason", sa.Text()),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "name", name="pk_connectors"),
        _tenant_fk("connectors"),
        _check("connectors", "state", ("ok", "needs_reauth", "error")),
    )
    op.create_table(
        "secrets",
        _str("tenant_id", False),
        _str("connector", False),
        _str("name", False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "connector", "name", name="pk_secrets"),
        _connector_fk("secrets"),
    )
    op.create_table(
        "partners",
        _str("tenant_id", False),
        _str("id", False),
        _str("name", False),
        _str("tier"),
        _str("partner_type"),
        sa.Column("capacity", sa.Integer()),
        _str("parent_id"),
        sa.Column("data", DOC, nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_partners"),
        _tenant_fk("partners"),
        _connector_fk("partners", "source_connector"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["partners.tenant_id", "partners.id"],
            name="fk_partners_tenant_id_parent_id",
        ),
    )
    op.create_table(
        "leads",
        _str("tenant_id", False),
        _str("id", False),
        _str("uniqueness_key", False),
        *(_str(n) for n in ("email", "first_name", "last_name", "title", "phone", "mobile_phone", "company")),
        _str("website"),
        sa.Column("employees", sa.Integer()),
        _str("industry"),
        sa.Column("annual_revenue", sa.Numeric(18, 2)),
        _str("lead_source"),
        _str("campaign"),
        sa.Column("products_of_interest", DOC),
        sa.Column("notes", sa.Text()),
        sa.Column("lead_score", sa.Integer()),
        *(_str(f"address_{n}") for n in ("street", "city", "state", "postal_code", "country")),
        sa.Column("custom", DOC, server_default=sa.text("'{}'"), nullable=False),
        sa.Column("distribution_status", sa.String(), server_default="unassigned", nullable=False),
        sa.Column("sales_status", sa.String(), server_default="Not Contacted", nullable=False),
        sa.Column("rejection_reason", sa.Text()),
        _str("assigned_partner_id"),
        sa.Column("source_created_at", TS),
        *_record_columns(),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_leads"),
        _tenant_fk("leads"),
        _connector_fk("leads", "source_connector"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assigned_partner_id"],
            ["partners.tenant_id", "partners.id"],
            name="fk_leads_tenant_id_assigned_partner_id",
        ),
        sa.UniqueConstraint("tenant_id", "uniqueness_key", name="uq_leads_tenant_id_uniqueness_key"),
    )
    op.create_index("ix_leads_tenant_id_email", "leads", ["tenant_id", "email"])
    op.create_index(
        "ix_leads_tenant_id_source_connector_external_id",
        "leads",
        ["tenant_id", "source_connector", "external_id"],
    )
    _record_table(
        "accounts",
        _str("name", False),
        _str("website"),
        _str("industry"),
        sa.Column("employees", sa.Integer()),
        sa.Column("annual_revenue", sa.Numeric(18, 2)),
        _str("address_country"),
        _str("address_state"),
        _str("named_partner"),
    )
    _record_table(
        "campaigns",
        _str("name", False),
        _str("offer_id"),
        _str("tactic_id"),
        _str("status"),
        sa.Column("start_date", sa.Date()),
        sa.Column("end_date", sa.Date()),
    )
    _record_table(
        "contacts",
        _str("account_id"),
        _str("email"),
        _str("first_name"),
        _str("last_name", False),
        _str("title"),
        _str("phone"),
    )
    _record_table(
        "opportunities",
        _str("name", False),
        _str("account_id"),
        _str("lead_id"),
        _str("partner_id"),
        _str("stage", False),
        sa.Column("amount", sa.Numeric(18, 2)),
        sa.Column("currency", sa.String(3)),
        sa.Column("close_date", sa.Date()),
        sa.Column("registered_deal", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "assignments",
        _str("tenant_id", False),
        _str("id", False),
        _str("lead_id", False),
        _str("partner_id"),
        _str("grp"),
        _str("access_type", False),
        _str("assigned_to"),
        _str("status", False),
        _str("strategy"),
        sa.Column("assigned_at", TS, nullable=False),
        sa.Column("respond_by", TS),
        sa.Column("rejection_reason", sa.Text()),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_assignments"),
        _tenant_fk("assignments"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "lead_id"], ["leads.tenant_id", "leads.id"], name="fk_assignments_tenant_id_lead_id"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "partner_id"],
            ["partners.tenant_id", "partners.id"],
            name="fk_assignments_tenant_id_partner_id",
        ),
    )
    op.create_index("ix_assignments_tenant_id_lead_id", "assignments", ["tenant_id", "lead_id"])
    op.create_table(
        "events",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        _str("tenant_id", False),
        _str("lead_id"),
        _str("kind", False),
        sa.Column("data", DOC, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        _tenant_fk("events"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "lead_id"], ["leads.tenant_id", "leads.id"], name="fk_events_tenant_id_lead_id"
        ),
    )
    op.create_index("ix_events_tenant_id_lead_id", "events", ["tenant_id", "lead_id"])
    op.create_table(
        "checkpoints",
        _str("tenant_id", False),
        _str("connector", False),
        _str("job", False),
        _str("object_type", False),
        sa.Column("watermark", DOC, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "connector", "job", "object_type", name="pk_checkpoints"),
        _connector_fk("checkpoints"),
    )
    op.create_table(
        "leases",
        _str("tenant_id", False),
        _str("connector", False),
        _str("job", False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("token", BIGID, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "connector", "job", name="pk_leases"),
        _connector_fk("leases"),
    )
    op.create_table(
        "runs",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        _str("tenant_id", False),
        _str("connector", False),
        _str("job", False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS),
        _str("outcome", False),
        *(
            sa.Column(n, sa.Integer(), nullable=False)
            for n in (
                "pages",
                "records_read",
                "records_written",
                "records_skipped",
                "records_failed",
                "api_calls",
            )
        ),
        sa.Column("error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_runs_tenant_id_id"),
        _connector_fk("runs"),
        _check("runs", "outcome", ("running", "ok", "failed", "paused", "quota", "cancelled")),
    )
    op.create_index(
        "ix_runs_tenant_id_connector_job_started_at", "runs", ["tenant_id", "connector", "job", "started_at"]
    )
    op.create_table(
        "outbox",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        _str("tenant_id", False),
        _str("connector", False),
        _str("object_type", False),
        _str("record_id", False),
        _str("external_id"),
        sa.Column("payload", DOC, nullable=False),
        _str("origin", False),
        _str("status", False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("next_attempt_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("confirmed_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        _connector_fk("outbox"),
        _check("outbox", "status", ("pending", "sent", "unknown", "confirmed", "failed")),
    )
    op.create_index(
        "ix_outbox_tenant_id_connector_status_next_attempt_at",
        "outbox",
        ["tenant_id", "connector", "status", "next_attempt_at"],
    )
    op.create_table(
        "rejects",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        _str("tenant_id", False),
        _str("connector", False),
        sa.Column("run_id", BIGID),
        _str("source"),
        _str("record"),
        _str("field"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("value", sa.Text()),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rejects"),
        _connector_fk("rejects"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "run_id"], ["runs.tenant_id", "runs.id"], name="fk_rejects_tenant_id_run_id"
        ),
    )
    op.create_index("ix_rejects_tenant_id_run_id", "rejects", ["tenant_id", "run_id"])
    op.create_table(
        "files",
        _str("tenant_id", False),
        _str("connector", False),
        _str("checksum", False),
        _str("name", False),
        _str("status", False),
        sa.Column("rows", sa.Integer()),
        sa.Column("reason", sa.Text()),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "connector", "checksum", name="pk_files"),
        _connector_fk("files"),
        _check("files", "status", ("importing", "processed", "failed", "duplicate")),
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
