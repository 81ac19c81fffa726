"""A SOQL subset: parsed for real, checked against the schema, compiled to Python predicates.

Supported: ``SELECT f, ... FROM Object [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...]
[LIMIT n]`` with ``= != <> < <= > >=``, ``[NOT] IN (...)``, ``LIKE``, ``AND``/``OR``/``NOT`` and
parentheses; literals are quoted strings with backslash escapes, numbers, ``true``/``false``/``null``,
dates and datetimes. As on a real org, string comparisons ignore case, ``!=`` matches nulls, AND and
OR cannot mix without parentheses, and a literal of the wrong type for its field is refused: a
sandbox that accepted ``SystemModstamp >= '2024-01-01'`` would hide the bug a real org reports.
Anything else answers ``MALFORMED_QUERY``; unknown fields ``INVALID_FIELD``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import ids
from .clock import canonical_datetime, is_date
from .errors import ApiError
from .schema import NUMBER_TYPES, OBJECTS_BY_LOWER, STRING_TYPES, Field, SObject

Row = dict[str, Any]
Predicate = Callable[[Row], bool]

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<string>'(?:[^'\\]|\\.)*')
    |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
    |(?P<date>\d{4}-\d{2}-\d{2})(?![\d:T])
    |(?P<number>[+-]?\d+(?:\.\d+)?)(?![\w.])
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op><=|>=|!=|<>|=|<|>)
    |(?P<punct>[(),])""",
    re.X | re.S,
)
_KEYWORDS = frozenset(
    "SELECT FROM WHERE AND OR NOT IN LIKE ORDER BY ASC DESC NULLS FIRST LAST LIMIT TRUE FALSE NULL".split()
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<>": operator.ne,
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
_LITERAL_KIND = {"boolean": "boolean", "date": "date", "datetime": "dateTime"}


@dataclass(frozen=True)
class Token:
    kind: str  # string, datetime, date, number, name, keyword, op, punct, eof
    text: str
    pos: int


@dataclass(frozen=True)
class OrderItem:
    field: Field
    descending: bool
    nulls_first: bool


@dataclass(frozen=True)
class Query:
    """A parsed, checked query; :meth:`run` applies it to a snapshot of rows."""

    sobject: SObject
    fields: tuple[Field, ...]
    where: Predicate | None
    order: tuple[OrderItem, ...]
    limit: int | None

    def run(self, rows: Iterable[Row]) -> list[Row]:
        out = [r for r in rows if self.where(r)] if self.where else list(rows)
        for item in reversed(self.order):  # stable sorts, last key first
            out.sort(key=_sort_key(item, out), reverse=item.descending)
        return out if self.limit is None else out[: self.limit]


def parse(text: str) -> Query:
    """Parse and check ``text``; raises :class:`ApiError` exactly as the REST API answers."""
    return _Parser(text).query()


def _folds(f: Field) -> bool:
    """Strings compare case-insensitively, except ids."""
    return f.type in STRING_TYPES and f.type not in ("id", "reference")


def _sort_key(item: OrderItem, rows: list[Row]) -> Callable[[Row], Any]:
    name = item.field.name
    if all(r.get(name) is not None for r in rows):
        # No nulls to rank: bare values sort several times faster than (rank, value) pairs, which
        # is most of a 100k-row query's time.
        return (lambda r: r[name].lower()) if _folds(item.field) else operator.itemgetter(name)
    none_rank = 0 if item.nulls_first != item.descending else 2  # reverse=True flips the ranks
    if _folds(item.field):
        return lambda r: (none_rank, "") if (x := r.get(name)) is None else (1, x.lower())
    return lambda r: (none_rank, 0) if (x := r.get(name)) is None else (1, x)


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise _malformed(text, pos, f"unexpected token: '{text[pos:pos + 20].split()[0]}'")
        kind = m.lastgroup or ""
        if kind != "ws":
            value = m.group()
            if kind == "name" and value.upper() in _KEYWORDS:
                tokens.append(Token("keyword", value.upper(), pos))
            else:
                tokens.append(Token(kind, value, pos))
        pos = m.end()
    tokens.append(Token("eof", "<EOF>", len(text)))
    return tokens


def _malformed(text: str, pos: int, message: str, code: str = "MALFORMED_QUERY") -> ApiError:
    """Salesforce echoes the query with a caret under the offending column."""
    line = text.replace("\n", " ")
    return ApiError(400, code, f"\n{line}\n{' ' * pos}^\nERROR at Row:1:Column:{pos + 1}\n{message}")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.sobject: SObject | None = None

    # -- token helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def accept(self, keyword: str) -> bool:
        if self.tok.kind == "keyword" and self.tok.text == keyword:
            self.i += 1
            return True
        return False

    def expect(self, kind: str, text: str | None = None) -> Token:
        tok = self.tok
        if tok.kind != kind or (text is not None and tok.text != text):
            raise self.unexpected()
        self.i += 1
        return tok

    def unexpected(self, tok: Token | None = None) -> ApiError:
        tok = tok or self.tok
        return _malformed(self.text, tok.pos, f"unexpected token: '{tok.text}'")

    def invalid(self, tok: Token, message: str) -> ApiError:
        return _malformed(self.text, tok.pos, message, "INVALID_FIELD")

    # -- grammar
    def query(self) -> Query:
        self.expect("keyword", "SELECT")
        names = [self.expect("name")]
        while self.tok.kind == "punct" and self.tok.text == ",":
            self.take()
            names.append(self.expect("name"))
        self.expect("keyword", "FROM")
        obj_tok = self.expect("name")
        self.sobject = OBJECTS_BY_LOWER.get(obj_tok.text.lower())
        if self.sobject is None:
            raise _malformed(
                self.text, obj_tok.pos,
                f"sObject type '{obj_tok.text}' is not supported. If you are attempting to use a custom "
                "object, be sure to append the '__c' after the entity name. Please reference your WSDL "
                "or the describe call for the appropriate names.", "INVALID_TYPE",
            )
        fields: list[Field] = []
        for tok in names:
            f = self.field(tok)
            if f in fields:
                raise _malformed(self.text, tok.pos, f"duplicate field selected: {f.name}")
            fields.append(f)
        where = self.condition() if self.accept("WHERE") else None
        order: list[OrderItem] = []
        if self.accept("ORDER"):
            self.expect("keyword", "BY")
            order.append(self.order_item())
            while self.tok.kind == "punct" and self.tok.text == ",":
                self.take()
                order.append(self.order_item())
        limit = None
        if self.accept("LIMIT"):
            tok = self.expect("number")
            if not tok.text.isdigit():
                raise self.unexpected(tok)
            limit = int(tok.text)
        if self.tok.kind != "eof":
            raise self.unexpected()
        return Query(self.sobject, tuple(fields), where, tuple(order), limit)

    def field(self, tok: Token, filtering: bool = False) -> Field:
        assert self.sobject is not None
        f = self.sobject.field(tok.text)
        if f is None:
            raise self.invalid(
                tok,
                f"No such column '{tok.text}' on entity '{self.sobject.name}'. If you are attempting to use "
                "a custom field, be sure to append the '__c' after the custom field name. Please reference "
                "your WSDL or the describe call for the appropriate names.",
            )
        if filtering and not f.filterable:
            raise self.invalid(tok, f"field '{f.name}' can not be filtered in a query call")
        return f

    def order_item(self) -> OrderItem:
        tok = self.expect("name")
        f = self.field(tok)
        if not f.filterable:
            raise self.invalid(tok, f"field '{f.name}' can not be sorted in a query call")
        descending = False
        if self.accept("DESC"):
            descending = True
        else:
            self.accept("ASC")
        nulls_first = not descending
        if self.accept("NULLS"):
            if self.accept("FIRST"):
                nulls_first = True
            else:
                self.expect("keyword", "LAST")
                nulls_first = False
        return OrderItem(f, descending, nulls_first)

    def condition(self) -> Predicate:
        """One level of AND or OR; mixing them needs parentheses, as in SOQL."""
        parts = [self.unary()]
        joiner = None
        while self.tok.kind == "keyword" and self.tok.text in ("AND", "OR"):
            if joiner is not None and self.tok.text != joiner:
                raise self.unexpected()
            joiner = self.take().text
            parts.append(self.unary())
        if len(parts) == 1:
            return parts[0]
        if joiner == "AND":
            return lambda r: all(p(r) for p in parts)
        return lambda r: any(p(r) for p in parts)

    def unary(self) -> Predicate:
        if self.accept("NOT"):
            inner = self.unary()
            return lambda r: not inner(r)
        if self.tok.kind == "punct" and self.tok.text == "(":
            self.take()
            inner = self.condition()
            self.expect("punct", ")")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        tok = self.expect("name")
        f = self.field(tok, filtering=True)
        negate = self.accept("NOT")
        if negate or (self.tok.kind == "keyword" and self.tok.text == "IN"):
            self.expect("keyword", "IN")
            self.expect("punct", "(")
            values = [self.value(f)]
            while self.tok.kind == "punct" and self.tok.text == ",":
                self.take()
                values.append(self.value(f))
            self.expect("punct", ")")
            return _membership(f, values, negate)
        if self.accept("LIKE"):
            lit = self.expect("string")
            if f.type not in STRING_TYPES:
                raise self.invalid(tok, f"invalid operator on field '{f.name}': LIKE needs a text field")
            return _like(f, self.string(lit, like=True))
        op = self.expect("op").text
        value = self.value(f)
        if value is None and op not in ("=", "!=", "<>"):
            raise self.unexpected(self.tokens[self.i - 1])
        return _compare(f, op, value)

    def value(self, f: Field) -> Any:
        """A literal, typed for ``f``; a literal of another type is an INVALID_FIELD error."""
        tok = self.take()
        if tok.kind == "keyword" and tok.text == "NULL":
            return None
        if f.type in STRING_TYPES:
            if tok.kind != "string":
                raise self._wrong_type(tok, f, "string and should be enclosed in quotes")
            text = self.string(tok, like=False)
            if f.type in ("id", "reference"):
                full = ids.normalize(text)
                if full is None:
                    raise _malformed(self.text, tok.pos, f"invalid ID field: {text}",
                                     "INVALID_QUERY_FILTER_OPERATOR")
                return full
            return text
        if f.type == "boolean":
            if tok.kind != "keyword" or tok.text not in ("TRUE", "FALSE"):
                raise self._wrong_type(tok, f, "boolean and should not be enclosed in quotes")
            return tok.text == "TRUE"
        if f.type in NUMBER_TYPES:
            if tok.kind != "number":
                raise self._wrong_type(tok, f, "double and should not be enclosed in quotes")
            return float(tok.text) if "." in tok.text else int(tok.text)
        if f.type == "date":
            if tok.kind != "date" or not is_date(tok.text):
                raise self._wrong_type(tok, f, "date and should not be enclosed in quotes")
            return tok.text
        stamp = canonical_datetime(tok.text) if tok.kind == "datetime" else None
        if stamp is None:
            raise self._wrong_type(tok, f, "dateTime and should not be enclosed in quotes")
        return stamp

    def _wrong_type(self, tok: Token, f: Field, expectation: str) -> ApiError:
        if tok.kind in ("eof", "punct", "op") or (tok.kind == "keyword" and tok.text != "TRUE"
                                                  and tok.text != "FALSE"):
            return self.unexpected(tok)
        return self.invalid(
            tok, f"value of filter criterion for field '{f.name}' must be of type {expectation}"
        )

    def string(self, tok: Token, like: bool) -> str:
        """Decode a quoted literal; with ``like`` the result is a regex (``%``/``_`` wildcards)."""
        raw = tok.text[1:-1]
        out: list[str] = []
        i = 0
        while i < len(raw):
            ch = raw[i]
            if ch != "\\":
                if like:
                    out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
                else:
                    out.append(ch)
                i += 1
                continue
            nxt = raw[i + 1]
            if nxt.lower() in _ESCAPES:
                lit = _ESCAPES[nxt.lower()]
            elif nxt in "%_":
                lit = nxt
            elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", raw[i + 2:i + 6]):
                lit = chr(int(raw[i + 2:i + 6], 16))
                i += 4
            else:
                raise _malformed(
                    self.text, tok.pos,
                    f"Invalid string literal '{raw}'. "
                    f"Illegal character sequence '\\{nxt}' in string literal.",
                )
            out.append(re.escape(lit) if like else lit)
            i += 2
        return "".join(out)


def _compare(f: Field, op: str, value: Any) -> Predicate:
    name = f.name
    if value is None:
        if op == "=":
            return lambda r: r.get(name) is None
        return lambda r: r.get(name) is not None
    fn = _OPS[op]
    if _folds(f):
        value = value.lower()
        if fn is operator.ne:
            return lambda r: (x := r.get(name)) is None or x.lower() != value
        return lambda r: (x := r.get(name)) is not None and fn(x.lower(), value)
    if fn is operator.ne:
        return lambda r: r.get(name) != value
    return lambda r: (x := r.get(name)) is not None and fn(x, value)


def _membership(f: Field, values: list[Any], negate: bool) -> Predicate:
    name = f.name
    if _folds(f):
        wanted = {v.lower() if v is not None else None for v in values}
        if negate:
            return lambda r: ((x := r.get(name)) and x.lower()) not in wanted
        return lambda r: ((x := r.get(name)) and x.lower()) in wanted
    members = set(values)
    if negate:
        return lambda r: r.get(name) not in members
    return lambda r: r.get(name) in members


def _like(f: Field, pattern: str) -> Predicate:
    name = f.name
    match = re.compile(pattern, re.I | re.S).fullmatch
    return lambda r: (x := r.get(name)) is not None and match(x) is not None
