"""A checked, compiled mapping: what connectors and the import call for every record."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol, cast, overload

import yaml

from leadloop.errors import ConfigError, Problem

from . import codegen
from .document import MappingDocument, Step, read_document
from .parsers import Invalid
from .plan import FieldPlan, plan_field
from .transforms import MISSING


@dataclass(frozen=True)
class MappedField:
    """What a mapping says about one field, for views and reports.

    ``internal`` fields are never shown to partners; ``label`` is the name partners see (``None``:
    the view chooses). ``sources`` are the source field names, the first being the one written back.
    """

    core: str
    sources: tuple[str, ...]
    direction: str
    required: bool
    internal: bool
    label: str | None


def header_key(header: str) -> str:
    """How file headers are compared: no BOM, case or whitespace ("E-Mail " is "e-mail")."""
    return "".join(header.replace("\ufeff", "").split()).casefold()


def _json_ready(value: Any) -> Any:
    """Core values as a source's JSON API takes them: ISO 8601 dates, numbers as JSON numbers.

    A Decimal becomes an int when whole, else a float (exact to 15 significant digits, ample for
    the amounts and revenues a CRM holds).
    """
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _lookup(record: Mapping[str, Any], dotted: str) -> Any:
    """A core value by dotted name, flat (``"address.country"``) or nested (``{"address": {...}}``)."""
    if dotted in record:
        return record[dotted]
    head, _, tail = dotted.partition(".")
    inner = record.get(head) if tail else None
    if isinstance(inner, Mapping) and tail in inner:
        return inner[tail]
    return MISSING


class RowMapper(Protocol):
    """A mapping bound to one file's header row: call it with each row of cells.

    The aliases are resolved once, so the per-row function reads cells by position. It is the
    generated function itself (no wrapper call on the hot path), carrying as attributes:
    ``columns`` (which header each core field reads), ``unmapped`` (headers nothing reads: a typo in
    a header shows up there), ``absent`` (optional core fields the file has no column for) and
    ``python_source``. A bad row raises :class:`~leadloop.errors.BadRecord` naming its cells by header.
    """

    columns: dict[str, str]
    unmapped: tuple[str, ...]
    absent: tuple[str, ...]
    python_source: str
    fields: tuple[str, ...]
    """The result's fields, in order."""

    def __call__(self, row: Sequence[str], label: str = "row") -> dict[str, Any]: ...


class TupleRowMapper(Protocol):
    """A :class:`RowMapper` whose result is the values alone, in the order of ``fields``: a bulk
    import turns a page of them into columns without building a dict per row."""

    columns: dict[str, str]
    unmapped: tuple[str, ...]
    absent: tuple[str, ...]
    python_source: str
    fields: tuple[str, ...]

    def __call__(self, row: Sequence[str], label: str = "row") -> tuple[Any, ...]: ...


class TupleRecordMapper(Protocol):
    """:attr:`CompiledMapping.apply_in` giving the values alone, in the order of ``fields``: a pull
    turns a page of API records into columns without building a dict per record."""

    python_source: str
    fields: tuple[str, ...]

    def __call__(self, record: Mapping[str, Any], *, label: str = "record") -> tuple[Any, ...]: ...


