"""Pulls through the sync engine: the connector on a started sandbox, a tenant file, a real store."""

from __future__ import annotations

import math

from leadloop.store.tables import leads
from leadloop.sync import checkpoints
from leadloop_salesforce.sandbox import start
from sqlalchemy import select


def ordered(sf, name="Lead"):
    """The org's rows in the order the connector reads them."""
    return sorted(sf.org.store.snapshot(name), key=lambda r: (r["SystemModstamp"], r["Id"]))


def distinct_emails(rows):
    return len({r["Email"].lower() for r in rows})


def test_every_page_is_read_in_the_fewest_query_calls_and_reported(apply, run, leadloop_store):
    with start(seed=4, leads=4500) as sf:
        apply(sf)
        result = run("pull")
        assert result["outcome"] == "ok", result["error"]
        assert (result["pages"], result["records_read"], result["rejects"]) == (3, 4500, [])
        assert result["api_calls"] == math.ceil(4500 / 2000)
        assert sf.org.counters() == {"token": 1, "queryAll": 1, "query_more": 2}
        rows = ordered(sf)
        assert leadloop_store.tenant("acme").count_leads() == distinct_emails(rows)  # unique by email + campaign
        last = rows[-1]
        assert checkpoints.load(leadloop_store, "acme", "crm", "pull", "lead") == {
            "stamp": last["SystemModstamp"],
            "id": last["Id"],
        }
        working = next(r for r in rows if r["Status"] == "Working - Contacted")
        [lead] = leadloop_store.tenant("acme").find_leads_by_email(working["Email"].lower())
        assert (lead["external_id"], lead["sales_status"]) == (working["Id"], "Contacted")  # translated in


def test_a_lead_deleted_in_salesforce_is_kept_and_stamped_deleted(sf, apply, run, leadloop_store):
    apply(sf)
    run("pull")
    gone = ordered(sf)[5]["Id"]
    sf.org.delete("Lead", gone)
    result = run("pull")
    assert result["outcome"] == "ok", result["error"]
    with leadloop_store.read() as conn:
        deleted = dict(
            conn.execute(
                select(leads.c.external_id, leads.c.deleted_at).where(
                    leads.c.tenant_id == "acme", leads.c.deleted_at.is_not(None)
                )
            ).all()
        )
    assert list(deleted) == [gone]
    assert leadloop_store.tenant("acme").count_leads() == distinct_emails(ordered(sf)) - 1


def test_the_daily_quota_ends_the_run_cleanly_and_the_next_run_goes_on(apply, run, leadloop_store):
    with start(seed=5, leads=4500) as sf:
        apply(sf)
        sf.org.configure(daily_limit=2)  # the first two query calls pass, the third is refused
        result = run("pull")
        assert result["outcome"] == "quota"
        assert "daily API request limit" in result["error"] and "api-usage=2/2" in result["error"]
        rows = ordered(sf)
        assert result["pages"] == 2 and result["records_read"] == 4000
        assert checkpoints.load(leadloop_store, "acme", "crm", "pull", "lead") == {
            "stamp": rows[3999]["SystemModstamp"],
            "id": rows[3999]["Id"],
        }
        assert leadloop_store.tenant("acme").count_leads() == distinct_emails(rows[:4000])
        assert leadloop_store.tenant("acme").get_connector("crm").state == "ok"  # not paused: it waits for a new day

        sf.org.configure(daily_limit=100_000)
        later = run("pull")
        assert later["outcome"] == "ok", later["error"]
        assert later["api_calls"] == 1 and 500 <= later["records_read"] < 2000  # from the watermark, overlap
        assert leadloop_store.tenant("acme").count_leads() == distinct_emails(rows)


def test_each_status_value_is_translated_once_per_run(apply, run, leadloop_plugins):
    asked = []
    undo = leadloop_plugins.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: asked.append((kwargs["status"], kwargs["direction"]))
        if name == "leadloop_translate_status" else None,
        lambda outcome, name, impls, kwargs: None,
    )
    try:
        with start(seed=4, leads=4500) as sf:
            apply(sf)
            assert run("pull")["outcome"] == "ok"
    finally:
        undo()
    statuses = {r["Status"] for r in sf.org.store.snapshot("Lead")}
    assert len(statuses) > 1
    assert sorted(asked) == sorted((status, "in") for status in statuses)
