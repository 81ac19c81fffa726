"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and read back timezone-aware.

    SQLite has no timezone type and SQLAlchemy's SQLite DATETIME drops ``tzinfo`` without converting,
    so an aware non-UTC value would be stored as the wrong instant. Values are converted to UTC
    before they are stored (text on SQLite, timestamptz on PostgreSQL); naive values are taken to be
    UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def to_text(value: datetime | None) -> str | None:
            # The exact text SQLAlchemy's SQLite DATETIME writes (so stored values compare and sort
            # alike), made by C code: this runs for every timestamp of a bulk import.
            if value is None:
                return None
            if value.tzinfo is not None and value.tzinfo is not UTC:
                value = value.astimezone(UTC)
            return value.isoformat(" ", "microseconds")[:26]  # without the "+00:00" of aware values

        return to_text

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """PostgreSQL only (timestamptz keeps the instant); SQLite binds through :meth:`bind_processor`."""
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


JSONDoc: Any = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
"""JSON text on SQLite, JSONB on PostgreSQL (indexable, compact). ``None`` is SQL NULL, not ``null``."""

BigId: Any = BigInteger().with_variant(Integer(), "sqlite")
"""An autoincrementing id: SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY."""
