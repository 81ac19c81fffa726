"""Database fixtures shared by the core's tests.

``database_url`` (and ``store``, built on it) runs a test on SQLite, in a file of its own, and again
on PostgreSQL when ``LEADLOOP_TEST_DATABASE_URL`` is set. On PostgreSQL each test gets a schema of its
own (put first on the connection's ``search_path`` through the URL), dropped afterwards, so tests
neither see nor leave each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url

from leadloop.store import Store

PG_URL_VAR = "LEADLOOP_TEST_DATABASE_URL"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: no tables, not migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'leadloop.db'}"
        return
    server = os.environ.get(PG_URL_VAR)
    if not server:
        pytest.skip(f"set {PG_URL_VAR} to run on PostgreSQL too")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated, empty store; closed (its pool emptied) before the database goes away."""
    opened = Store.open(database_url)
    opened.migrate()
    yield opened
    opened.close()
