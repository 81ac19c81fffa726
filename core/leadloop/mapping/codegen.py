"""Python source for a whole record's mapping: one function, one block per field, no dispatch loop.

A 24-column row must map in about three microseconds, which an interpreter walking field specs
cannot do; a generated function with everything inlined can. The source is kept readable (one
commented block per field) and is what ``python_source`` shows.

Safety: no text from a mapping or a file header is ever spelt into the source except through
``str.__repr__`` (always a plain literal, newlines and quotes escaped); every other value
(value maps, defaults, separators, helper callables) is bound to a generated name in the namespace
the code runs in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadloop.errors import BadRecord, FieldProblem

from . import coerce
from .coretypes import CUSTOM_PREFIX
from .names import Names
from .parsers import Invalid
from .plan import REQUIRED, FieldPlan, copy_value
from .snippets import refusal
from .transforms import MISSING

_ABSENT: Any = object()
_REFUSED: Any = object()
"""What a field's value becomes when the last line of its inline code refused it."""


def present(record: Mapping[str, Any], aliases: tuple[str, ...]) -> tuple[str, Any]:
    """The first alias a record holds, with its value (the first alias and None when none)."""
    for name in aliases:
        if name in record:
            return name, record[name]
    return aliases[0], None


def fit(row: list[str], width: int) -> list[str]:
    """A row as wide as its header: missing trailing cells (dropped by some writers) read as empty,
    cells beyond the header ignored."""
    return (list(row) + [""] * width)[:width]


def add_problem(
    problems: list[FieldProblem] | None, field: str, reason: str, value: Any
) -> list[FieldProblem]:
    """Record one problem; the list is made on the first, so a good record allocates none."""
    if problems is None:
        problems = []
    problems.append(FieldProblem(field, reason, value))
    return problems


def _literal(text: str) -> str:
    """A str as a Python literal: ``str.__repr__`` even for a subclass, whose own repr could be anything."""
    if not isinstance(text, str):  # only text may be spelt into code; anything else goes by name
        raise TypeError(f"not a str: {text!r}")
    return str.__repr__(text)


def _indent(lines: list[str], depth: int = 1) -> list[str]:
    return [("    " * depth + line) if line else line for line in lines]


