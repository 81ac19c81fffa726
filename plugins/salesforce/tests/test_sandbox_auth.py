"""The sandbox's OAuth refresh flow and session checks, over HTTP."""

from __future__ import annotations

import re

import httpx
from leadloop_salesforce.sandbox import start

API = "/services/data/v60.0"


def test_refresh_answers_the_documented_fields_and_rotates(sf, refresh):
    first = refresh(sf.refresh_token)
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"access_token", "signature", "scope", "instance_url", "id", "token_type",
                         "issued_at", "refresh_token"}
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == sf.url
    assert body["id"].startswith(f"{sf.url}/id/00D")
    assert re.fullmatch(r"\d{13}", body["issued_at"])
    assert body["refresh_token"] != sf.refresh_token

    # The spent token died; the rotated one works once, then dies too.
    assert refresh(sf.refresh_token).json() == {
        "error": "invalid_grant", "error_description": "expired access/refresh token"}
    second = refresh(body["refresh_token"])
    assert second.status_code == 200
    assert refresh(body["refresh_token"]).status_code == 400


def test_without_rotation_no_refresh_token_comes_back_and_the_old_one_keeps_working():
    with start(rotate_refresh_tokens=False) as sf, httpx.Client(base_url=sf.url) as client:
        data = {"grant_type": "refresh_token", "refresh_token": sf.refresh_token, "client_id": sf.client_id}
        for _ in range(2):
            response = client.post("/services/oauth2/token", data=data)
            assert response.status_code == 200
            assert "refresh_token" not in response.json()


def test_known_refresh_tokens_can_be_chosen_for_demos(http, refresh):
    with start(refresh_token="demo-refresh-token") as sf, httpx.Client(base_url=sf.url) as client:
        assert sf.refresh_token == "demo-refresh-token"
        data = {"grant_type": "refresh_token", "refresh_token": "demo-refresh-token", "client_id": sf.client_id}
        assert client.post("/services/oauth2/token", data=data).status_code == 200
    chosen = http.post("/_sandbox/tokens", json={"refresh_token": "second-demo-token"}).json()["refresh_token"]
    assert chosen == "second-demo-token" and refresh(chosen).status_code == 200


def test_rotation_can_be_switched_at_run_time(sf, http, refresh):
    http.post("/_sandbox/config", json={"rotate_refresh_tokens": False})
    assert "refresh_token" not in refresh(sf.refresh_token).json()
    assert refresh(sf.refresh_token).status_code == 200


def test_wrong_client_id_and_secret_are_refused(sf, http, refresh):
    assert refresh(sf.refresh_token, client_id="someone-else").json()["error"] == "invalid_client_id"
    http.post("/_sandbox/config", json={"client_secret": "s3cret"})
    assert refresh(sf.refresh_token).json()["error"] == "invalid_client"
    assert refresh(sf.refresh_token, client_secret="s3cret").status_code == 200


def test_unknown_refresh_token_is_invalid_grant(refresh):
    response = refresh("5Aep861-never-issued")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_expired_access_token_answers_401_invalid_session(sf, api, http):
    assert api.get("/sobjects/Lead/describe").status_code == 200
    http.post("/_sandbox/clock", json={"advance": 7201})
    response = api.get("/sobjects/Lead/describe")
    assert response.status_code == 401
    assert response.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_missing_or_garbage_session_is_401(sf, http):
    assert http.get(f"{API}/sobjects/Lead/describe").status_code == 401
    headers = {"Authorization": "Bearer nonsense"}
    assert http.get(f"{API}/sobjects/Lead/describe", headers=headers).status_code == 401


def test_access_token_lifetime_is_configurable(sf, http, refresh):
    http.post("/_sandbox/config", json={"access_token_lifetime": 60})
    token = refresh(sf.refresh_token).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert http.get(f"{API}/sobjects/Lead/describe", headers=headers).status_code == 200
    http.post("/_sandbox/clock", json={"advance": 61})
    assert http.get(f"{API}/sobjects/Lead/describe", headers=headers).status_code == 401


def test_revoking_refuses_every_refresh_token_now_or_from_a_moment(sf, http, refresh):
    later = http.get("/_sandbox/clock").json()["now"] + 600
    http.post("/_sandbox/tokens/revoke", json={"at": later})
    rotated = refresh(sf.refresh_token).json()["refresh_token"]  # still fine before the moment
    http.post("/_sandbox/clock", json={"advance": 601})
    assert refresh(rotated).json()["error"] == "invalid_grant"

    fresh = http.post("/_sandbox/tokens").json()["refresh_token"]  # an admin re-authorises
    assert refresh(fresh).status_code == 200


def test_a_sixth_grant_revokes_the_oldest(sf, http, refresh):
    grants = [http.post("/_sandbox/tokens").json()["refresh_token"] for _ in range(5)]
    assert refresh(sf.refresh_token).json()["error"] == "invalid_grant"
    assert refresh(grants[0]).status_code == 200


def test_token_endpoint_faults_can_be_injected(sf, http, refresh):
    http.post("/_sandbox/faults/inject", json={"kind": "503", "scope": "token", "retry_after": 4})
    response = refresh(sf.refresh_token)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "4"
    assert refresh(sf.refresh_token).status_code == 200
