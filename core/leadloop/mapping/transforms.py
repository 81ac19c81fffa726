"""The transforms a mapping may list, what each accepts and produces, and how it compiles.

Each transform has three faces: a general ``helper`` callable (any value in, any value out, used for
records from APIs and for the rare cases), optional ``inline`` code for text values (what files
deliver, on the import's hot path), and an ``inverse`` for write-back. Values travel with a static
*kind* so that the compiler refuses a pipeline that cannot work (``[int, lower]``) when the mapping
is loaded, not a million rows later, and emits no check it knows to be needless.

Kinds: ``text`` (a str, never None), ``stripped`` (text without surrounding spaces), ``str`` (str
or None), ``email`` and ``country`` (checked str or None), ``list``, ``int``, ``decimal``,
``datetime`` (dates too: date fields cut it), ``any``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from . import parsers, snippets
from .countries import to_country
from .names import Names

MISSING: Any = object()
"""The argument of a transform written bare (``trim``), as opposed to ``{default: null}``."""

TEXT = frozenset({"text", "stripped"})
"""Kinds of a value that is certainly a str: what a file cell is."""
TEXTUAL = TEXT | {"str", "email", "country"}
EVERYTHING = TEXTUAL | {"list", "int", "decimal", "datetime", "any"}

KIND_NOUNS = {
    "text": "text",
    "stripped": "text",
    "str": "text",
    "email": "an email address",
    "country": "a country code",
    "list": "a list",
    "int": "a whole number",
    "decimal": "a number",
    "datetime": "a date and time",
    "any": "any value",
}


def kind_of(value: Any) -> str:
    """The kind of a constant written in a mapping."""
    if isinstance(value, str):
        return "text"
    if value is None:
        return "str"
    if isinstance(value, bool):
        return "any"
    if isinstance(value, int):
        return "int"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "list"
    return "any"


class Transform:
    """One transform: its argument rule (``none``, ``optional``, ``required``), kinds in and out, code.

    ``inline_raises`` says whether the inline code may raise :class:`~.parsers.Invalid`.
    """

    inline_raises = False

    def __init__(self, name: str, accepts: frozenset[str], argument: str) -> None:
        self.name = name
        self.accepts = accepts
        self.argument = argument

    def check_argument(self, arg: Any) -> str | None:
        """Why ``arg`` does not suit this transform, or ``None``."""
        if arg is MISSING:
            return (
                f"{self.name} needs an argument: {{{self.name}: ...}}"
                if self.argument == "required"
                else None
            )
        if self.argument == "none":
            return f"{self.name} takes no argument; write it bare: {self.name}"
        return self._check(arg)

    def _check(self, arg: Any) -> str | None:
        return None

    def out_kind(self, kind: str, arg: Any) -> str:
        """The kind after this transform, for a value of ``kind`` (an accepted one)."""
        raise NotImplementedError

    def helper(self, arg: Any) -> Callable[[Any], Any]:
        raise NotImplementedError

    def inline(self, var: str, kind: str, arg: Any, names: Names) -> list[str] | None:
        """Source lines doing this step on ``var`` of static ``kind``, or ``None`` for the helper."""
        return None

    def inverse(self, arg: Any) -> Callable[[Any], Any] | None:
        """What undoes this step on the way out (core to source), or ``None`` to pass values as they are."""
        return None


class _TextMethod(Transform):
    """trim, lower, upper: a str method, applied to every item of a list."""

    def __init__(self, name: str, method: str) -> None:
        super().__init__(name, TEXTUAL | {"list", "any"}, "none")
        self.method = method

    def out_kind(self, kind: str, arg: Any) -> str:
        if kind in TEXT:
            return "stripped" if self.method == "strip" else kind  # case changes keep text stripped
        return kind if kind in ("list", "any") else "str"

    def helper(self, arg: Any) -> Callable[[Any], Any]:
        method = self.method

        def apply(value: Any) -> Any:
            if isinstance(value, str):
                return getattr(value, method)()
            if isinstance(value, list):
                return [getattr(item, method)() if isinstance(item, str) else item for item in value]
            return value

        return apply

    def inline(self, var: str, kind: str, arg: Any, names: Names) -> list[str] | None:
        if kind == "stripped" and self.method == "strip":
            return []
        if kind in TEXT:
            return [f"{var} = {var}.{self.method}()"]
        if kind in TEXTUAL:
            return [f"if {var} is not None:", f"    {var} = {var}.{self.method}()"]
        return None


class _ValueMap(Transform):
    def _check(self, arg: Any) -> str | None:
        if not isinstance(arg, Mapping) or not arg:
            return "value_map needs a table of source value: core value"
        for key, value in arg.items():
            if not isinstance(key, str):
                return f"value_map keys are texts; quote {key!r} as '{key}'"
            if not (value is None or isinstance(value, str | int | float | bool)):
                return f"value_map maps {key!r} to {value!r}; values must be single texts or numbers"
        return None

    def out_kind(self, kind: str, arg: Any) -> str:
        values = set(map(type, arg.values()))
        if kind == "list":
            return "list" if values == {str} else "any"
        if kind in TEXT and values == {str}:
            return "text"
        if kind in TEXTUAL and values <= {str, type(None)}:
            return "str"
        return "any"

    def helper(self, arg: Any) -> Callable[[Any], Any]:
        table = dict(arg)

        def apply(value: Any) -> Any:
            if isinstance(value, list):
                return [table.get(item, item) for item in value]
            if isinstance(value, str):
                return table.get(value, value)
            return value

        return apply

    def inline(self, var: str, kind: str, arg: Any, names: Names) -> list[str] | None:
        if kind not in TEXTUAL:
            return None
        table = names.add(dict(arg), "map")
        return [f"{var} = {table}.get({var}, {var})"]

    def inverse(self, arg: Any) -> Callable[[Any], Any]:
        reverse: dict[Any, Any] = {}
        for source_value, core_value in arg.items():
            reverse.setdefault(core_value, source_value)  # several source values: the first goes back
        return self.helper(reverse)


def _separator(name: str, arg: Any) -> str | None:
    if not isinstance(arg, str) or not arg:
        return f"{name} needs a separator text, e.g. {{{name}: ';'}}"
    return None


class _Split(Transform):
    def _check(self, arg: Any) -> str | None:
        return _separator(self.name, arg)

    def out_kind(self, kind: str, arg: Any) -> str:
        return "list"

    def helper(self, arg: Any) -> Callable[[Any], Any]:
        return parsers.split_parser(arg)

    def inline(self, var: str, kind: str, arg: Any, names: Names) -> list[str] | None:
        return snippets.split(var, arg, names) if kind in TEXT else None

    def inverse(self, arg: Any) -> Callable[[Any], Any]:
        return parsers.join_parser(arg)


class _Join(Transform):
    def _check(self, arg: Any) -> str | None:
        return _separator(self.name, arg)

    def out_kind(self, kind: str, arg: Any) -> str:
        return kind if kind in TEXTUAL else "any"

    def helper(self, arg: Any) -> Callable[[Any], Any]:
        return parsers.join_parser(arg)

    def inline(self, var: str, kind: str, arg: Any, names: Names) -> list[str] | None:
        return [] if kind in TEXTUAL else None  # text is already joined

    def inverse(self, arg: Any) -> Callable[[Any], Any]:
        return parsers.split_parser(arg)


def _formats(arg: Any) -> tuple[str, ...]:
    if arg is MISSING or arg is None:
        return ()
    return (arg,) if isinstance(arg, str) else tuple(arg)


class _Moment(Transform):
    """date and datetime: the same parser (ISO 8601, then the strptime formats given), producing a
    date and time that the core field then keeps whole or cuts to its date. Both names exist because
    mappings read better with the one that says what the source holds."""

    inline_raises = True

    def _check(self, arg: Any) -> str | None:
        formats = [arg] if isinstance(arg, str) else arg
        if not isinstance(formats, list) or not all(isinstance(f, str) and "%" in f for f in formats):
            return f"{self.name} takes a strptime format or a list of them, e.g. {{{self.name}: '%d/%m/%Y'}}"
        return None

    def out_kind(self, kind: str, arg: Any) -> str:
        return "datetime"

    def helper(self, arg: Any) -> Callable[[Any], Any]:
        return parsers.datetime_parser(_formats(arg), "a date" if self.name == "date" else "a date and time")

    def inline(self, var: str, kind: str, arg: Any, names: Names) -> list[str] | None:
        return snippets.moment(var, names, self.helper(arg)) if kind in TEXT else None

    def inverse(self, arg: Any) -> Callable[[Any], Any]:
        formats = _formats(arg)

        def write(value: Any) -> Any:
            if isinstance(value, date):
                return value.strftime(formats[0]) if formats else value.isoformat()
            return value

        return write


class _Parse(Transform):
    """int, decimal, country, email: one parser, no argument."""

    inline_raises = True

    def __init__(self, name: str, accepts: frozenset[str], parse: Callable[[Any], Any]) -> None:
        super().__init__(name, accepts, "none")
        self.parse = parse

    def out_kind(self, kind: str, arg: Any) -> str:
        return self.name

    def helper(self, arg: Any) -> Callable[[Any], Any]:
        return self.parse

    def inline(self, var: str, kind: str, arg: Any, names: Names) -> list[str] | None:
        return snippet(self.name, var, kind, names)


def snippet(kind_wanted: str, var: str, kind: str, names: Names) -> list[str] | None:
    """Inline parsing of a text ``var`` into ``kind_wanted`` (email, country, int, decimal), if any."""
    if kind not in TEXT:
        return None
    if kind_wanted == "email":
        return snippets.email(var, kind == "stripped", names)
    if kind_wanted == "country":
        return snippets.country(var, names)
    if kind_wanted == "int":
        return snippets.whole_number(var, names)
    if kind_wanted == "decimal":
        return snippets.decimal(var, names)
    return None


class _Default(Transform):
    def out_kind(self, kind: str, arg: Any) -> str:
        given = kind_of(arg)
        if kind in TEXT and given == "text":
            return "text"
        return kind if given == kind or (kind == "str" and given == "text") else "any"

    def helper(self, arg: Any) -> Callable[[Any], Any]:
        def apply(value: Any) -> Any:
            blank = value is None or value == [] or (isinstance(value, str) and not value.strip())
            return arg if blank else value

        return apply

    def inline(self, var: str, kind: str, arg: Any, names: Names) -> list[str] | None:
        if kind not in TEXT or not isinstance(arg, str):
            return None
        blank = f"not {var}" if kind == "stripped" else f"not {var}.strip()"
        return [f"if {blank}:", f"    {var} = {names.add(arg, 'default')}"]


class _Constant(Transform):
    def out_kind(self, kind: str, arg: Any) -> str:
        return kind_of(arg)

    def helper(self, arg: Any) -> Callable[[Any], Any]:
        return lambda value: arg

    def inverse(self, arg: Any) -> Callable[[Any], Any]:
        return lambda value: arg


_NUMERIC = TEXTUAL | {"any", "int", "decimal"}
_MOMENT = TEXTUAL | {"any", "datetime"}

TRANSFORMS: dict[str, Transform] = {
    t.name: t
    for t in (
        _TextMethod("trim", "strip"),  # remove spaces around the value (or each list item)
        _TextMethod("lower", "lower"),  # lower-case
        _TextMethod("upper", "upper"),  # upper-case
        _ValueMap("value_map", TEXTUAL | {"list", "any"}, "required"),  # replace values by a table
        _Split("split", TEXTUAL | {"list", "any"}, "required"),  # text to a list at a separator
        _Join("join", TEXTUAL | {"list", "any"}, "required"),  # a list to text joined by a separator
        _Moment("date", _MOMENT, "optional"),  # parse a date: ISO 8601, or the strptime formats given
        _Moment("datetime", _MOMENT, "optional"),  # parse a date and time: ISO 8601, or the formats given
        _Parse("int", _NUMERIC, parsers.to_int),  # parse a whole number
        _Parse("decimal", _NUMERIC, parsers.to_decimal),  # parse an exact decimal number
        _Parse("country", TEXTUAL | {"any"}, to_country),  # a country name or code to ISO 3166 alpha-2
        _Parse("email", TEXTUAL | {"any"}, parsers.check_email),  # check the syntax of an email address
        _Default("default", EVERYTHING, "required"),  # a value to use when there is none so far
        _Constant("constant", EVERYTHING, "required"),  # always this value, whatever the source says
    )
}
"""Every transform by name."""
