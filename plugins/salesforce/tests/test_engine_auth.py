"""OAuth through the sync engine: rotated refresh tokens kept in the store, sessions that die mid-run,
and a refused grant pausing the connector with its progress kept."""

from __future__ import annotations

from leadloop.secrets import SecretBox
from leadloop.store.tables import secrets
from leadloop.sync import checkpoints
from leadloop.sync.runner import run_job
from leadloop.testing.fixtures import FAST_RETRY
from leadloop_salesforce.sandbox import start
from sqlalchemy import select


def stored_secrets(leadloop_store):
    """The connector's secrets as the store holds them: name -> (ciphertext, plaintext)."""
    box = SecretBox.from_environment()
    with leadloop_store.read() as conn:
        rows = conn.execute(
            select(secrets.c.name, secrets.c.ciphertext).where(
                secrets.c.tenant_id == "acme", secrets.c.connector == "crm"
            )
        ).all()
    return {name: (cipher, box.decrypt(cipher, what=name)) for name, cipher in rows}


def test_a_rotated_refresh_token_is_stored_encrypted_and_spent_by_the_next_run(
    sf, apply, run, leadloop_store, refresh
):
    apply(sf)
    assert run("pull")["outcome"] == "ok"
    cipher, rotated = stored_secrets(leadloop_store)["refresh_token"]
    assert rotated.startswith("5Aep861") and rotated != sf.refresh_token
    assert rotated not in cipher and sf.refresh_token not in cipher
    assert stored_secrets(leadloop_store)["instance_url"][1] == sf.url
    assert refresh(sf.refresh_token).json()["error"] == "invalid_grant"  # the tenant file's token is spent

    sf.org.auth.expire_sessions()  # the next run must refresh again: with the stored token, or fail
    sf.org.reset_counters()
    later = run("pull")
    assert later["outcome"] == "ok", later["error"]
    assert sf.org.counters()["token"] == 1
    assert refresh(rotated).json()["error"] == "invalid_grant"  # spent by the second run
    assert stored_secrets(leadloop_store)["refresh_token"][1] not in (rotated, sf.refresh_token)


def test_a_session_that_dies_mid_run_is_refreshed_and_the_page_read_again(apply, run, leadloop_store):
    with start(seed=2, leads=4500) as sf:
        apply(sf)
        sf.org.faults.inject("expire", after=1)  # the session dies before the second page's request
        result = run("pull")
        assert result["outcome"] == "ok", result["error"]
        assert (result["pages"], result["records_read"]) == (3, 4500)
        assert result["api_calls"] == 4  # three pages and the one call the dead session cost
        assert sf.org.counters() == {"token": 2, "queryAll": 1, "query_more": 3}


def test_a_refused_grant_pauses_the_connector_and_keeps_its_progress(apply, run, leadloop_store, leadloop_plugins):
    with start(seed=6, leads=4500) as sf:
        apply(sf)
        sf.org.faults.inject("revoke", after=1)  # access revoked before the second page's request
        result = run("pull")
        assert result["outcome"] == "paused"
        assert "invalid_grant" in result["error"]
        assert "re-authorise connector 'crm' of tenant 'acme'" in result["error"]
        connector = leadloop_store.tenant("acme").get_connector("crm")
        assert connector.state == "needs_reauth" and connector.state_reason == result["error"]
        rows = sorted(sf.org.store.snapshot("Lead"), key=lambda r: (r["SystemModstamp"], r["Id"]))
        first_page = {"stamp": rows[1999]["SystemModstamp"], "id": rows[1999]["Id"]}
        assert checkpoints.load(leadloop_store, "acme", "crm", "pull", "lead") == first_page
        assert result["pages"] == 1 and result["records_read"] == 2000

        skipped = run_job(leadloop_store, leadloop_plugins, "acme", "crm", "pull", retry=FAST_RETRY)
        assert skipped.outcome == "skipped" and "needs_reauth" in skipped.error

        apply(sf, refresh_token=sf.org.auth.new_grant())  # the admin re-authorises
        resumed = run("pull")
        assert resumed["outcome"] == "ok", resumed["error"]
        assert 2500 <= resumed["records_read"] < 4500  # from the kept watermark, not from the start
        assert leadloop_store.tenant("acme").count_leads() == len({r["Email"].lower() for r in rows})
