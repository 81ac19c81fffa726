"""Reading a mapping document: first its JSON Schema, then what a schema cannot see.

An admin fixing a mapping should see every mistake in one go, so nothing here stops at the first
problem: each check adds a :class:`~leadloop.errors.Problem` naming the place
(``fields[3].transforms[1]``) and the reading goes on with whatever is still usable.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from leadloop.errors import Problem
from leadloop.model import OBJECT_MODELS, core_fields
from leadloop.schemas import core_schema

from .coerce import COERCIBLE
from .coretypes import CUSTOM_PREFIX, CoreType, core_type
from .transforms import KIND_NOUNS, MISSING, TRANSFORMS, Transform, kind_of


@dataclass(frozen=True)
class Step:
    """One transform of a field with its argument; ``path`` locates it in the document."""

    transform: Transform
    arg: Any
    path: str


@dataclass(frozen=True)
class FieldRule:
    """One checked entry of ``fields``; ``constant`` and ``default`` are :data:`MISSING` when not given."""

    path: str
    core: str
    sources: tuple[str, ...]
    steps: tuple[Step, ...]
    constant: Any
    default: Any
    required: bool
    direction: str
    internal: bool
    label: str | None
    ctype: CoreType

    @property
    def reads(self) -> bool:
        return self.direction != "out"

    @property
    def writes(self) -> bool:
        return self.direction != "in" and bool(self.sources)


@dataclass(frozen=True)
class MappingDocument:
    """A mapping document as far as it could be read; fields with problems are left out."""

    object_type: str
    source: str | None
    fields: tuple[FieldRule, ...]


def format_path(parts: Any) -> str:
    """``["fields", 3, "transforms", 1]`` as ``fields[3].transforms[1]``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


