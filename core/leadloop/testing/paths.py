"""Checks that the core's column-wise path stores what the record-by-record one does.

While only the core answers the mapping and uniqueness hooks, a pull maps a page of leads as
columns; a plugin answering either sees each record as a dict. Register :class:`SameKeys` to take
the second path with the core's own keys, and compare :func:`stored` after each run.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .. import hookimpl
from ..default_plugin import uniqueness_key
from ..store import Store
from ..store.tables import leads, rejects


class SameKeys:
    """Answers the uniqueness hook as the core does, so that only the path through the job differs."""

    @hookimpl
    def leadloop_uniqueness_key(self, connector: Any, record: Any, rule: Any) -> str:
        return uniqueness_key(record, rule)


def stored(store: Store) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    """Every stored lead (by external id, without what the store itself sets: id and its own stamps)
    and every reject (record, field, reason, value) in the order written."""
    skip = {"id", "created_at", "updated_at"}
    with store.read() as conn:
        found = [{k: v for k, v in row.items() if k not in skip}
                 for row in conn.execute(select(leads).order_by(leads.c.external_id)).mappings()]
        refused = [tuple(r) for r in conn.execute(
            select(rejects.c.record, rejects.c.field, rejects.c.reason, rejects.c.value).order_by(rejects.c.id))]
    return found, refused
