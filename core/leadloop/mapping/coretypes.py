"""What each core field holds, read once from the pydantic models in :mod:`leadloop.model`.

The import hot path never builds a model, so the mapping engine is where a lead's values get the
model's types and constraints; reading them from the annotations keeps the two from drifting apart.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import annotated_types
from pydantic import BaseModel, EmailStr

from leadloop.model import OBJECT_MODELS, core_fields

from .parsers import Invalid

CUSTOM_PREFIX = "custom."

FIELD_NOUNS = {
    "str": "text",
    "email": "an email address",
    "country": "a country code",
    "int": "a whole number",
    "decimal": "a number",
    "date": "a date",
    "datetime": "a date and time",
    "bool": "yes or no",
    "enum": "one of a fixed set of values",
    "list": "a list of texts",
    "enum_list": "a list of fixed values",
    "any": "any value",
}
"""Every core field kind, with how a person would call what it holds."""


@dataclass(frozen=True)
class CoreType:
    """How to check and convert values for one core field.

    ``fallback`` is the model's default for a field that cannot be empty (``sales_status`` is "Not
    Contacted" when a row leaves it blank); ``required`` says the model has no default at all.
    """

    kind: str
    required: bool = False
    fallback: Any = None
    enum_table: dict[str, str] | None = None
    enum_reason: str = ""
    minimum: int | None = None
    pattern: str | None = None

    @property
    def noun(self) -> str:
        return FIELD_NOUNS[self.kind]


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else Any), True
    return annotation, False


def _words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def enum_spellings(enum_class: type[enum.Enum]) -> dict[str, str]:
    """Every accepted spelling of an enum's members (value, name, "Closed Won" for "10-Closed Won")
    to the canonical value, exact and case-folded."""
    table: dict[str, str] = {}
    for member in enum_class:
        value = str(member.value)
        spellings = [value, member.name, member.name.replace("_", " ")]
        numbered = re.fullmatch(r"(\d+)-(.+)", value)
        if numbered:
            spellings.extend(numbered.groups())
        for spelling in spellings:
            table.setdefault(spelling, value)
            table.setdefault(spelling.casefold(), value)
    return table


def enum_parser(table: dict[str, str], reason: str) -> Callable[[object], str | None]:
    """The slow path of an enum field: blank is ``None``, otherwise a case-insensitive lookup."""

    def parse(value: object) -> str | None:
        if value is None:
            return None
        text = str(value.value if isinstance(value, enum.Enum) else value).strip()
        if not text:
            return None
        found = table.get(text) or table.get(text.casefold())
        if found is None:
            raise Invalid(reason)
        return found

    return parse


def _enum_type(enum_class: type[enum.Enum], kind: str, **extra: Any) -> CoreType:
    values = ", ".join(str(m.value) for m in enum_class)
    reason = f"not a {_words(enum_class.__name__)} (expected one of: {values})"
    return CoreType(kind, enum_table=enum_spellings(enum_class), enum_reason=reason, **extra)


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            found["minimum"] = item.ge
        elif getattr(item, "pattern", None):
            found["pattern"] = item.pattern
    return found


_SCALARS: dict[Any, str] = {
    str: "str",
    EmailStr: "email",
    int: "int",
    Decimal: "decimal",
    date: "date",
    datetime: "datetime",
    bool: "bool",
}


@cache
def core_type(object_type: str, field: str) -> CoreType:
    """The type of a dotted core field (``"email"``, ``"address.country"``, ``"custom.x"``).

    ``KeyError`` for an unknown object type or field; the document checks catch both first.
    """
    if field.startswith(CUSTOM_PREFIX):
        return CoreType("any")
    if field not in core_fields(object_type):
        raise KeyError(field)
    model: type[BaseModel] = OBJECT_MODELS[object_type]
    head, _, tail = field.partition(".")
    info = model.model_fields[head]
    if tail:
        if field == "address.country":
            return CoreType("country")
        info = typing.cast(type[BaseModel], info.annotation).model_fields[tail]
    annotation, optional = _unwrap_optional(info.annotation)
    fallback = None if optional or info.is_required() else info.get_default(call_default_factory=True)
    if isinstance(fallback, enum.Enum):
        fallback = fallback.value
    common: dict[str, Any] = {"required": info.is_required(), "fallback": fallback}
    common.update(_constraints(info.metadata))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _enum_type(annotation, "enum", **common)
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        if isinstance(item, type) and issubclass(item, enum.Enum):
            return _enum_type(item, "enum_list", **common)
        return CoreType("list" if item is str else "any", **common)
    return CoreType(_SCALARS.get(annotation, "any"), **common)