def _suggest(word: object, choices: Any) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.schema_paths: set[str] = set()

    def problem(self, path: str, reason: str) -> None:
        self.problems.append(Problem(self.file, path, reason))

    def schema(self, document: Any) -> None:
        validator = Draft202012Validator(core_schema("mapping"))
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
            path = format_path(error.absolute_path)
            self.schema_paths.add(path)
            self.problem(path, error.message)

    def schema_found_problems_in(self, path: str) -> bool:
        return any(p == path or p.startswith((path + ".", path + "[")) for p in self.schema_paths)

    def object_type(self, document: Mapping[str, Any]) -> str | None:
        name = document.get("object")
        if isinstance(name, str) and name not in OBJECT_MODELS:
            self.problem("object", f"unknown object type {name!r} (known: {', '.join(OBJECT_MODELS)})")
        return name if name in OBJECT_MODELS else None

    def core_name(self, path: str, core: Any, object_type: str | None) -> CoreType | None:
        if not isinstance(core, str) or object_type is None:
            return None
        if core.startswith(CUSTOM_PREFIX):
            if not core.removeprefix(CUSTOM_PREFIX).strip():
                self.problem(path + ".core", "name the custom field: custom.<name>")
                return None
            return core_type(object_type, core)
        if core not in core_fields(object_type):
            known = core_fields(object_type)
            self.problem(
                path + ".core",
                f"{object_type} has no core field {core!r}{_suggest(core, known)} "
                f"(use custom.{core} for a field of your own)",
            )
            return None
        return core_type(object_type, core)

    def steps(self, path: str, entry: Mapping[str, Any]) -> list[Step] | None:
        """The transforms, then the field's ``value_map`` as a last step; ``None`` if any is wrong."""
        items = entry.get("transforms", [])
        raw: list[tuple[str, Any, Any]] = []
        if isinstance(items, list):
            for i, item in enumerate(items):
                where = f"{path}.transforms[{i}]"
                if isinstance(item, str):
                    raw.append((where, item, MISSING))
                elif isinstance(item, dict) and len(item) == 1:
                    ((name, arg),) = item.items()
                    raw.append((where, name, arg))
        if "value_map" in entry:
            raw.append((f"{path}.value_map", "value_map", entry["value_map"]))
        steps: list[Step] = []
        ok = True
        for where, name, arg in raw:
            transform = TRANSFORMS.get(name)
            if transform is None:
                self.problem(
                    where,
                    f"unknown transform {name!r}{_suggest(name, TRANSFORMS)} "
                    f"(known: {', '.join(TRANSFORMS)})",
                )
                ok = False
                continue
            reason = transform.check_argument(arg)
            if reason:
                self.problem(where, reason)
                ok = False
                continue
            steps.append(Step(transform, arg, where))
        return steps if ok else None

    def kinds(self, path: str, steps: list[Step], start: str, ctype: CoreType | None, core: str) -> bool:
        """Whether each step gets a value it can work on, and the field gets one it can hold."""
        kind = start
        for step in steps:
            if kind not in step.transform.accepts:
                self.problem(
                    step.path,
                    f"{step.transform.name} cannot work on {KIND_NOUNS[kind]}, "
                    "which is what the value is by then",
                )
                return False
            kind = step.transform.out_kind(kind, step.arg)
        if ctype is not None and kind not in COERCIBLE[ctype.kind]:
            self.problem(
                path + (".transforms" if steps else ""),
                f"the value ends up as {KIND_NOUNS[kind]}, but {core!r} holds {ctype.noun}",
            )
            return False
        return True

    def field(self, path: str, entry: Any, object_type: str | None) -> FieldRule | None:
        if not isinstance(entry, Mapping):
            return None
        core = entry.get("core")
        ctype = self.core_name(path, core, object_type)
        sources = entry.get("source", ())
        sources = (sources,) if isinstance(sources, str) else sources
        if not isinstance(sources, list | tuple) or not all(isinstance(s, str) and s for s in sources):
            sources = None
        direction = entry.get("direction", "both")
        constant = entry.get("constant", MISSING)
        # a field the schema found wrong is checked for names here, but its values are not tried
        usable = ctype is not None and sources is not None and not self.schema_found_problems_in(path)
        if "source" not in entry and constant is MISSING:
            self.problem(path, "give a source field to read, or a constant")
            usable = False
        if direction == "out" and not sources:
            self.problem(path, "a field going out needs a source field to write to")
            usable = False
        if direction == "out" and entry.get("required"):
            self.problem(
                path + ".required", "required applies to records coming in; this field only goes out"
            )
            usable = False
        steps = self.steps(path, entry)
        if steps is None:
            return None
        start = "any" if constant is MISSING else kind_of(constant)
        if not self.kinds(path, steps, start, ctype, str(core)) or not usable or ctype is None:
            return None
        label = entry.get("label")
        return FieldRule(
            path=path,
            core=str(core),
            sources=tuple(sources or ()),
            steps=tuple(steps),
            constant=constant,
            default=entry.get("default", MISSING),
            required=bool(entry.get("required", False)) or ctype.required,
            direction=str(direction),
            internal=bool(entry.get("internal", False)),
            label=label if isinstance(label, str) else None,
            ctype=ctype,
        )

    def overlaps(self, rules: list[FieldRule]) -> list[FieldRule]:
        """Drop (and report) a second field filling the same core field or writing the same source field."""
        filled: dict[str, str] = {}
        written: dict[str, str] = {}
        kept = []
        for rule in rules:
            if rule.reads and rule.core in filled:
                self.problem(
                    rule.path + ".core", f"core field {rule.core!r} is already filled by {filled[rule.core]}"
                )
                continue
            if rule.writes and rule.sources[0] in written:
                self.problem(
                    rule.path + ".source",
                    f"source field {rule.sources[0]!r} is already written by {written[rule.sources[0]]}",
                )
                continue
            if rule.reads:
                filled[rule.core] = rule.path
            if rule.writes:
                written[rule.sources[0]] = rule.path
            kept.append(rule)
        return kept

    def model_required(self, object_type: str, entries: list[Any]) -> None:
        """A core field the model cannot do without must be filled by some field coming in."""
        mapped = {e.get("core") for e in entries if isinstance(e, Mapping) and e.get("direction") != "out"}
        if not mapped:
            return  # a write-back-only mapping fills nothing
        for name in core_fields(object_type):
            if name not in mapped and core_type(object_type, name).required:
                self.problem(
                    "fields", f"{object_type} needs core field {name!r}; map it from a source or a constant"
                )


def read_document(document: Any, file: str) -> tuple[MappingDocument | None, list[Problem]]:
    """Check ``document`` against the schema and the core model; every problem found is returned.

    The document comes back with the fields that could be read, so later checks (values in value
    maps, constants) can look at them too; it is ``None`` when not even its object type is usable.
    """
    reader = _Reader(file)
    reader.schema(document)
    if not isinstance(document, Mapping):
        return None, reader.problems
    object_type = reader.object_type(document)
    entries = document.get("fields")
    entries = entries if isinstance(entries, list) else []
    rules = [r for i, e in enumerate(entries) if (r := reader.field(f"fields[{i}]", e, object_type))]
    if object_type is None:
        return None, reader.problems
    rules = reader.overlaps(rules)
    reader.model_required(object_type, entries)
    source = document.get("source")
    return MappingDocument(
        object_type, source if isinstance(source, str) else None, tuple(rules)
    ), reader.problems
