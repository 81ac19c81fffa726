"""What the store knows about a connector's files: the ``files`` table, and each file's rejects.

A file is known by the SHA-256 of its bytes, so the same content dropped twice (renamed, or sent
again by a nervous uploader) is recognised before a single row is imported. The rows a file lost
are read back from the store's ``rejects`` table rather than kept in memory: after a crash the
resumed run writes a complete error report although earlier pages were committed by another
process.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from leadloop.store import Store
from leadloop.store.sql import insert_for
from leadloop.store.tables import files, rejects
from leadloop.store.types import utcnow
from sqlalchemy import Integer, and_, cast, func, select

FileStatus = Literal["importing", "processed", "failed"]
ROW_RECORD = "row "
"""How the sync engine names a file row in ``rejects.record`` ("row 17")."""


@dataclass(frozen=True)
class KnownFile:
    """A ``files`` row: a content this connector has seen."""

    checksum: str
    name: str
    status: str
    rows: int | None
    reason: str | None
    at: datetime


def reject_source(name: str, checksum: str) -> str:
    """The ``rejects.source`` of a file's rows: its name, and enough of its checksum to tell two
    uploads of ``leads.csv`` with different contents apart."""
    return f"{name} sha256:{checksum[:12]}"


class FileLedger:
    """One connector's files and their rejects, in the store; every write commits on its own."""

    def __init__(self, store: Store, tenant: str, connector: str) -> None:
        self.store = store
        self.tenant = tenant
        self.connector = connector

    def _key(self, checksum: str) -> Any:
        return and_(files.c.tenant_id == self.tenant, files.c.connector == self.connector,
                    files.c.checksum == checksum)

    def get(self, checksum: str) -> KnownFile | None:
        with self.store.read() as conn:
            row = conn.execute(
                select(files.c.checksum, files.c.name, files.c.status, files.c.rows, files.c.reason, files.c.at)
                .where(self._key(checksum))
            ).first()
        return None if row is None else KnownFile(*row)

    def record(self, checksum: str, name: str, status: FileStatus, *, rows: int | None = None,
               reason: str | None = None) -> None:
        """Create or overwrite the file's row (a failed content may be dropped again and succeed)."""
        values = {"name": name, "status": status, "rows": rows, "reason": reason, "at": utcnow()}
        stmt = insert_for(files, self.store.engine.dialect.name).values(
            tenant_id=self.tenant, connector=self.connector, checksum=checksum, **values
        )
        with self.store.transaction() as conn:
            conn.execute(stmt.on_conflict_do_update(index_elements=["tenant_id", "connector", "checksum"],
                                                    set_=values))

    def _rows_of(self, name: str, checksum: str) -> Any:
        return and_(rejects.c.tenant_id == self.tenant, rejects.c.connector == self.connector,
                    rejects.c.source == reject_source(name, checksum), rejects.c.record.like(f"{ROW_RECORD}%"))

    def count_rejected_rows(self, name: str, checksum: str) -> int:
        """Rows of the file refused for one reason or more."""
        with self.store.read() as conn:
            return int(conn.execute(
                select(func.count(func.distinct(rejects.c.record))).where(self._rows_of(name, checksum))
            ).scalar_one())

    def rejected_rows(self, name: str, checksum: str) -> Iterator[dict[str, Any]]:
        """The file's rejected rows as error report lines (row, field, reason, value), by row.

        Streamed: a file whose every row was refused does not need its million rejects in memory.
        """
        number = cast(func.substr(rejects.c.record, len(ROW_RECORD) + 1), Integer)
        query = (
            select(number, rejects.c.field, rejects.c.reason, rejects.c.value)
            .where(self._rows_of(name, checksum))
            .order_by(number, rejects.c.id)
        )
        with self.store.read() as conn:
            for row, field, reason, value in conn.execution_options(yield_per=1000).execute(query):
                yield {"row": row, "field": field, "reason": reason, "value": value}
