"""The admin API under ``/_sandbox/``: drive the org from a test or another process.

JSON in, JSON out; not counted, not faulted, no session needed (the server binds 127.0.0.1 only).

====================================  ===========================================================
``GET  /_sandbox/state``              settings, limits, faults, record counts, counters, clock
``POST /_sandbox/config``             change settings: ``client_id``, ``client_secret``,
                                      ``rotate_refresh_tokens``, ``access_token_lifetime``,
                                      ``daily_limit``, ``api_usage``, ``default_batch_size``,
                                      ``faults`` {error_rate, error_statuses, retry_after,
                                      latency_ms, drop_rate}
``GET  /_sandbox/counters``           requests per endpoint; ``POST /_sandbox/counters/reset``
``POST /_sandbox/faults/inject``      ``{"kind": "429"|"503"|"drop"|"expire"|"revoke", "count": 1,
                                      "scope": "api"|"token", "retry_after": s, "after": n}`` (let
                                      ``n`` requests through first; ``expire`` ends the sessions,
                                      ``revoke`` the refresh tokens too, before that request);
                                      ``POST .../faults/clear``
``POST /_sandbox/seed``               ``{"seed", "days", "leads", "accounts", "contacts",
                                      "opportunities", "campaigns", "members"}``: add generated rows
``POST /_sandbox/records/{Object}``   ``{"fields": {...}, "stamp": epoch|ISO}``: create (``stamp``
                                      backdates it: a late commit); answers ``{"id"}``
``GET|PATCH|DELETE
/_sandbox/records/{Object}/{id}``     read the raw row / change it / delete it (``stamp`` as above)
``POST /_sandbox/records/{Object}/
{id}/lock``                           ``{"times": 1}``: the next writes to it fail with
                                      ``UNABLE_TO_LOCK_ROW`` (a row another transaction holds)
``POST /_sandbox/tokens``             a new grant: ``{"refresh_token"}`` (send one to choose it)
``POST /_sandbox/tokens/revoke``      ``{"at": epoch|ISO}`` (default now): refresh tokens refused
``POST /_sandbox/tokens/expire``      end every access token now
``GET|POST /_sandbox/clock``          read; ``{"advance": seconds}`` or ``{"set": epoch|ISO}``
====================================  ===========================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .clock import format_datetime, parse_datetime
from .errors import ApiError, RecordError
from .org import Org
from .wire import Request, Response

AdminHandler = Callable[[Org, dict[str, Any], "re.Match[str]"], Any]


def handle(org: Org, req: Request) -> Response:
    for method, pattern, handler in _ROUTES:
        m = pattern.match(req.path)
        if m and method == req.method:
            try:
                body = req.json() if req.body else {}
                if not isinstance(body, dict):
                    raise ValueError("the request body must be a JSON object")
                return Response.json(200, handler(org, body, m))
            except (ValueError, TypeError) as exc:
                return Response.json(400, {"error": "bad_request", "message": str(exc)})
            except RecordError as exc:
                return Response.json(400, {"error": exc.status_code, "message": exc.message,
                                           "fields": exc.fields})
            except ApiError as exc:
                return Response.json(exc.status, {"error": exc.code, "message": exc.message})
    return Response.json(404, {"error": "not_found", "message": f"no admin endpoint {req.method} {req.path}",
                               "see": "leadloop_salesforce.sandbox.admin"})


def _stamp(value: Any) -> float | None:
    """An epoch number or an ISO datetime; ``None`` stays ``None``."""
    if value is None or isinstance(value, (int, float)):
        return value
    epoch = parse_datetime(str(value))
    if epoch is None:
        raise ValueError(f"not a datetime: {value!r} (use epoch seconds or 2024-01-01T00:00:00Z)")
    return epoch


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    fields = body.get("fields", {})
    if not isinstance(fields, dict):
        raise ValueError('"fields" must be an object of field values')
    return fields


def _clock(org: Org, body: dict[str, Any], m: re.Match[str]) -> dict[str, Any]:
    if "advance" in body:
        org.clock.advance(float(body["advance"]))
    if "set" in body:
        org.clock.set(_stamp(body["set"]) or 0.0)
    now = org.clock.now()
    return {"now": now, "datetime": format_datetime(now)}


def _record(org: Org, body: dict[str, Any], m: re.Match[str], method: str) -> Any:
    if method == "GET":
        row = org.get(m["object"], m["id"])
        if row is None:
            raise ApiError(404, "NOT_FOUND", f"no {m['object']} {m['id']}")
        return row
    if method == "DELETE":
        org.delete(m["object"], m["id"], _stamp(body.get("stamp")))
        return {"id": m["id"], "deleted": True}
    return {"id": org.update(m["object"], m["id"], _fields(body), _stamp(body.get("stamp")))}


_ROUTES: list[tuple[str, re.Pattern[str], AdminHandler]] = [
    (method, re.compile(f"/_sandbox/{pattern}/?\\Z"), handler)
    for method, pattern, handler in [
        ("GET", "state", lambda org, body, m: org.state()),
        ("POST", "config", lambda org, body, m: org.configure(**body)),
        ("GET", "counters", lambda org, body, m: org.counters()),
        ("POST", "counters/reset", lambda org, body, m: org.reset_counters() or {}),
        ("POST", "faults/inject", lambda org, body, m: org.faults.inject(**body) or org.faults.state()),
        ("POST", "faults/clear", lambda org, body, m: org.faults.clear() or org.faults.state()),
        ("POST", "seed", lambda org, body, m: org.seed_data(**body)),
        ("POST", r"records/(?P<object>\w+)",
         lambda org, body, m: {"id": org.create(m["object"], _fields(body), _stamp(body.get("stamp")))}),
        *[(method, r"records/(?P<object>\w+)/(?P<id>\w+)",
           lambda org, body, m, method=method: _record(org, body, m, method))
          for method in ("GET", "PATCH", "DELETE")],
        ("POST", r"records/(?P<object>\w+)/(?P<id>\w+)/lock",
         lambda org, body, m: org.lock(m["id"], int(body.get("times", 1))) or {"id": m["id"], "locked": True}),
        ("POST", "tokens",
         lambda org, body, m: {"refresh_token": org.auth.new_grant(body.get("refresh_token"))}),
        ("POST", "tokens/revoke",
         lambda org, body, m: org.auth.refuse_tokens(_stamp(body.get("at"))) or org.auth.state()),
        ("POST", "tokens/expire", lambda org, body, m: org.auth.expire_sessions() or org.auth.state()),
        ("GET", "clock", _clock),
        ("POST", "clock", _clock),
    ]
]
