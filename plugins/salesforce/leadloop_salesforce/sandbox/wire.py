"""Requests and responses as plain data, so the API and admin handlers never touch sockets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import parse_qs

import orjson

from .errors import ApiError


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: Mapping[str, list[str]]
    headers: Message | Mapping[str, str]  # the server passes the case-insensitive Message
    body: bytes = b""

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        """The JSON body; malformed JSON answers 400 ``JSON_PARSER_ERROR`` like the real API."""
        try:
            return json.loads(self.body or b"null")
        except ValueError as exc:
            raise ApiError(400, "JSON_PARSER_ERROR", f"Unexpected character in JSON body: {exc}") from None

    def form(self) -> dict[str, str]:
        """A form-encoded body (the token endpoint), last value wins."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering (fault injection)

    @classmethod
    def json(cls, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
        # orjson: encoding 2,000-row pages with the standard library would make the sandbox, not the
        # client, the slowest part of every pull it serves.
        return cls(status, orjson.dumps(payload), {"Content-Type": "application/json;charset=UTF-8",
                                                   **(headers or {})})

    @classmethod
    def error(cls, exc: ApiError) -> Response:
        return cls.json(exc.status, exc.body(), exc.headers)
