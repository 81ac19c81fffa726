"""The core's tests use the test kit's database fixtures (:mod:`leadloop.testing.fixtures`): every
store test runs on SQLite, and again on PostgreSQL when ``LEADLOOP_TEST_DATABASE_URL`` is set."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leadloop.store import Store


@pytest.fixture
def database_url(leadloop_database_url: str) -> str:
    """The URL of an empty database: no tables, not migrated."""
    return leadloop_database_url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated, empty store; closed (its pool emptied) before the database goes away."""
    opened = Store.open(database_url)
    opened.migrate()
    yield opened
    opened.close()
