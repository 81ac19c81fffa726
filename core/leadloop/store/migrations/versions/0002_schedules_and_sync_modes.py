"""Job schedules (one row per job with its next run time), per-connector sync modes, and the
``superseded`` outbox status for hub changes a later source change overrode.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OLD_OUTBOX = ("pending", "sent", "unknown", "confirmed", "failed")
NEW_OUTBOX = (*OLD_OUTBOX, "superseded")


def _allowed(values: tuple[str, ...]) -> str:
    return "status IN ({})".format(", ".join(f"'{v}'" for v in values))


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("tenant_id", sa.String(), nullable=False),
        sa.Column("connector", sa.String(), nullable=False),
        sa.Column("job", sa.String(), nullable=False),
        sa.Column("every_seconds", sa.Integer(), nullable=True),
        sa.Column("cron", sa.String(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("next_run_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "connector", "job", name="pk_schedules"),
        sa.ForeignKeyConstraint(["tenant_id", "connector"], ["connectors.tenant_id", "connectors.name"],
                                name="fk_schedules_tenant_id_connector"),
    )
    op.create_index("ix_schedules_next_run_at", "schedules", ["next_run_at"])
    with op.batch_alter_table("connectors") as batch:
        batch.add_column(sa.Column("sync", DOC, nullable=False, server_default=sa.text("'{}'")))
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("ck_outbox_status", type_="check")
        batch.create_check_constraint("status", _allowed(NEW_OUTBOX))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("ck_outbox_status", type_="check")
        batch.create_check_constraint("status", _allowed(OLD_OUTBOX))
    with op.batch_alter_table("connectors") as batch:
        batch.drop_column("sync")
    op.drop_index("ix_schedules_next_run_at", "schedules")
    op.drop_table("schedules")
