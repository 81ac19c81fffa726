"""Tenants ready to hold leads (each with a connector ``crm``), and mapped lead rows.

Helpers are fixtures because tests run with ``--import-mode=importlib``: a test module cannot
import from a conftest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from leadloop.store import Store, TenantStore

LeadRow = Callable[..., dict[str, Any]]


def _tenant(store: Store, tenant_id: str) -> TenantStore:
    tenant = store.tenant(tenant_id)
    tenant.upsert_tenant(tenant_id.title())
    tenant.upsert_connector("crm", "salesforce", uniqueness="email", settings={"instance": tenant_id})
    return tenant


@pytest.fixture
def acme(store: Store) -> TenantStore:
    return _tenant(store, "acme")


@pytest.fixture
def globex(store: Store) -> TenantStore:
    return _tenant(store, "globex")


@pytest.fixture
def lead_row() -> LeadRow:
    """``lead_row(n, **fields)``: a mapped lead row as the sync engine hands it to ``upsert_leads``."""

    def make(n: int, **fields: Any) -> dict[str, Any]:
        row: dict[str, Any] = {
            "uniqueness_key": f"email:lead{n}@example.com",
            "source_connector": "crm",
            "external_id": f"00Q{n:06d}",
            "email": f"lead{n}@example.com",
            "first_name": "Ada",
            "last_name": f"Lovelace {n}",
            "company": "Analytical Engines",
        }
        row.update(fields)
        return row

    return make
