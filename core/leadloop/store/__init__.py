"""The store: SQLAlchemy 2 tables and queries; a SQLite file by default, PostgreSQL by URL.

``Store.open()`` then ``store.migrate()``; ``store.tenant(id)`` for everything about one tenant;
``store.transaction()`` and :mod:`leadloop.store.tables` for Core statements of the sync engine.
"""

from .leads import LEAD_COLUMNS, UpsertCounts
from .store import Store, TenantRecord
from .tenant import ConnectorRecord, ConnectorState, TenantStore

__all__ = [
    "LEAD_COLUMNS",
    "ConnectorRecord",
    "ConnectorState",
    "Store",
    "TenantRecord",
    "TenantStore",
    "UpsertCounts",
]
