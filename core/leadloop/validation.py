"""JSON Schema validation that reports every problem with its file, path and line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .errors import Problem
from .yamlfile import Path_, format_path, line_of


def schema_problems(
    schema: Mapping[str, Any],
    data: Any,
    *,
    file: str,
    prefix: Path_ = (),
    lines: dict[Path_, int] | None = None,
) -> list[Problem]:
    """Every way ``data`` breaks ``schema``, in document order."""
    validator = Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = (*prefix, *error.absolute_path)
        problems.append(Problem(file, format_path(path), _reason(error), line_of(lines or {}, path)))
    return problems


def _reason(error: ValidationError) -> str:
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        options = [sorted(s.get("required", [])) for s in error.validator_value]
        names = " or ".join(repr(o[0]) for o in options if len(o) == 1)
        if names:
            return f"give exactly one of {names}"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        if allowed:
            return f"unknown key{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))} (allowed: {', '.join(allowed)})"
    if error.validator == "pattern":
        description = error.schema.get("description")
        if description:
            return f"{error.instance!r} is not valid here: {description}"
    return error.message
