"""One field's way in, as callables: what the generated code runs, and what runs it at load time.

A :class:`FieldPlan` is the general (any value) form of a field's pipeline. The generated record
functions call the same helpers for values that are not text, and :meth:`FieldPlan.evaluate` runs
them once at load time on constants, defaults and value-map entries, so a mapping that would refuse
every record is refused itself, with the place to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from leadloop.errors import Problem

from . import coerce
from .document import FieldRule
from .parsers import Invalid
from .transforms import MISSING

REQUIRED = "required"


@dataclass(frozen=True)
class FieldPlan:
    """``fill`` is the value for "no value" (the mapping's default, else the model's), or MISSING."""

    rule: FieldRule
    steps: tuple[Callable[[Any], Any], ...]
    coerce: Callable[[Any], Any]
    fill: Any

    @property
    def holds_list(self) -> bool:
        return self.rule.ctype.kind in ("list", "enum_list")

    def is_empty(self, value: Any) -> bool:
        return not value if self.holds_list else value is None

    def evaluate(self, value: Any) -> Any:
        """The core value for one source value; :class:`Invalid` says why there is none."""
        for step in self.steps:
            value = step(value)
        value = self.coerce(value)
        if self.is_empty(value):
            if self.fill is not MISSING:
                return copy_value(self.fill)
            if self.rule.required:
                raise Invalid(REQUIRED)
        return value


def copy_value(value: Any) -> Any:
    """A fresh copy of a list or dict constant, so that no two records share one."""
    return type(value)(value) if isinstance(value, list | dict) else value


def plan_field(rule: FieldRule, file: str) -> tuple[FieldPlan, list[Problem]]:
    """The plan of ``rule`` and the problems of its default, value map and constant."""
    problems: list[Problem] = []
    coerce_value = coerce.helper(rule.ctype)
    fill = MISSING
    if rule.default is not MISSING and rule.ctype.kind == "any":
        fill = rule.default  # an untyped (custom) field keeps its default as written, even ""
    elif rule.default is not MISSING:
        try:
            fill = coerce_value(rule.default)
        except Invalid as exc:
            problems.append(Problem(file, f"{rule.path}.default", f"{rule.default!r}: {exc.reason}"))
    if fill is None or fill is MISSING:  # a default that means "no value" leaves room for the model's
        fill = MISSING if rule.ctype.fallback is None else rule.ctype.fallback
    plan = FieldPlan(rule, tuple(s.transform.helper(s.arg) for s in rule.steps), coerce_value, fill)
    last = rule.steps[-1] if rule.steps else None
    if last is not None and last.transform.name == "value_map":  # its values go straight to the field
        for key, value in last.arg.items():
            try:
                coerce_value(value)
            except Invalid as exc:
                problems.append(Problem(file, f"{last.path}[{key!r}]", f"maps to {value!r}: {exc.reason}"))
    if rule.constant is not MISSING:
        try:
            plan.evaluate(rule.constant)
        except Invalid as exc:
            problems.append(Problem(file, f"{rule.path}.constant", f"{rule.constant!r}: {exc.reason}"))
    else:
        try:  # with nothing from the source, only "required" may refuse a value ({default: x} must fit)
            plan.evaluate(None)
        except Invalid as exc:
            if exc.reason != REQUIRED:
                problems.append(
                    Problem(file, f"{rule.path}.transforms", f"with no source value: {exc.reason}")
                )
    return plan, problems
