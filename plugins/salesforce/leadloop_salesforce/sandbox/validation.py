"""Write validation driven by the schema, in two stages like the real API.

:func:`decode` runs first over a whole request: an unknown field or a value of the wrong JSON type
fails the request (HTTP 400, nothing written), because the platform cannot even deserialise it.
:func:`check` then judges each record on its own (length, picklist, required, references) and
returns every problem as a per-record error, which sObject Collections report record by record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from . import ids
from .clock import canonical_datetime, is_date
from .errors import ApiError, RecordError
from .schema import BY_PREFIX, NUMBER_TYPES, STRING_TYPES, Field, SObject

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z0-9-]{2,}\Z")
Exists = Callable[[str, str], bool | None]
"""``exists(sobject, id)``: True live, False deleted, None unknown."""


def decode(sobject: SObject, body: Mapping[str, Any]) -> dict[str, Any]:
    """Field values keyed by their API names, converted to stored form; ``attributes`` and ``id`` dropped.

    Raises :class:`ApiError` (request-level) for unknown fields and wrong JSON types.
    """
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key == "attributes" or key.lower() == "id":
            continue
        f = sobject.field(key)
        if f is None:
            raise ApiError(400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {sobject.name}")
        out[f.name] = _convert(f, value)
    return out


def _convert(f: Field, value: Any) -> Any:
    if value is None:
        return None
    if f.type in STRING_TYPES and isinstance(value, str):
        return value or None  # Salesforce stores an empty string as null
    if f.type == "boolean" and isinstance(value, bool):
        return value
    if f.type == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if f.type in NUMBER_TYPES and f.type != "int" and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        return value
    if f.type == "date" and isinstance(value, str) and is_date(value):
        return value
    if f.type == "datetime" and isinstance(value, str) and canonical_datetime(value):
        return canonical_datetime(value)
    kind = {"int": "int", "boolean": "boolean", "date": "date", "datetime": "datetime"}.get(
        f.type, "double" if f.type in NUMBER_TYPES else "String"
    )
    raise ApiError(
        400, "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {kind} from {type(value).__name__} value {value!r} "
        f"for field {f.name}",
    )


def check(sobject: SObject, values: Mapping[str, Any], current: Mapping[str, Any] | None,
          exists: Exists) -> list[RecordError]:
    """Every problem of one record; ``current`` is the stored row for an update, ``None`` on create."""
    errors: list[RecordError] = []
    access = "createable" if current is None else "updateable"
    locked = [name for name in values if not getattr(sobject.field(name), access)]
    if locked:
        errors.append(RecordError(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {', '.join(locked)}. Please check the security settings of "
            "this field and verify that it is read/write for your profile or permission set.",
            locked,
        ))
    for name, value in values.items():
        f = sobject.field(name)
        if f is None or value is None or name in locked:
            continue
        problem = _value_problem(f, value, exists)
        if problem:
            errors.append(problem)
    merged = {**(current or {}), **values}
    missing = [f.name for f in sobject.fields
               if not f.nillable and f.createable and merged.get(f.name) is None
               and (current is not None or not f.defaulted_on_create)]
    if missing:
        errors.append(RecordError(
            "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing
        ))
    return errors


def _value_problem(f: Field, value: Any, exists: Exists) -> RecordError | None:
    label = f.describe()["label"]
    if f.type in STRING_TYPES and f.type not in ("id", "reference") and len(value) > f.length:
        shown = value if len(value) <= 80 else value[:80] + "..."
        return RecordError(
            "STRING_TOO_LONG", f"{label}: data value too large: {shown} (max length={f.length})", [f.name]
        )
    if f.picklist and value not in f.picklist:
        return RecordError(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"{label}: bad value for restricted picklist field: {value}", [f.name],
        )
    if f.type == "email" and not _EMAIL.match(value):
        return RecordError("INVALID_EMAIL_ADDRESS", f"{label}: invalid email address: {value}", [f.name])
    if f.type == "reference":
        full = ids.normalize(value)
        target = BY_PREFIX.get(full[:3]) if full else None
        if full is None or target is None or target.name not in f.reference_to:
            return RecordError("MALFORMED_ID", f"{label}: id value of incorrect type: {value}", [f.name])
        if not exists(target.name, full):
            return RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [f.name])
    return None
