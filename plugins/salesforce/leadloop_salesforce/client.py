"""Calls to a Salesforce org's REST API, with every failure sorted into leadloop's error tree.

Requests go through authlib's httpx ``OAuth2Client``, which signs them with the access token the
runtime hands out. The token is asked for before every call (the runtime refreshes it near expiry),
and a 401 mid-run refreshes once and repeats the call once: long runs outlive a session.
"""

from __future__ import annotations

import json as _json
import ssl
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any, NoReturn

import httpx

from leadloop.errors import FatalError, QuotaExceeded, RetriableError
from leadloop.source import Runtime

from ._authlib import OAuth2Auth, OAuth2Client

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


@cache
def tls_context() -> ssl.SSLContext:
    """The certificates every Salesforce client of this process checks servers against. Loading
    them takes ~15 ms, and a run opens two clients (token and API) before its first query."""
    return httpx.create_ssl_context()


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
    """One connector's API calls; each HTTP attempt is counted with ``runtime.count_call()``.

    Safe to use from several threads at once (a pull keeps its next page request in flight): the
    token travels with each request instead of living on the shared HTTP client.
    """

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.context.settings
        self.rt = runtime
        self.version = str(settings.get("api_version", DEFAULT_API_VERSION))
        self.http = OAuth2Client(timeout=float(settings.get("timeout_seconds", 30.0)), verify=tls_context())

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
        content = b"".join(self.open(method, path, params=params, json=json, headers=headers).chunks())
        return _json.loads(content) if content else None

    def open(self, method: str, path: str, *, params: dict[str, str] | None = None,
             json: Any = None, headers: dict[str, str] | None = None,
             on_sent: Callable[[], None] | None = None) -> Answer:
        """The successful answer to one request, its body still arriving: read it with
        :meth:`Answer.chunks`, from any thread. Raises what :meth:`call` raises.

        ``on_sent`` is called (in this thread) once the request is on the wire, while the answer is
        awaited: work started then does not delay the request itself.
        """
        extensions = {"trace": _when_sent(on_sent)} if on_sent is not None else None
        if not path.startswith("/services/"):
            path = f"/services/data/v{self.version}{path}"
        where = f"{method} {path.split('?')[0]}"
        stale = None
        for _ in range(2):
            token = self.rt.access_token(stale=stale)
            instance = self.rt.session().get("instance_url")
            if not instance:
                raise self.rt.auth_error("the stored Salesforce credentials name no instance_url")
            request = self.http.build_request(method, instance.rstrip("/") + path, params=params, json=json,
                                              headers=headers, extensions=extensions)
            response = self._send(where, request, token)
            if response.status_code < 300:
                return Answer(response, where)
            response.read()
            response.close()
            if response.status_code != 401:
                _refuse(self.rt, method, path, response)
            stale = token
        code, message = _error(response)
        raise self.rt.auth_error(f"Salesforce refused a freshly refreshed session ({code}: {message})")

    def _send(self, where: str, request: httpx.Request, token: str) -> httpx.Response:
        self.rt.count_call()
        try:
            response: httpx.Response = self.http.send(
                request, stream=True, auth=OAuth2Auth({"access_token": token, "token_type": "Bearer"}))
            return response
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise RetriableError(f"{where}: cannot reach Salesforce ({exc!r})") from exc
        except httpx.TransportError as exc:  # sent, then timed out or the connection dropped
            raise OutcomeUnknown(f"{where}: no answer from Salesforce ({exc!r})") from exc


def _when_sent(callback: Callable[[], None]) -> Callable[[str, dict[str, Any]], None]:
    """An httpcore trace hook calling ``callback`` after the first request's body is sent."""
    pending = [callback]

    def trace(event: str, info: dict[str, Any]) -> None:
        if pending and event.endswith("send_request_body.complete"):
            pending.pop()()

    return trace


class Answer:
    """A successful answer whose body is still to be read, once, by :meth:`chunks`."""

    def __init__(self, response: httpx.Response, where: str) -> None:
        self._response = response
        self.where = where  # "GET /services/data/...": how errors name the request

    def chunks(self) -> Iterator[bytes]:
        """The body's bytes as they arrive; the answer is closed once they end, or on ``close()``.

        A connection lost on the way raises :class:`OutcomeUnknown`."""
        try:
            yield from self._response.iter_bytes()
        except httpx.TransportError as exc:
            raise OutcomeUnknown(f"{self.where}: the answer from Salesforce broke off ({exc!r})") from exc
        finally:
            self._response.close()


def _refuse(runtime: Runtime, method: str, path: str, response: httpx.Response) -> NoReturn:
    """Raise the error of leadloop's tree that an unsuccessful answer (not 401) stands for."""
    status = response.status_code
    code, message = _error(response)
    where = f"{method} {path}"
    if status == 403 and code == "REQUEST_LIMIT_EXCEEDED":
        raise QuotaExceeded(f"{where}: the org's daily API request limit is spent ({message}); "
                            f"the run stops here and resumes on a later schedule "
                            f"(usage {response.headers.get('Sforce-Limit-Info', 'unknown')})")
    if status == 403:
        raise runtime.auth_error(f"{where}: Salesforce denied access ({code}: {message}); the "
                                 "connected user needs the API Enabled permission and access to "
                                 "the object")
    if status == 429 or status >= 500:
        raise RetriableError(f"{where}: Salesforce answered HTTP {status} {code}",
                             retry_after=retry_after(response))
    raise RequestRefused(status, code, message)
