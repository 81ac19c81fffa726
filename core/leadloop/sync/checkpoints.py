"""Watermarks: where each pull resumes. Saved in the same transaction as the page they follow."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.engine import Connection

from ..store import Store
from ..store.tables import checkpoints
from ..store.types import utcnow


def _key(tenant: str, connector: str, job: str, object_type: str) -> ColumnElement[bool]:
    return and_(
        checkpoints.c.tenant_id == tenant,
        checkpoints.c.connector == connector,
        checkpoints.c.job == job,
        checkpoints.c.object_type == object_type,
    )


def load(store: Store, tenant: str, connector: str, job: str, object_type: str) -> dict[str, Any] | None:
    with store.read() as conn:
        watermark: dict[str, Any] | None = conn.execute(
            select(checkpoints.c.watermark).where(_key(tenant, connector, job, object_type))
        ).scalar()
        return watermark


def save(conn: Connection, tenant: str, connector: str, job: str, object_type: str, watermark: dict[str, Any]) -> None:
    """Store ``watermark``. A cursor watermark (one with a ``stamp``) never moves backwards, even
    when an overlapping re-read ends on an older page; other watermarks (a file source's state) are
    the source's to manage and are stored as given."""
    stored = conn.execute(select(checkpoints.c.watermark).where(_key(tenant, connector, job, object_type))).scalar()
    if stored is None:
        conn.execute(
            checkpoints.insert().values(tenant_id=tenant, connector=connector, job=job, object_type=object_type,
                                        watermark=watermark, updated_at=utcnow())
        )
    elif not _behind(watermark, stored):
        conn.execute(
            checkpoints.update().where(_key(tenant, connector, job, object_type))
            .values(watermark=watermark, updated_at=utcnow())
        )


def _behind(new: dict[str, Any], stored: dict[str, Any]) -> bool:
    if "stamp" not in new or "stamp" not in stored:
        return False
    return (str(new["stamp"]), str(new.get("id", ""))) < (str(stored["stamp"]), str(stored.get("id", "")))
