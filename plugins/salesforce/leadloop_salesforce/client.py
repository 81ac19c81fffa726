"""Calls to a Salesforce org's REST API, with every failure sorted into leadloop's error tree.

Requests go through authlib's httpx ``OAuth2Client``, which signs them with the access token the
runtime hands out. The token is asked for before every call (the runtime refreshes it near expiry),
and a 401 mid-run refreshes once and repeats the call once: long runs outlive a session.
"""

from __future__ import annotations

from typing import Any

import httpx

from leadloop.errors import FatalError, QuotaExceeded, RetriableError
from leadloop.source import Runtime

from ._authlib import OAuth2Client

DEFAULT_API_VERSION = "60.0"


class OutcomeUnknown(RetriableError):
    """The request went out but no answer came back: it may or may not have taken effect."""


class RequestRefused(FatalError):
    """Salesforce refused the request itself (HTTP 400/404...): ``code`` and ``message`` say why."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"Salesforce answered HTTP {status} {code}: {message}")


def retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds, when the answer gave a number."""
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


def _error(response: httpx.Response) -> tuple[str, str]:
    """(errorCode, message) of a Salesforce error body ``[{"message", "errorCode"}]``."""
    try:
        body = response.json()
        first = body[0] if isinstance(body, list) else body
        return str(first.get("errorCode", "")), str(first.get("message", response.text))
    except (ValueError, LookupError, AttributeError):
        return "", response.text[:500]


class SalesforceClient:
    """One connector's API calls; each HTTP attempt is counted with ``runtime.count_call()``."""

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.context.settings
        self.rt = runtime
        self.version = str(settings.get("api_version", DEFAULT_API_VERSION))
        self.http = OAuth2Client(timeout=float(settings.get("timeout_seconds", 30.0)))

    def close(self) -> None:
        self.http.close()

    def call(self, method: str, path: str, *, params: dict[str, str] | None = None,
             json: Any = None, headers: dict[str, str] | None = None) -> Any:
        """Send one request and return its JSON (``None`` for 204).

        ``path`` is relative to ``/services/data/vNN.N`` (``/query``), or a server path from
        Salesforce itself (a ``nextRecordsUrl``). Raises :class:`AuthError` (refused after a refresh,
        or a 403 other than the quota), :class:`QuotaExceeded` (403 ``REQUEST_LIMIT_EXCEEDED``),
        :class:`RetriableError` (429, 5xx, connection failures), :class:`OutcomeUnknown` (sent,
        unanswered), :class:`RequestRefused` (other 4xx).
        """
        if not path.startswith("/services/"):
            path = f"/services/data/v{self.version}{path}"
        stale = None
        for _ in range(2):
            token = self.rt.access_token(stale=stale)
            instance = self.rt.credentials.get().get("instance_url")
            if not instance:
                raise self.rt.auth_error("the stored Salesforce credentials name no instance_url")
            self.http.token = {"access_token": token, "token_type": "Bearer"}
            response = self._send(method, instance.rstrip("/") + path, params=params, json=json,
                                  headers=headers)
            if response.status_code != 401:
                return self._result(method, path, response)
            stale = token
        code, message = _error(response)
        raise self.rt.auth_error(f"Salesforce refused a freshly refreshed session ({code}: {message})")

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.rt.count_call()
        where = f"{method} {url.split('?')[0]}"
        try:
            response: httpx.Response = self.http.request(method, url, **kwargs)
            return response
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise RetriableError(f"{where}: cannot reach Salesforce ({exc!r})") from exc
        except httpx.TransportError as exc:  # sent, then timed out or the connection dropped
            raise OutcomeUnknown(f"{where}: no answer from Salesforce ({exc!r})") from exc

    def _result(self, method: str, path: str, response: httpx.Response) -> Any:
        status = response.status_code
        if status < 300:
            return response.json() if response.content else None
        code, message = _error(response)
        where = f"{method} {path}"
        if status == 403 and code == "REQUEST_LIMIT_EXCEEDED":
            raise QuotaExceeded(f"{where}: the org's daily API request limit is spent ({message}); "
                                f"the run stops here and resumes on a later schedule "
                                f"(usage {response.headers.get('Sforce-Limit-Info', 'unknown')})")
        if status == 403:
            raise self.rt.auth_error(f"{where}: Salesforce denied access ({code}: {message}); the "
                                     "connected user needs the API Enabled permission and access to "
                                     "the object")
        if status == 429 or status >= 500:
            raise RetriableError(f"{where}: Salesforce answered HTTP {status} {code}",
                                 retry_after=retry_after(response))
        raise RequestRefused(status, code, message)
