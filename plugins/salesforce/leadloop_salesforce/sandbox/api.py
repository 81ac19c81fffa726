"""The Salesforce endpoints: OAuth token, query/queryAll with locators, describe, sObject Collections
and single records.

Every REST request passes the same gate, in the order a real org applies it: injected faults, then
the session check (401 ``INVALID_SESSION_ID``), then the daily limit (403 ``REQUEST_LIMIT_EXCEEDED``).
Each request is counted under its endpoint name (``token``, ``query``, ``queryAll``, ``query_more``,
``describe``, ``collections_create``, ``collections_update``, ``sobject_get``, ``sobject_create``,
``sobject_update``, ``sobject_delete``, ``unknown``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from . import soql
from .cursors import Cursor
from .errors import ApiError, OAuthError, RecordError
from .faults import Fault
from .org import Org
from .store import sobject
from .wire import Request, Response

MAX_COLLECTION = 200
_V = r"/services/data/v(?P<v>\d+\.\d)"
Handler = Callable[[Org, Request, "re.Match[str]"], Response]
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.I)


def handle(org: Org, req: Request, instance_url: str) -> Response:
    """Answer one non-admin request."""
    if req.path == "/services/oauth2/token":
        return _token(org, req, instance_url)
    endpoint, handler, match = _route(req)
    org.count(endpoint)
    fault = org.faults.next("api")
    if fault and fault.kind in ("expire", "revoke"):
        if fault.kind == "revoke":
            org.auth.refuse_tokens()
        org.auth.expire_sessions()
    elif fault:
        return _fault_response(fault)
    if not org.auth.session_valid(req.headers.get("Authorization")):
        return Response.error(ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid"))
    allowed, _ = org.spend_api_call()
    if not allowed:
        return Response.error(ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."))
    if handler is None or match is None:
        return Response.error(ApiError(404, "NOT_FOUND", "The requested resource does not exist"))
    try:
        return handler(org, req, match)
    except ApiError as exc:
        return Response.error(exc)


def _fault_response(fault: Fault) -> Response:
    if fault.kind == "drop":
        return Response(0, drop=True)
    code, message = (("TOO_MANY_REQUESTS", "Too many requests; retry later (sandbox fault injection)")
                     if fault.status == 429 else
                     ("SERVER_UNAVAILABLE", "Service temporarily unavailable (sandbox fault injection)"))
    retry = {"Retry-After": str(fault.retry_after)}
    return Response.error(ApiError(fault.status, code, message, headers=retry))


def _token(org: Org, req: Request, instance_url: str) -> Response:
    org.count("token")
    fault = org.faults.next("token")
    if fault:
        return _fault_response(fault)
    if req.method != "POST":
        return Response.json(400, OAuthError("invalid_request", "must use HTTP POST").body())
    try:
        return Response.json(200, org.auth.refresh(req.form(), instance_url))
    except OAuthError as exc:
        return Response.json(exc.status, exc.body())


# -- query
def _query(org: Org, req: Request, m: re.Match[str], include_deleted: bool) -> Response:
    text = req.param("q")
    if not text:
        raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
    query = soql.parse(text)
    rows = org.store.snapshot(query.sobject.name)
    if not include_deleted:
        rows = [r for r in rows if not r["IsDeleted"]]
    batch = org.default_batch_size
    asked = _BATCH.search(req.headers.get("Sforce-Query-Options") or "")
    if asked:
        batch = min(max(int(asked.group(1)), 200), 2000)
    cursor = Cursor(query, query.run(rows), batch, "queryAll" if include_deleted else "query")
    return _page(org, cursor, None, 0, m["v"])


def _query_more(org: Org, req: Request, m: re.Match[str]) -> Response:
    locator, start = m["locator"], int(m["start"])
    cursor = org.cursors.get(locator)
    if start > len(cursor.rows):
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    return _page(org, cursor, locator, start, m["v"])


def _page(org: Org, cursor: Cursor, locator: str | None, start: int, version: str) -> Response:
    end = start + cursor.batch_size
    done = end >= len(cursor.rows)
    body: dict[str, Any] = {"totalSize": len(cursor.rows), "done": done}
    if not done:
        locator = locator or org.cursors.open(cursor)
        body["nextRecordsUrl"] = f"/services/data/v{version}/{cursor.endpoint}/{locator}-{end}"
    elif locator:
        org.cursors.close(locator)
    name = cursor.query.sobject.name
    base = f"/services/data/v{version}/sobjects/{name}/"
    fields = tuple(f.name for f in cursor.query.fields)
    keys = ("attributes", *fields)
    values = itemgetter(*fields) if len(fields) > 1 else lambda row: (row[fields[0]],)
    # Records zipped from their values, not built field by field: a page is 2,000 of them, and in a
    # benchmark the sandbox shares the client's cores.
    body["records"] = [
        dict(zip(keys, ({"type": name, "url": base + row["Id"]}, *values(row)), strict=True))
        for row in cursor.rows[start:end]
    ]
    return Response.json(200, body)


# -- describe and writes
def _describe(org: Org, req: Request, m: re.Match[str]) -> Response:
    return Response.json(200, sobject(m["object"]).describe(m["v"]))


def _collection(org: Org, req: Request, updating: bool) -> Response:
    body = req.json()
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ApiError(400, "JSON_PARSER_ERROR", 'The body must be {"allOrNone": bool, "records": [...]}')
    if len(records) > MAX_COLLECTION:
        raise ApiError(
            400, "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {MAX_COLLECTION} records into this call",
        )
    all_or_none = bool(body.get("allOrNone", False))
    write = org.store.update if updating else org.store.create
    return Response.json(200, write(records, all_or_none))


def _record_error(exc: RecordError) -> ApiError:
    """A single-record call's failure; a missing target is a 404 there, not a per-record error."""
    if exc.status_code in ("MALFORMED_ID", "INVALID_CROSS_REFERENCE_KEY") and exc.fields in ([], ["Id"]):
        return ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    if exc.status_code == "ENTITY_IS_DELETED":
        return ApiError(404, "ENTITY_IS_DELETED", exc.message, [])
    return ApiError(400, exc.status_code, exc.message, exc.fields)


