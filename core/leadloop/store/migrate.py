"""Schema migrations, run through Alembic's API: no ``alembic.ini``, the scripts ship in the package.

To add a revision after changing :mod:`leadloop.store.tables`, generate it against a database at the
current head and review it (autogenerate misses some changes, e.g. CHECK constraints)::

    from alembic import command
    from leadloop.store import Store
    from leadloop.store.migrate import alembic_config

    store = Store.open("sqlite:////tmp/head.db"); store.migrate()
    with store.transaction() as conn:
        command.revision(alembic_config(conn), message="what and why", autogenerate=True)
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).parent / "migrations"
PG_MIGRATION_LOCK = 0x6C6C_6D69_6772  # "llmigr": one advisory lock id for every leadloop process


def alembic_config(connection: Connection) -> Config:
    """An Alembic config whose ``env.py`` runs on ``connection`` (and within its transaction)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection) -> None:
    """Bring the schema to the newest revision; a no-op when it is there already.

    ``connection`` is in a write transaction, so two processes migrating at once run one after the
    other (SQLite's write lock, PostgreSQL's advisory lock) and the second finds nothing to do.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})")
    command.upgrade(alembic_config(connection), "head")
