"""Connector type ``fake``: a complete connector for :mod:`leadloop.testing.fakeserver`.

Load it with ``LEADLOOP_PLUGIN_MODULES=leadloop.testing.fakesource``. It is also the shortest
example of a connector that pulls incrementally, pushes in batches and refreshes its token.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from .. import ConnectorContext, ConnectorType, hookimpl
from ..errors import AuthError, QuotaExceeded, RetriableError
from ..source import Change, Deleted, Page, PushResult, Runtime

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["url"],
    "properties": {
        "url": {"type": "string", "pattern": "^http://127\\.0\\.0\\.1:"},
        "page_size": {"type": "integer", "minimum": 2, "maximum": 1000},
        "overlap_seconds": {"type": "number", "minimum": 0},
        "timeout": {"type": "number", "exclusiveMinimum": 0},
    },
}

MAPPING = {
    "object": "lead",
    "source": "records",
    "fields": [
        {"core": "external_id", "source": "id", "direction": "in"},
        {"core": "email", "source": "email"},
        {"core": "first_name", "source": "first_name"},
        {"core": "last_name", "source": "last_name"},
        {"core": "company", "source": "company"},
        {"core": "address.country", "source": "country", "transforms": ["country"]},
        {"core": "sales_status", "source": "status"},
        {"core": "modified_at", "source": "stamp", "direction": "in"},
    ],
}


class FakeConnector:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        settings = runtime.context.settings
        self.url = settings["url"]
        self.page_size = int(settings.get("page_size", 100))
        self.overlap = float(settings.get("overlap_seconds", 0))
        self.http = httpx.Client(base_url=self.url, timeout=float(settings.get("timeout", 1.0)))

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        token = self.rt.access_token()
        for _ in range(2):
            self.rt.count_call()
            try:
                response = self.http.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)
            except httpx.TimeoutException as exc:
                raise RetriableError(f"{method} {path}: no answer within the timeout") from exc
            except httpx.TransportError as exc:
                raise RetriableError(f"{method} {path}: {exc}") from exc
            if response.status_code == 401:
                token = self.rt.access_token(stale=token)
                continue
            if response.status_code == 403:
                raise QuotaExceeded(f"{self.url}: {response.json().get('message', 'daily API quota reached')}")
            if response.status_code == 429 or response.status_code >= 500:
                raise RetriableError(
                    f"{method} {path}: HTTP {response.status_code}",
                    retry_after=float(response.headers.get("Retry-After", 1)),
                )
            response.raise_for_status()
            return response.json()
        raise self.rt.auth_error(f"{self.url} refused a freshly issued token")

    def pull(self, object_type: str, watermark: Mapping[str, Any] | None) -> Iterator[Page]:
        since_stamp = _minus(watermark["stamp"], self.overlap) if watermark else ""
        since_id = "" if self.overlap or not watermark else watermark["id"]
        while True:
            body = self._call("GET", "/records", params={"since_stamp": since_stamp, "since_id": since_id,
                                                         "limit": self.page_size})
            records = body["records"]
            last = records[-1] if records else None
            mark = {"stamp": last["stamp"], "id": last["id"]} if last else dict(watermark or {"stamp": "", "id": ""})
            yield Page(
                records=records,
                watermark=mark,
                deleted=[Deleted(d["id"], d["deleted_at"]) for d in body["deleted"]],
                resume_after_commit=False,
            )
            if len(records) < self.page_size:
                return
            since_stamp, since_id = mark["stamp"], mark["id"]
            watermark = mark

    def push(self, object_type: str, changes: list[Change]) -> list[PushResult]:
        try:
            body = self._call("POST", "/batch", json={"changes": [{"id": c.external_id, "fields": c.fields}
                                                                  for c in changes]})
        except RetriableError as exc:
            if "timeout" in str(exc):
                return [PushResult(c.outbox_id, None, error=str(exc)) for c in changes]
            raise
        return [
            PushResult(c.outbox_id, r["success"], external_id=r.get("id"), error=r.get("error"),
                       retriable=not str(r.get("error", "")).startswith("VALIDATION"))
            for c, r in zip(changes, body["results"], strict=True)
        ]


def _minus(iso: str, seconds: float) -> str:
    if not iso or not seconds:
        return iso
    moved = datetime.fromisoformat(iso) - timedelta(seconds=seconds)
    return moved.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@hookimpl
def leadloop_register_connectors(register: Callable[[ConnectorType], None]) -> None:
    register(
        ConnectorType(
            name="fake",
            title="Fake source (tests)",
            config_schema=SCHEMA,
            reads=("lead",),
            writes=("lead",),
            jobs=("pull", "push"),
            page_size=100,
            batch_size=50,
            default_uniqueness="none",
            default_status_map={"sales": {"Not Contacted": "Open", "Contacted": "Working"}},
            secrets=("refresh_token",),
            default_mappings={"lead": MAPPING},
            factory=FakeConnector,
        )
    )


@hookimpl
def leadloop_refresh_credentials(connector: ConnectorContext, credentials: Mapping[str, str]) -> dict[str, str] | None:
    if connector.type != "fake":
        return None
    refresh = credentials.get("refresh_token") or connector.secrets.get("refresh_token", "")
    response = httpx.post(f"{connector.settings['url']}/token", json={"refresh_token": refresh}, timeout=5)
    if response.status_code == 400:
        body = response.json()
        raise AuthError(f"{body['error']}: {body['error_description']}", tenant=connector.tenant,
                        connector=connector.name)
    if response.status_code != 200:
        raise RetriableError(f"token endpoint answered HTTP {response.status_code}")
    body = response.json()
    return {"access_token": body["access_token"], "expires_at": str(time.time() + float(body["expires_in"]))}
