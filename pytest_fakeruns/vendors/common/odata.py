"""A small subset of OData v3 ``$filter`` and ``$orderby``, parsed by recursive descent.

The grammar (anything else is refused with an :class:`ODataError` naming the part that could
not be read, never guessed at)::

    filter     := or_expr END
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" unary_tail | "(" or_expr ")" | comparison
    unary_tail := "not" unary_tail | "(" or_expr ")"      # as in OData, `not` takes a boolean
    comparison := operand OP literal
    operand    := PROPERTY | ("year" | "month" | "day") "(" PROPERTY ")"
    OP         := eq | ne | gt | ge | lt | le
    literal    := 'text' | integer | true | false | datetime'YYYY-MM-DDTHH:MM[:SS[.fffffff]]'

    orderby    := PROPERTY ("asc" | "desc")? ("," PROPERTY ("asc" | "desc")?)*

A filter compiles to a closure over the items (no ``eval``); properties are read through the
getters the caller declares with their EDM types.
"""

from __future__ import annotations

import datetime as _dt
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

STRING = "Edm.String"
GUID = "Edm.Guid"
INT = "Edm.Int32"
DATETIME = "Edm.DateTime"
BOOL = "Edm.Boolean"

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
DATE_FUNCTIONS = ("year", "month", "day")
_ARITHMETIC = ("add", "sub", "mul", "div", "mod", "has")
_KEYWORDS = frozenset({"and", "or", "not", *OPERATORS, *_ARITHMETIC})
_MAX_DEPTH = 64
_OPS_TEXT = "eq, ne, gt, ge, lt or le"
_LITERALS_TEXT = "'text', an integer, true, false or datetime'YYYY-MM-DDTHH:MM:SS'"

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?Z?\Z")
_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<typed>(?!(?:eq|ne|gt|ge|lt|le|and|or|not|add|sub|mul|div|mod|has)')
                [A-Za-z][A-Za-z0-9]*'(?:[^']|'')*')
    | (?P<string>'(?:[^']|'')*')
    | (?P<number>-?[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?[LlMmDdFf]?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>[(),])
    """,
    re.VERBOSE,
)


class ODataError(ValueError):
    """An expression outside the subset; ``detail`` says which part and why."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Field:
    """A property that expressions may name: its EDM type and how to read it from an item."""

    type: str
    get: Callable[[Any], Any]


@dataclass(frozen=True)
class Token:
    kind: str  # name, string, number, typed, punct, end
    text: str
    pos: int

    @property
    def end(self) -> int:
        return self.pos + len(self.text)


_SHOWN_TOKEN = 80  # a longer token is cut in the message


def _fail(param: str, tok: Token, why: str) -> ODataError:
    if tok.kind == "end":
        return ODataError(f"Could not read the end of {param} at position {tok.pos}: {why}.")
    text = tok.text if len(tok.text) <= _SHOWN_TOKEN else tok.text[:_SHOWN_TOKEN] + "..."
    return ODataError(f"Could not read {text!r} at position {tok.pos} of {param}: {why}.")


def tokenize(text: str, param: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            if text[pos] == "'":
                raise _fail(
                    param,
                    Token("string", text[pos:], pos),
                    "the text literal is not closed with a quote",
                )
            raise _fail(
                param,
                Token("char", text[pos], pos),
                "this character is not part of the supported syntax",
            )
        kind = m.lastgroup
        assert kind is not None
        if kind != "ws":
            tokens.append(Token(kind, m.group(), pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _unquote(quoted: str) -> str:
    return quoted[1:-1].replace("''", "'")


def _parse_datetime(body: str) -> _dt.datetime | None:
    m = _DATETIME.match(body)
    if m is None:
        return None
    year, month, day, hour, minute = (int(g) for g in m.groups()[:5])
    second = int(m.group(6) or 0)
    micro = int((m.group(7) or "0").ljust(7, "0")[:6])
    try:
        return _dt.datetime(year, month, day, hour, minute, second, micro, _dt.timezone.utc)
    except ValueError:
        return None


class _FilterParser:
    def __init__(self, text: str, fields: Mapping[str, Field], entity: str, param: str) -> None:
        self.tokens = tokenize(text, param)
        self.i = 0
        self.fields = fields
        self.entity = entity
        self.param = param
        self.depth = 0

    # -- token helpers ---------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        tok = self.peek()
        self.i += 1
        return tok

    def is_word(self, tok: Token, word: str) -> bool:
        return tok.kind == "name" and tok.text == word

    def fail(self, tok: Token, why: str) -> ODataError:
        return _fail(self.param, tok, why)

    # -- grammar ---------------------------------------------------------------------------

    def parse(self) -> Callable[[Any], bool]:
        if self.peek().kind == "end":
            raise self.fail(self.peek(), "the expression is empty")
        test = self.or_expr()
        tok = self.peek()
        if tok.kind != "end":
            if tok.text == ")":
                raise self.fail(tok, "this ')' has no matching '('")
            raise self.fail(tok, "expected 'and', 'or' or the end of the expression")
        return test

    def or_expr(self) -> Callable[[Any], bool]:
        parts = [self.and_expr()]
        while self.is_word(self.peek(), "or"):
            self.take()
            parts.append(self.and_expr())
        if len(parts) == 1:
            return parts[0]
        return lambda item: any(p(item) for p in parts)

    def and_expr(self) -> Callable[[Any], bool]:
        parts = [self.unary()]
        while self.is_word(self.peek(), "and"):
            self.take()
            parts.append(self.unary())
        if len(parts) == 1:
            return parts[0]
        return lambda item: all(p(item) for p in parts)

    def unary(self, after_not: bool = False) -> Callable[[Any], bool]:
        tok = self.peek()
        if self.is_word(tok, "not"):
            self.take()
            inner = self.nested(tok, lambda: self.unary(after_not=True))
            return lambda item: not inner(item)
        if tok.text == "(" and tok.kind == "punct":
            self.take()
            inner = self.nested(tok, self.or_expr)
            close = self.peek()
            if close.text != ")":
                raise self.fail(close, f"expected ')' to close the '(' at position {tok.pos}")
            self.take()
            return inner
        if after_not:
            raise self.fail(
                tok, "'not' applies to a condition in parentheses, as in not (Status eq 'Passed')"
            )
        return self.comparison()

    def nested(
        self, opener: Token, parse: Callable[[], Callable[[Any], bool]]
    ) -> Callable[[Any], bool]:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.fail(opener, f"nesting deeper than {_MAX_DEPTH} levels is not supported")
        try:
            return parse()
        finally:
            self.depth -= 1

    def comparison(self) -> Callable[[Any], bool]:
        label, kind, get = self.operand()
        tok = self.take()
        if tok.kind != "name" or tok.text not in OPERATORS:
            if tok.kind == "name" and tok.text in _ARITHMETIC:
                why = f"'{tok.text}' is not supported; compare with {_OPS_TEXT}"
            else:
                why = f"expected a comparison operator after {label}: {_OPS_TEXT}"
            raise self.fail(tok, why)
        op = OPERATORS[tok.text]
        value = self.literal(label, kind, tok.text)

        def test(item: Any) -> bool:
            got = get(item)
            if got is None:
                return op is operator.ne
            return op(got, value)

        return test

    def operand(self) -> tuple[str, str, Callable[[Any], Any]]:
        tok = self.take()
        if tok.kind != "name" or tok.text in _KEYWORDS or tok.text in ("true", "false", "null"):
            raise self.fail(
                tok,
                "expected a property, or year(), month() or day() of one, "
                "on the left of a comparison",
            )
        nxt = self.peek()
        if nxt.text == "(" and nxt.kind == "punct" and nxt.pos == tok.end:
            return self.function(tok)
        if tok.text in DATE_FUNCTIONS and nxt.text == "(" and tok.text not in self.fields:
            raise self.fail(tok, f"write {tok.text}( without a space before the '('")
        field = self.field(tok)
        return tok.text, field.type, field.get

    def field(self, tok: Token) -> Field:
        field = self.fields.get(tok.text)
        if field is None:
            names = ", ".join(sorted(self.fields))
            raise self.fail(
                tok, f"{self.entity} has no property named '{tok.text}'; use one of {names}"
            )
        return field

    def function(self, name: Token) -> tuple[str, str, Callable[[Any], Any]]:
        if name.text not in DATE_FUNCTIONS:
            raise self.fail(
                name, f"the function '{name.text}' is not supported; use year(), month() or day()"
            )
        self.take()  # "("
        arg = self.take()
        dates = sorted(n for n, f in self.fields.items() if f.type == DATETIME)
        if arg.kind != "name" or arg.text not in self.fields:
            if arg.kind == "name" and arg.text not in _KEYWORDS:
                self.field(arg)  # raises: unknown property
            raise self.fail(arg, f"{name.text}() takes a date property: {', '.join(dates)}")
        field = self.fields[arg.text]
        if field.type != DATETIME:
            raise self.fail(
                arg,
                f"{name.text}() takes a date property ({', '.join(dates)}); "
                f"{arg.text} is {field.type}",
            )
        close = self.take()
        if close.text != ")":
            raise self.fail(close, f"expected ')' to close {name.text}(")
        attr = name.text
        get = field.get

        def part(item: Any) -> Any:
            moment = get(item)
            return None if moment is None else getattr(moment, attr)

        return f"{attr}({arg.text})", INT, part

    def literal(self, label: str, kind: str, op: str) -> Any:
        tok = self.take()
        lit_kind, value = self.literal_value(tok, op)
        if lit_kind == STRING and kind == GUID:
            text = str(value)
            if not _GUID.match(text):
                raise self.fail(tok, f"{label} is {GUID} and {text!r} is not a GUID")
            return text.lower()
        if lit_kind != kind:
            raise self.fail(
                tok,
                f"{label} is {kind} and cannot be compared with the {lit_kind} value {tok.text}",
            )
        return value

    def literal_value(self, tok: Token, op: str) -> tuple[str, Any]:
        if tok.kind == "string":
            return STRING, _unquote(tok.text)
        if tok.kind == "number":
            if not re.fullmatch(r"-?[0-9]+", tok.text):
                raise self.fail(tok, "only integer numbers are supported")
            try:
                return INT, int(tok.text)
            except ValueError:  # more digits than int() takes
                raise self.fail(tok, "the number is too long") from None
        if tok.kind == "typed":
            prefix, _, rest = tok.text.partition("'")
            if prefix != "datetime":
                raise self.fail(
                    tok, f"the literal type '{prefix}' is not supported; use {_LITERALS_TEXT}"
                )
            moment = _parse_datetime(_unquote("'" + rest))
            if moment is None:
                raise self.fail(tok, "not a valid date and time; use datetime'YYYY-MM-DDTHH:MM:SS'")
            return DATETIME, moment
        if tok.kind == "name" and tok.text in ("true", "false"):
            return BOOL, tok.text == "true"
        if tok.kind == "name" and tok.text == "null":
            raise self.fail(tok, "null is not supported")
        if tok.kind == "name" and tok.text in self.fields:
            raise self.fail(
                tok,
                "a property can only be compared with a literal value, not with another property",
            )
        raise self.fail(tok, f"expected a value after '{op}': {_LITERALS_TEXT}")


def parse_filter(
    text: str, fields: Mapping[str, Field], entity: str, param: str = "$filter"
) -> Callable[[Any], bool]:
    """A predicate for ``text``; :class:`ODataError` when it is outside the subset."""
    return _FilterParser(text, fields, entity, param).parse()


def parse_orderby(
    text: str,
    sortable: Sequence[str],
    known: Sequence[str],
    entity: str,
    param: str = "$orderby",
) -> list[tuple[str, bool]]:
    """``[(property, descending), ...]``; properties from ``sortable`` (``known`` names the
    properties that exist but cannot be sorted on, for a clearer message)."""
    tokens = tokenize(text, param)
    if tokens[0].kind == "end":
        raise _fail(param, tokens[0], "the expression is empty")
    out: list[tuple[str, bool]] = []
    i = 0
    while True:
        tok = tokens[i]
        if tok.kind != "name" or tok.text in ("asc", "desc"):
            raise _fail(param, tok, f"expected a property: {', '.join(sortable)}")
        if tokens[i + 1].text == "(" and tokens[i + 1].pos == tok.end:
            raise _fail(param, tok, "functions are not supported in $orderby")
        if tok.text not in sortable:
            if tok.text in known:
                why = f"{tok.text} cannot be sorted on; use {', '.join(sortable)}"
            else:
                why = f"{entity} has no property named '{tok.text}'; use {', '.join(sortable)}"
            raise _fail(param, tok, why)
        if any(name == tok.text for name, _ in out):
            raise _fail(param, tok, f"{tok.text} appears twice")
        i += 1
        descending = False
        if tokens[i].kind == "name" and tokens[i].text in ("asc", "desc"):
            descending = tokens[i].text == "desc"
            i += 1
        out.append((tok.text, descending))
        sep = tokens[i]
        if sep.kind == "end":
            return out
        if sep.text != ",":
            raise _fail(param, sep, "expected asc, desc, ',' or the end of the expression")
        i += 1