class CompiledMapping:
    """One object type's mapping, checked and compiled into a function per record shape.

    Build it with :func:`compile_mapping` or :func:`load_mapping`.

    ``apply_in(record, *, label="record") -> dict`` maps one source record (source field name to
    value) to a flat dict of core fields: keys are dotted core names (``"address.country"``), custom
    fields sit in a ``"custom"`` dict, and every field coming in is present (``None`` when the
    source has no value). It raises :class:`~leadloop.errors.BadRecord` listing every bad field of
    the record, each named by its SOURCE field name (the one the record holds), since that is what
    the admin sees in the CRM or file and can go and fix. It is the generated function itself, an
    attribute rather than a method so that no wrapper call sits on the import's hot path;
    ``python_source`` shows its code.
    """

    apply_in: Callable[..., dict[str, Any]]

    def __init__(self, document: MappingDocument, plans: list[FieldPlan], file: str) -> None:
        self.object_type = document.object_type
        self.source = document.source
        self.file = file
        self.fields = tuple(
            MappedField(r.core, r.sources, r.direction, r.required, r.internal, r.label)
            for r in document.fields
        )
        self._plans = [p for p in plans if p.rule.reads]
        self._constants = {
            i: p.evaluate(p.rule.constant)
            for i, p in enumerate(self._plans)
            if p.rule.constant is not MISSING
        }
        self.python_source, namespace, _ = codegen.record_function(self._plans, self._constants)
        self.apply_in = codegen.build(self.python_source, namespace, "apply_in", f"<mapping {file}>")
        self._tuples: TupleRecordMapper | None = None
        self._out = [
            (p.rule, [f for f in map(_inverse, reversed(p.rule.steps)) if f]) for p in plans if p.rule.writes
        ]

    def apply_out(self, core_record: Mapping[str, Any]) -> dict[str, Any]:
        """Map core fields back to source fields, for write-back.

        Only fields with direction ``out`` or ``both`` and a source are written, under their first
        source name; core fields absent from ``core_record`` are left out (a change carries only what
        changed), ``None`` is written as ``None``. Value maps are reversed (where several source
        values map to one core value, the first is written), ``split`` becomes ``join`` and dates
        use the first format given; values come out JSON-ready.
        """
        out: dict[str, Any] = {}
        for rule, inverses in self._out:
            if rule.constant is not MISSING:
                value = rule.constant
            else:
                value = _lookup(core_record, rule.core)
                if value is MISSING:
                    continue
                if isinstance(value, enum.Enum):
                    value = value.value
                for inverse in inverses:
                    value = inverse(value)
            out[rule.sources[0]] = _json_ready(value)
        return out

    def as_tuples(self) -> TupleRecordMapper:
        """:attr:`apply_in` with the values as a tuple (see :class:`TupleRecordMapper`); the same
        checks and problems, compiled on first use."""
        if self._tuples is None:
            source, namespace, fields = codegen.record_function(self._plans, self._constants, as_tuple=True)
            mapper = codegen.build(source, namespace, "apply_in", f"<mapping {self.file} as tuples>")
            mapper.python_source = source
            mapper.fields = fields
            self._tuples = cast(TupleRecordMapper, mapper)
        return self._tuples

    @overload
    def for_columns(self, headers: Sequence[str], *, file: str = ..., as_tuples: Literal[False] = ...) -> RowMapper: ...

    @overload
    def for_columns(self, headers: Sequence[str], *, file: str = ..., as_tuples: Literal[True]) -> TupleRowMapper: ...

    def for_columns(
        self, headers: Sequence[str], *, file: str = "<file>", as_tuples: bool = False
    ) -> RowMapper | TupleRowMapper:
        """Bind the mapping to a file's header row (aliases matched ignoring case, spaces and a BOM).

        Raises :class:`~leadloop.errors.ConfigError` once for the whole file when a required field
        has no column, instead of refusing every row of it. ``as_tuples`` gives a
        :class:`TupleRowMapper`.
        """
        positions: dict[str, int] = {}
        for index, header in enumerate(headers):
            positions.setdefault(header_key(header), index)
        columns: dict[int, tuple[int, str]] = {}
        constants = dict(self._constants)
        problems: list[Problem] = []
        absent: list[str] = []
        omit: set[int] = set()
        for i, plan in enumerate(self._plans):
            if i in constants:
                continue
            found = next((positions[k] for k in map(header_key, plan.rule.sources) if k in positions), None)
            if found is not None:
                columns[i] = (found, headers[found].replace("\ufeff", "").strip())
                continue
            absent.append(plan.rule.core)
            if plan.rule.default is MISSING and not plan.rule.required:
                # The file says nothing about this field: leave it out of the row, so that updating
                # a known lead keeps what it had and a new lead takes the store's default.
                omit.add(i)
                continue
            try:
                constants[i] = plan.evaluate(None)
            except Invalid:
                looked = ", ".join(map(repr, plan.rule.sources))
                problems.append(
                    Problem(
                        file,
                        "header",
                        f"no column for required field {plan.rule.core!r} "
                        f"(looked for {looked}, ignoring case and spaces)",
                    )
                )
        if problems:
            raise ConfigError(f"{file}: required columns are missing", problems)
        used = {index for index, _ in columns.values()}
        source, namespace, fields = codegen.row_function(
            self._plans, len(headers), columns, constants, omit, as_tuple=as_tuples
        )
        mapper = codegen.build(source, namespace, "map_row", f"<mapping {self.file} for {file}>")
        mapper.python_source = source
        mapper.fields = fields
        mapper.columns = {self._plans[i].rule.core: header for i, (_, header) in columns.items()}
        mapper.unmapped = tuple(h for i, h in enumerate(headers) if i not in used)
        mapper.absent = tuple(absent)
        return cast(TupleRowMapper, mapper) if as_tuples else cast(RowMapper, mapper)


def _inverse(step: Step) -> Callable[[Any], Any] | None:
    return step.transform.inverse(step.arg)


def compile_mapping(document: Mapping[str, Any], *, file: str = "<mapping>") -> CompiledMapping:
    """Check a mapping document and compile it.

    Raises :class:`~leadloop.errors.ConfigError` listing every problem found (schema, unknown core
    fields or transforms, values a field cannot hold), each located like ``fields[3].transforms[1]``.
    """
    parsed, problems = read_document(document, file)
    plans: list[FieldPlan] = []
    for rule in parsed.fields if parsed else ():
        plan, found = plan_field(rule, file)
        plans.append(plan)
        problems += found
    if problems or parsed is None:
        count = len(problems)
        raise ConfigError(f"{file}: the mapping has {count} problem{'s' * (count != 1)}", problems)
    return CompiledMapping(parsed, plans, file)


def load_mapping(path: str | Path) -> CompiledMapping:
    """Read a mapping file (YAML, or JSON which is YAML too) and compile it."""
    file = str(path)
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read mapping file {file}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"{file}: not valid YAML", [Problem(file, where, str(getattr(exc, "problem", exc)))]
        ) from exc
    return compile_mapping(document, file=file)
