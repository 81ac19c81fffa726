"""Running one field through every path the engine generates.

A file cell goes through the inlined text code of ``for_columns``; a record value through
``apply_in``, whose str branch is the same inlined code and whose other branch calls the general
helpers. ``run_field`` runs every path that applies, including the helpers on text (a str
subclass takes the non-str branch), and insists they agree, so an inline fast path can never
drift from the helper it shortcuts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from leadloop.errors import BadRecord
from leadloop.mapping import compile_mapping
from leadloop.model import OBJECT_MODELS

Outcome = tuple[str, Any]


class Text(str):
    """Text that the generated code's ``__class__ is str`` test sends down the helper branch."""


def _outcome(call: Callable[[], dict[str, Any]], core: str) -> Outcome:
    try:
        result = call()
    except BadRecord as exc:
        return "bad", [(p.field, p.reason) for p in exc.problems]
    if core.startswith("custom."):
        return "ok", result["custom"][core.removeprefix("custom.")]
    return "ok", result[core]


def run_field(field: dict[str, Any], value: Any, object_type: str = "lead") -> Outcome:
    """("ok", core value) or ("bad", [(source field, reason), ...]), the same from every path.

    The object's other model-required fields (an account's ``name``) get constants.
    """
    spec = {"source": "Src", **field}
    required = [
        name
        for name, info in OBJECT_MODELS[object_type].model_fields.items()
        if info.is_required() and name != field["core"]
    ]
    fields = [spec, *({"core": name, "constant": "Required by the model"} for name in required)]
    mapping = compile_mapping({"object": object_type, "fields": fields})
    outcomes = {"record": _outcome(lambda: mapping.apply_in({"Src": value}), field["core"])}
    if isinstance(value, str):
        row_mapper = mapping.for_columns(["Src"])
        outcomes["file row"] = _outcome(lambda: row_mapper([value]), field["core"])
        outcomes["helpers"] = _outcome(lambda: mapping.apply_in({"Src": Text(value)}), field["core"])
    first = next(iter(outcomes.values()))
    assert all(o == first for o in outcomes.values()), outcomes
    return first


@pytest.fixture
def map_value() -> Callable[..., Any]:
    """``map_value(field, value)``: the core value, or raises AssertionError naming the problems."""

    def run(field: dict[str, Any], value: Any, object_type: str = "lead") -> Any:
        status, result = run_field(field, value, object_type)
        assert status == "ok", result
        return result

    return run


@pytest.fixture
def refused() -> Callable[..., list[str]]:
    """``refused(field, value)``: the reasons the value is refused (fails if it is accepted)."""

    def run(field: dict[str, Any], value: Any, object_type: str = "lead") -> list[str]:
        status, result = run_field(field, value, object_type)
        assert status == "bad", f"accepted as {result!r}"
        assert all(name == "Src" for name, _ in result)
        return [reason for _, reason in result]

    return run
