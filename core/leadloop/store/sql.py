"""Dialect-specific statement builders shared by the store's modules."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_for(table: Table, dialect: str) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that supports ``on_conflict_do_update`` on ``dialect`` (both speak ON CONFLICT)."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
