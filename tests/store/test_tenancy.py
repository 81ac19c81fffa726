"""Tenant isolation: one tenant's view never shows another's rows, and the database itself refuses a
row of one tenant that points at a row of another."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from leadloop.store import Store, TenantStore, tables

LeadRow = Callable[..., dict[str, Any]]


def test_leads_connectors_and_secrets_are_invisible_to_another_tenant(
    store: Store, acme: TenantStore, globex: TenantStore, lead_row: LeadRow
) -> None:
    acme.upsert_connector("files", "csv_sftp", uniqueness="none")
    acme.put_secret("crm", "refresh_token", "gAAAA-acme")
    with store.transaction() as conn:
        acme.upsert_leads(conn, [lead_row(1), lead_row(2)])
    lead_id = acme.find_leads_by_email("lead1@example.com")[0]["id"]

    assert globex.count_leads() == 0
    assert globex.list_leads() == []
    assert globex.find_leads_by_email("lead1@example.com") == []
    assert globex.get_lead(lead_id) is None
    assert [c.name for c in globex.list_connectors()] == ["crm"]
    assert globex.get_connector("files") is None
    got = globex.get_connector("crm")
    assert got is not None and got.settings == {"instance": "globex"}
    assert globex.get_secrets("crm") == {}
    assert acme.get_secrets("crm") == {"refresh_token": "gAAAA-acme"}


def test_changing_one_tenants_connector_leaves_the_same_name_elsewhere_alone(
    acme: TenantStore, globex: TenantStore
) -> None:
    acme.set_connector_enabled("crm", False)
    acme.set_connector_state("crm", "needs_reauth", "revoked")
    got = globex.get_connector("crm")
    assert got is not None and (got.enabled, got.state) == (True, "ok")


def test_same_uniqueness_key_in_two_tenants_makes_two_leads(
    store: Store, acme: TenantStore, globex: TenantStore, lead_row: LeadRow
) -> None:
    with store.transaction() as conn:
        assert acme.upsert_leads(conn, [lead_row(1, first_name="Ada")]).inserted == 1
        assert globex.upsert_leads(conn, [lead_row(1, first_name="Grace")]).inserted == 1
    [a] = acme.find_leads_by_email("lead1@example.com")
    [g] = globex.find_leads_by_email("lead1@example.com")
    assert a["id"] != g["id"]
    assert (a["tenant_id"], a["first_name"]) == ("acme", "Ada")
    assert (g["tenant_id"], g["first_name"]) == ("globex", "Grace")


def test_an_assignment_cannot_point_at_another_tenants_lead(
    store: Store, acme: TenantStore, globex: TenantStore, lead_row: LeadRow
) -> None:
    with store.transaction() as conn:
        acme.upsert_leads(conn, [lead_row(1)])
    acme_lead = acme.find_leads_by_email("lead1@example.com")[0]["id"]
    assignment = {"id": str(uuid.uuid4()), "lead_id": acme_lead, "status": "assigned"}

    with store.transaction() as conn:  # the same row in the lead's own tenant is fine
        conn.execute(insert(tables.assignments).values(tenant_id="acme", **assignment))
    with pytest.raises(IntegrityError), store.transaction() as conn:
        conn.execute(insert(tables.assignments).values(tenant_id="globex", **assignment))


def test_a_lead_cannot_claim_another_tenants_connector(
    store: Store, acme: TenantStore, globex: TenantStore, lead_row: LeadRow
) -> None:
    acme.upsert_connector("files", "csv_sftp", uniqueness="none")
    with pytest.raises(IntegrityError), store.transaction() as conn:
        globex.upsert_leads(conn, [lead_row(1, source_connector="files")])
    assert globex.count_leads() == 0


def test_a_reject_cannot_point_at_another_tenants_run(
    store: Store, acme: TenantStore, globex: TenantStore
) -> None:
    with store.transaction() as conn:
        run_id = conn.execute(
            insert(tables.runs)
            .values(tenant_id="acme", connector="crm", job="pull")
            .returning(tables.runs.c.id)
        ).scalar_one()
    with pytest.raises(IntegrityError), store.transaction() as conn:
        conn.execute(
            insert(tables.rejects).values(
                tenant_id="globex", connector="crm", run_id=run_id, reason="bad email", record="row 3"
            )
        )


def test_list_tenants_is_the_one_question_across_tenants(
    store: Store, acme: TenantStore, globex: TenantStore
) -> None:
    assert [(t.id, t.name) for t in store.list_tenants()] == [("acme", "Acme"), ("globex", "Globex")]