class _Generator:
    def __init__(self) -> None:
        self.names = Names()
        self.names.values.update(
            _Invalid=Invalid,
            _REFUSED=_REFUSED,
            _problem=add_problem,
            _BadRecord=BadRecord,
            _MISSING=_ABSENT,
            _present=present,
            _fit=fit,
            _copy=copy_value,
        )

    def text_pipeline(self, plan: FieldPlan, var: str) -> tuple[list[str], bool, str | None]:
        """Lines mapping a str in ``var``; inlined where the kind allows, helpers elsewhere.

        Also whether they can raise, and the reason when their very last line refuses the value: that
        line becomes ``var = _REFUSED`` instead, since nothing is left to skip, and :meth:`guarded`
        reports it. Raising and catching cost a bad email ~0.5 us, a tenth of refusing its record."""
        lines: list[str] = []
        raises = False
        kind = "text"
        for step, helper in zip(plan.rule.steps, plan.steps, strict=True):
            code = step.transform.inline(var, kind, step.arg, self.names)
            raises = raises or code is None or step.transform.inline_raises
            lines += code if code is not None else [f"{var} = {self.names.add(helper, 'step')}({var})"]
            kind = step.transform.out_kind(kind, step.arg)
        inlined = coerce.inline(var, kind, plan.rule.ctype, self.names)
        if inlined is None:
            inlined = [f"{var} = {self.names.add(plan.coerce, 'coerce')}({var})"], True
        lines += inlined[0]
        raises = raises or inlined[1]  # other lines may still raise: the caller still catches
        reason = refusal(lines[-1]) if lines else None
        if reason is not None:
            indent = lines[-1][: len(lines[-1]) - len(lines[-1].lstrip())]
            lines[-1] = f"{indent}{var} = _REFUSED"
        return lines, raises, reason

    def any_pipeline(self, plan: FieldPlan, var: str) -> list[str]:
        """Lines mapping any value in ``var`` through the plan's helpers, one call per step."""
        kind = "any"
        for step in plan.rule.steps:
            kind = step.transform.out_kind(kind, step.arg)
        calls = (*plan.steps, plan.coerce) if coerce.needed(kind, plan.rule.ctype) else plan.steps
        return [f"{var} = {self.names.add(fn, 'step')}({var})" for fn in calls]

    def finish(self, plan: FieldPlan, var: str, problem: list[str]) -> list[str]:
        """Fill an empty value with the default, or report a required one as missing."""
        empty = f"not {var}" if plan.holds_list else f"{var} is None"
        if plan.fill is not MISSING:
            fill = self.names.add(plan.fill, "fill")
            value = f"_copy({fill})" if isinstance(plan.fill, list | dict) else fill
            return [f"if {empty}:", f"    {var} = {value}"]
        if plan.rule.required:
            return [f"if {empty}:", *_indent(problem)]
        return []

    def guarded(
        self, body: list[str], raises: bool, plan: FieldPlan, var: str, report: list[str], raw: str,
        refused: str | None = None,
    ) -> list[str]:
        """``body`` with invalid values reported (when it can raise, or ``refused`` says why it set
        ``_REFUSED``) and emptiness checked after."""
        required = self.finish(
            plan, var, [*report, f"problems = _problem(problems, _name, {REQUIRED!r}, {raw})"]
        )
        if refused is not None:
            report_refused = [
                f"{var} = None", *report, f"problems = _problem(problems, _name, {_literal(refused)}, {raw})"
            ]
            otherwise = ["else:", *_indent(required)] if required else []
            required = [f"if {var} is _REFUSED:", *_indent(report_refused), *otherwise]
        if not raises:
            return body + required
        invalid = [f"{var} = None", *report, f"problems = _problem(problems, _name, exc.reason, {raw})"]
        return [
            "try:",
            *_indent(body),
            "except _Invalid as exc:",
            *_indent(invalid),
            *(["else:", *_indent(required)] if required else []),
        ]

    def constant(self, var: str, value: Any) -> list[str]:
        """A constant's value; a list or dict is copied, so that no two records share one."""
        name = self.names.add(value, "const")
        return [f"{var} = {name}" if _preset(value) else f"{var} = _copy({name})"]

    def column_block(self, plan: FieldPlan, var: str, index: int, header: str, shared: bool) -> list[str]:
        """A field reading cell ``index``: unpacked straight into ``var``, or from ``c<index>`` when
        several fields read that cell."""
        body, raises, refused = self.text_pipeline(plan, var)
        report = [f"_name = {_literal(header)}"]
        return [
            *([f"{var} = c{index}"] if shared else []),
            *self.guarded(body, raises, plan, var, report, f"row[{index}]", refused),
        ]

    def record_block(self, plan: FieldPlan, var: str) -> list[str]:
        aliases = plan.rule.sources
        if len(aliases) == 1:
            lines = [f"{var} = rec.get({_literal(aliases[0])})"]
        else:  # the first alias present wins, even when its value is None
            lines = [f"{var} = rec.get({_literal(aliases[0])}, _MISSING)"]
            for alias in aliases[1:]:
                lines += [f"if {var} is _MISSING:", f"    {var} = rec.get({_literal(alias)}, _MISSING)"]
            lines += [f"if {var} is _MISSING:", f"    {var} = None"]
        text, _, refused = self.text_pipeline(plan, var)  # the helper branch may raise anyway
        body = [
            f"if {var}.__class__ is str:",
            *_indent(text),
            "else:",
            *_indent(self.any_pipeline(plan, var)),
        ]
        report = [f"_name, _raw = _present(rec, {self.names.add(aliases, 'aliases')})"]
        return lines + self.guarded(body, True, plan, var, report, "_raw", refused)


def _preset(value: Any) -> bool:
    return not isinstance(value, list | dict)


def _result(
    plans: list[FieldPlan], names: Names, constants: dict[int, Any], omit: frozenset[int] = frozenset(),
    *, as_tuple: bool = False,
) -> tuple[list[str], tuple[str, ...]]:
    """The lines that return the result, and its fields in order: dotted core names, custom fields
    gathered under ``custom``; fields in ``omit`` are left out (and ``custom`` when no custom field
    remains). The result is a dict, or with ``as_tuple`` the values alone, in the fields' order.

    Copying a template dict (which already holds the immutable constants) and storing into it is
    markedly faster than a 24-key dict literal.
    """
    template: dict[str, Any] = {}
    stores: list[str] = []
    custom: list[str] = []
    values: list[str | tuple[Any]] = []  # a variable, or (a constant,)
    for i, plan in enumerate(plans):
        name = plan.rule.core
        if i in omit:
            continue
        if name.startswith(CUSTOM_PREFIX):
            custom.append(f"    {_literal(name.removeprefix(CUSTOM_PREFIX))}: f{i},")
            continue
        if i in constants and _preset(constants[i]):
            template[name] = constants[i]
            values.append((constants[i],))
        else:
            template[name] = None
            stores.append(f"out[{_literal(name)}] = f{i}")
            values.append(f"f{i}")
    if custom:
        template["custom"] = None
        stores += ["out['custom'] = {", *custom, "}"]
    fields = tuple(template)
    if as_tuple:
        custom_value = ["{", *custom, "}"] if custom else []
        spelt = [v if isinstance(v, str) else names.add(v[0], "const") for v in values]
        return ["return (", *(f"    {v}," for v in spelt), *custom_value, ")"], fields
    return [f"out = {names.add(template, 'template')}.copy()", *stores, "return out"], fields


