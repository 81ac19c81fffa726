"""Errors the sandbox answers with, in Salesforce's shapes."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A REST API failure: HTTP ``status`` and the body ``[{"message", "errorCode", "fields"?}]``."""

    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers or {}
        super().__init__(f"{status} {code}: {message}")

    def body(self) -> list[dict[str, Any]]:
        item: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            item["fields"] = self.fields
        return [item]


class OAuthError(Exception):
    """A token endpoint refusal: HTTP 400 and ``{"error", "error_description"}``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        self.status = status
        self.error = error
        self.description = description
        super().__init__(f"{error}: {description}")

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class RecordError(Exception):
    """One record of a write refused: ``statusCode`` style, as sObject Collections report it."""

    def __init__(self, status_code: str, message: str, fields: list[str] | None = None) -> None:
        self.status_code = status_code
        self.message = message
        self.fields = fields or []
        super().__init__(f"{status_code}: {message}")

    def as_result(self) -> dict[str, Any]:
        return {"statusCode": self.status_code, "message": self.message, "fields": self.fields}