def _single_write(org: Org, record: dict[str, Any], updating: bool) -> dict[str, Any]:
    result = (org.store.update if updating else org.store.create)([record], False)[0]
    if not result["success"]:
        first = result["errors"][0]
        raise _record_error(RecordError(first["statusCode"], first["message"], first["fields"]))
    return result


def _sobject_create(org: Org, req: Request, m: re.Match[str]) -> Response:
    body = req.json()
    if not isinstance(body, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object of field values")
    result = _single_write(org, {**body, "attributes": {"type": sobject(m["object"]).name}}, False)
    return Response.json(201, result)


def _sobject_get(org: Org, req: Request, m: re.Match[str]) -> Response:
    obj = sobject(m["object"])
    row = org.store.get(obj.name, m["id"])
    if row is None or row["IsDeleted"]:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    url = f"/services/data/v{m['v']}/sobjects/{obj.name}/{row['Id']}"
    return Response.json(200, {"attributes": {"type": obj.name, "url": url}, **row})


def _sobject_update(org: Org, req: Request, m: re.Match[str]) -> Response:
    body = req.json()
    if not isinstance(body, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object of field values")
    _single_write(org, {**body, "attributes": {"type": sobject(m["object"]).name}, "id": m["id"]}, True)
    return Response(204)


def _sobject_delete(org: Org, req: Request, m: re.Match[str]) -> Response:
    try:
        org.store.delete(sobject(m["object"]).name, m["id"])
    except RecordError as exc:
        raise _record_error(exc) from None
    return Response(204)


_ROUTES: list[tuple[str, str, re.Pattern[str], Handler]] = [
    (method, endpoint, re.compile(pattern + r"/?\Z"), handler)
    for method, endpoint, pattern, handler in [
        ("GET", "query", _V + r"/query", lambda o, r, m: _query(o, r, m, False)),
        ("GET", "queryAll", _V + r"/queryAll", lambda o, r, m: _query(o, r, m, True)),
        ("GET", "query_more", _V + r"/(?:query|queryAll)/(?P<locator>01g\w+)-(?P<start>\d+)", _query_more),
        ("GET", "describe", _V + r"/sobjects/(?P<object>\w+)/describe", _describe),
        ("POST", "collections_create", _V + r"/composite/sobjects", lambda o, r, m: _collection(o, r, False)),
        ("PATCH", "collections_update", _V + r"/composite/sobjects", lambda o, r, m: _collection(o, r, True)),
        ("POST", "sobject_create", _V + r"/sobjects/(?P<object>\w+)", _sobject_create),
        ("GET", "sobject_get", _V + r"/sobjects/(?P<object>\w+)/(?P<id>\w+)", _sobject_get),
        ("PATCH", "sobject_update", _V + r"/sobjects/(?P<object>\w+)/(?P<id>\w+)", _sobject_update),
        ("DELETE", "sobject_delete", _V + r"/sobjects/(?P<object>\w+)/(?P<id>\w+)", _sobject_delete),
    ]
]


def _route(req: Request) -> tuple[str, Handler | None, re.Match[str] | None]:
    for method, endpoint, pattern, handler in _ROUTES:
        if method == req.method:
            m = pattern.match(req.path)
            if m:
                return endpoint, handler, m
    return "unknown", None, None