def _function(
    head: list[str],
    gen: _Generator,
    blocks: dict[int, list[str]],
    plans: list[FieldPlan],
    constants: dict[int, Any],
    omit: frozenset[int] = frozenset(),
    *, as_tuple: bool = False,
) -> tuple[str, tuple[str, ...]]:
    body = ["problems = None"]
    for i, block in blocks.items():
        body += ["", f"# f{i} {plans[i].rule.path}: {_literal(plans[i].rule.core)}", *block]
    result, fields = _result(plans, gen.names, constants, omit, as_tuple=as_tuple)
    body += ["", "if problems:", "    raise _BadRecord(label, problems)", *result]
    return "\n".join(head + _indent(body)) + "\n", fields


def _constant_blocks(
    gen: _Generator, plans: list[FieldPlan], constants: dict[int, Any]
) -> dict[int, list[str]]:
    """Blocks for the constants the result template cannot hold: mutable ones, and custom fields."""
    return {
        i: gen.constant(f"f{i}", value)
        for i, value in constants.items()
        if not _preset(value) or plans[i].rule.core.startswith(CUSTOM_PREFIX)
    }


def record_function(
    plans: list[FieldPlan], constants: dict[int, Any], *, as_tuple: bool = False
) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """Source, namespace and result fields of ``apply_in(rec, label)`` over a mapping of source field
    names; the result is a dict, or with ``as_tuple`` a tuple of the values in the fields' order.

    ``constants`` holds the precomputed value of every field that reads no source.
    """
    gen = _Generator()
    blocks = {i: gen.record_block(p, f"f{i}") for i, p in enumerate(plans) if i not in constants}
    blocks.update(_constant_blocks(gen, plans, constants))
    head = [
        "def apply_in(rec, *, label='record'):",
        '    """Map one source record (source field name to value) to core fields."""',
    ]
    source, fields = _function(head, gen, dict(sorted(blocks.items())), plans, constants, as_tuple=as_tuple)
    return source, gen.names.values, fields


def row_function(
    plans: list[FieldPlan],
    width: int,
    columns: dict[int, tuple[int, str]],
    constants: dict[int, Any],
    omit: set[int] | frozenset[int] = frozenset(),
    *,
    as_tuple: bool = False,
) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """Source, namespace and result fields of ``map_row(row, label)`` over rows of ``width`` cells.

    ``columns`` gives, per field, the cell index and header it reads; the others are ``constants``,
    or in ``omit`` (no column and nothing to fill in: not in the result at all). The result is a
    dict, or with ``as_tuple`` a tuple of the values in the fields' order.
    The row is unpacked into locals in one go: a cell one field reads straight into that field's
    variable, a cell several fields read into ``c<index>``, a cell nothing reads into ``_``.
    """
    gen = _Generator()
    readers: dict[int, list[int]] = {}
    for i, (index, _) in columns.items():
        readers.setdefault(index, []).append(i)
    blocks = {
        i: gen.column_block(plans[i], f"f{i}", index, header, len(readers[index]) > 1)
        for i, (index, header) in columns.items()
    }
    blocks.update(_constant_blocks(gen, plans, constants))
    cells = ", ".join(
        "_" if c not in readers else f"f{readers[c][0]}" if len(readers[c]) == 1 else f"c{c}"
        for c in range(width)
    )
    head = [
        "def map_row(row, label='row'):",
        '    """Map one row of cells (in the header\'s column order) to core fields."""',
        f"    if len(row) != {width}:",
        f"        row = _fit(row, {width})",
    ]
    if width:
        head.append(f"    {cells}{',' if width == 1 else ''} = row")
    source, fields = _function(head, gen, dict(sorted(blocks.items())), plans, constants, frozenset(omit),
                               as_tuple=as_tuple)
    return source, gen.names.values, fields


def build(source: str, namespace: dict[str, Any], name: str, filename: str) -> Any:
    """Compile generated ``source`` and return its function ``name``."""
    scope = dict(namespace)
    exec(compile(source, filename, "exec"), scope)  # noqa: S102 - our own generated code, see module doc
    return scope[name]
