"""One tenant's view of the store.

Tenant isolation lives here and in the keys of :mod:`leadloop.store.tables`: no method takes a tenant
id, every statement filters by the one the view was made for, so code holding a ``TenantStore``
cannot read or change another tenant's rows by mistake.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import ColumnElement, Table, func, select, update
from sqlalchemy.engine import Connection, RowMapping

from ..connectors import UniquenessRule
from ..errors import ConfigError
from . import tables
from .leads import UpsertCounts, upsert_leads
from .sql import insert_for
from .types import utcnow

if TYPE_CHECKING:
    from .store import Store

ConnectorState = Literal["ok", "needs_reauth", "error"]


@dataclass(frozen=True)
class ConnectorRecord:
    """A tenant's configured connector as stored (secrets apart)."""

    name: str
    type: str
    enabled: bool
    settings: dict[str, Any]
    uniqueness: UniquenessRule
    status_map: dict[str, dict[str, str]]
    mapping: dict[str, Any]
    jobs: dict[str, Any]
    sync: dict[str, dict[str, Any]]
    state: ConnectorState
    state_reason: str | None
    updated_at: datetime


class TenantStore:
    """Reads and writes of one tenant. Write methods take an optional ``conn`` to join a transaction
    of :meth:`Store.transaction` (applying a tenant file is all or nothing); without it each call
    commits on its own."""

    def __init__(self, store: Store, tenant_id: str) -> None:
        self._store = store
        self.tenant_id = tenant_id

    def __repr__(self) -> str:
        return f"TenantStore({self.tenant_id!r})"

    # -- the tenant itself -------------------------------------------------------------------------

    def upsert_tenant(self, name: str, *, conn: Connection | None = None) -> None:
        """Create this tenant, or rename it; it must exist before its connectors."""
        stmt = insert_for(tables.tenants, self._dialect).values(id=self.tenant_id, name=name)
        stmt = stmt.on_conflict_do_update(
            index_elements=["id"], set_={"name": stmt.excluded.name, "updated_at": utcnow()}
        )
        with self._write(conn) as c:
            c.execute(stmt)

    # -- connectors --------------------------------------------------------------------------------

    def list_connectors(self) -> list[ConnectorRecord]:
        t = tables.connectors
        with self._store.read() as c:
            rows = c.execute(select(t).where(self._mine(t)).order_by(t.c.name)).mappings()
            return [_connector(row) for row in rows]

    def get_connector(self, name: str) -> ConnectorRecord | None:
        t = tables.connectors
        with self._store.read() as c:
            row = c.execute(select(t).where(self._mine(t), t.c.name == name)).mappings().first()
        return None if row is None else _connector(row)

    def upsert_connector(
        self,
        name: str,
        type: str,
        *,
        uniqueness: UniquenessRule,
        settings: Mapping[str, Any] | None = None,
        status_map: Mapping[str, Mapping[str, str]] | None = None,
        mapping: Mapping[str, Any] | None = None,
        jobs: Mapping[str, Any] | None = None,
        sync: Mapping[str, Mapping[str, Any]] | None = None,
        enabled: bool | None = None,
        conn: Connection | None = None,
    ) -> None:
        """Create or replace a connector's configuration.

        ``enabled=None`` keeps an existing connector's switch (new ones start enabled), so that
        re-applying a tenant file does not undo ``leadloop connectors disable``. The connector's
        ``state`` is left alone: only :meth:`set_connector_state` changes it.
        """
        t = tables.connectors
        values = {
            "type": type,
            "uniqueness": uniqueness,
            "settings": dict(settings or {}),
            "status_map": {k: dict(v) for k, v in (status_map or {}).items()},
            "mapping": dict(mapping or {}),
            "jobs": dict(jobs or {}),
            "sync": {k: dict(v) for k, v in (sync or {}).items()},
            "updated_at": utcnow(),
        }
        if enabled is not None:
            values["enabled"] = enabled
        stmt = insert_for(t, self._dialect).values(
            tenant_id=self.tenant_id, name=name, **{"enabled": True, **values}
        )
        stmt = stmt.on_conflict_do_update(index_elements=["tenant_id", "name"], set_=values)
        with self._write(conn) as c:
            known = c.execute(select(tables.tenants.c.id).where(tables.tenants.c.id == self.tenant_id))
            if known.first() is None:
                raise ConfigError(
                    f"tenant {self.tenant_id!r} does not exist: create it before its connector {name!r}"
                )
            c.execute(stmt)

    def set_connector_enabled(self, name: str, enabled: bool, *, conn: Connection | None = None) -> None:
        """Switch a connector on or off; the scheduler only runs enabled connectors' jobs."""
        self._update_connector(name, {"enabled": enabled}, conn)

    def set_connector_state(
        self, name: str, state: ConnectorState, reason: str | None = None, *, conn: Connection | None = None
    ) -> None:
        """Record whether a connector works (``needs_reauth`` after an AuthError) and why not."""
        self._update_connector(name, {"state": state, "state_reason": reason}, conn)

    def _update_connector(self, name: str, values: dict[str, Any], conn: Connection | None) -> None:
        t = tables.connectors
        stmt = update(t).where(self._mine(t), t.c.name == name).values(**values)
        with self._write(conn) as c:
            if c.execute(stmt).rowcount == 0:
                known = ", ".join(r.name for r in c.execute(select(t.c.name).where(self._mine(t))))
                raise ConfigError(
                    f"tenant {self.tenant_id!r} has no connector {name!r} "
                    f"(its connectors: {known or 'none'}); apply the tenant file that defines it"
                )

    # -- secrets -----------------------------------------------------------------------------------

    def put_secret(
        self, connector: str, name: str, ciphertext: str, *, conn: Connection | None = None
    ) -> None:
        """Store one encrypted secret value of a connector, replacing the old one.

        The store never sees plaintext: ``ciphertext`` comes from :class:`leadloop.secrets.SecretBox`.
        """
        t = tables.secrets
        stmt = insert_for(t, self._dialect).values(
            tenant_id=self.tenant_id, connector=connector, name=name, ciphertext=ciphertext
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["tenant_id", "connector", "name"],
            set_={"ciphertext": stmt.excluded.ciphertext, "updated_at": utcnow()},
        )
        with self._write(conn) as c:
            c.execute(stmt)

    def get_secrets(self, connector: str) -> dict[str, str]:
        """A connector's secrets, name -> ciphertext."""
        t = tables.secrets
        with self._store.read() as c:
            rows = c.execute(
                select(t.c.name, t.c.ciphertext).where(self._mine(t), t.c.connector == connector)
            )
            return {row.name: row.ciphertext for row in rows}

    # -- leads -------------------------------------------------------------------------------------

    def upsert_leads(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> UpsertCounts:
        """Bulk insert-or-update of mapped lead rows; see :func:`leadloop.store.leads.upsert_leads`.

        Takes the caller's transaction: the sync engine commits a page's leads with its checkpoint.
        """
        return upsert_leads(conn, self.tenant_id, rows)

    def count_leads(self) -> int:
        """Leads not deleted at their source."""
        t = tables.leads
        with self._store.read() as c:
            return c.execute(select(func.count()).select_from(t).where(*self._live_leads())).scalar_one()

    def get_lead(self, lead_id: str) -> dict[str, Any] | None:
        """A lead by hub id, deleted or not, as a dict keyed by ``leads`` column names."""
        t = tables.leads
        with self._store.read() as c:
            row = c.execute(select(t).where(self._mine(t), t.c.id == lead_id)).mappings().first()
        return None if row is None else dict(row)

    def find_leads_by_email(self, email: str) -> list[dict[str, Any]]:
        """Live leads with this exact email (several when uniqueness is email + campaign)."""
        t = tables.leads
        return self._leads(select(t).where(*self._live_leads(), t.c.email == email).order_by(t.c.created_at))

    def list_leads(self, limit: int = 100) -> list[dict[str, Any]]:
        """The most recently stored live leads, newest first."""
        t = tables.leads
        return self._leads(
            select(t).where(*self._live_leads()).order_by(t.c.updated_at.desc(), t.c.id).limit(limit)
        )

    def _leads(self, stmt: Any) -> list[dict[str, Any]]:
        with self._store.read() as c:
            return [dict(row) for row in c.execute(stmt).mappings()]

    def _live_leads(self) -> tuple[ColumnElement[bool], ...]:
        return self._mine(tables.leads), tables.leads.c.deleted_at.is_(None)

    # -- plumbing ----------------------------------------------------------------------------------

    def _mine(self, table: Table) -> ColumnElement[bool]:
        return table.c.tenant_id == self.tenant_id

    @property
    def _dialect(self) -> str:
        return self._store.engine.dialect.name

    @contextmanager
    def _write(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
        else:
            with self._store.transaction() as c:
                yield c


def _connector(row: RowMapping) -> ConnectorRecord:
    return ConnectorRecord(**{k: v for k, v in row.items() if k != "tenant_id"})
