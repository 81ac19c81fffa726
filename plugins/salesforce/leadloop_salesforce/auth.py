"""Refreshing Salesforce credentials: the ``leadloop_refresh_credentials`` answer for this connector.

The core's :meth:`leadloop.source.Runtime.access_token` calls this under the credentials' lock and
persists what it returns before releasing the lock, so a rotated refresh token is stored before any
other job can read the old one. Salesforce's token response carries no ``expires_in`` (the session
timeout is an org setting), so the expiry is the connector's ``session_timeout_seconds`` from now.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import httpx

from leadloop import ConnectorContext
from leadloop.errors import AuthError, ConfigError, RetriableError

from ._authlib import OAuth2Client, OAuthError
from .client import retry_after, tls_context

DEFAULT_SESSION_SECONDS = 7200  # Salesforce's default session timeout
DEFAULT_TIMEOUT = 30.0


def token_url(connector: ConnectorContext) -> str:
    return str(connector.settings["login_url"]).rstrip("/") + "/services/oauth2/token"


def refresh_credentials(connector: ConnectorContext, credentials: Mapping[str, str]) -> dict[str, str]:
    """Spend the stored refresh token once; return the new access token, instance URL and expiry.

    The returned ``refresh_token`` is the rotated one when Salesforce sent one, else the one just
    spent (rotation off: it stays valid). Raises :class:`AuthError` when Salesforce refuses the grant
    or the client for good, :class:`RetriableError` on 429, 5xx or no answer, :class:`ConfigError`
    when ``login_url`` does not lead to a token endpoint.
    """
    refresh_token = credentials.get("refresh_token") or connector.secrets.get("refresh_token")
    if not refresh_token:
        raise AuthError("no Salesforce refresh token is stored", tenant=connector.tenant,
                        connector=connector.name)
    secret = connector.secrets.get("client_secret") or credentials.get("client_secret")
    url = token_url(connector)
    client = OAuth2Client(
        client_id=connector.settings["client_id"],
        client_secret=secret,
        token_endpoint_auth_method="client_secret_post" if secret else "none",
        timeout=float(connector.settings.get("timeout_seconds", DEFAULT_TIMEOUT)),
        verify=tls_context(),
    )
    client.register_compliance_hook("refresh_token_response", lambda response: _check(url, response))
    try:
        with client:
            token = client.refresh_token(url, refresh_token=refresh_token)
    except OAuthError as exc:
        raise AuthError(_refusal(exc.error, exc.description), tenant=connector.tenant,
                        connector=connector.name) from None
    except httpx.TransportError as exc:
        raise RetriableError(f"Salesforce token endpoint {url} did not answer: {exc!r}") from exc
    lifetime = float(connector.settings.get("session_timeout_seconds", DEFAULT_SESSION_SECONDS))
    return {
        "access_token": token["access_token"],
        "instance_url": token["instance_url"],
        "refresh_token": token.get("refresh_token") or refresh_token,
        "expires_at": str(time.time() + lifetime),
    }


def _check(url: str, response: httpx.Response) -> httpx.Response:
    """Sort the token endpoint's answer before authlib parses it: only refusals reach authlib."""
    status = response.status_code
    if status == 429 or status >= 500:
        raise RetriableError(
            f"Salesforce token endpoint {url} answered HTTP {status}; retrying later",
            retry_after=retry_after(response),
        )
    if status not in (200, 400, 401):
        raise ConfigError(f"{url} answered HTTP {status}: is login_url the Salesforce login host "
                          "(https://login.salesforce.com, https://test.salesforce.com or My Domain)?")
    return response


def _refusal(error: str | None, description: str | None) -> str:
    advice = {
        "invalid_grant": "the refresh token is expired, revoked or was already spent",
        "invalid_client_id": "client_id is not the connected app's consumer key",
        "invalid_client": "the client secret does not match the connected app",
    }.get(error or "", "Salesforce refused the token request")
    return f"Salesforce refused the refresh ({error}: {description}): {advice}"
