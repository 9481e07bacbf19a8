"""A small OData-style filter language: `field op value`, joined by `and` / `or`, with parentheses.

`parse_filter` turns text into a tree; each service says which fields it can filter on and how
(`FieldFilters`), and `compile_filter` turns the tree into one SQL condition. Every error names
the position in the text where parsing stopped.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from phonebank.errors import Invalid
from phonebank.kit.times import as_utc

OPERATORS = ("eq", "gt", "ge", "lt", "le")
# Parentheses nest at most this deep: the parser recurses once per level.
MAX_DEPTH = 32
_TOKEN = re.compile(
    r"\s*(?:(?P<open>\()|(?P<close>\))|'(?P<string>(?:[^']|'')*)'|\"(?P<dstring>[^\"]*)\""
    r"|(?P<word>[^\s()']+))"
)


@dataclass(frozen=True)
class Comparison:
    """`field op value`; `position` is where it starts in the filter text."""

    field: str
    op: str
    value: str
    position: int


@dataclass(frozen=True)
class Junction:
    """Parts joined by `and` or `or`."""

    op: str
    parts: tuple["FilterExpr", ...]


FilterExpr = Comparison | Junction
# How one field turns (operator, value) into a condition; raise ValueError for a bad value.
FieldFilter = Callable[[str, str], ColumnElement[bool]]
FieldFilters = Mapping[str, FieldFilter]


@dataclass
class _Token:
    kind: str
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            start = len(text) - len(text[position:].lstrip())
            raise Invalid(f"cannot read the filter at position {start}", field="filter")
        kind = match.lastgroup or "word"
        value = match.group(kind)
        if kind == "string":
            value = value.replace("''", "'")
        if kind == "dstring":
            kind = "string"
        start = match.start(match.lastindex or 0)
        tokens.append(_Token(kind, value, start))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0

    def _peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _fail(self, expected: str) -> Invalid:
        token = self._peek()
        where = f"position {token.position} ({token.text!r})" if token else "the end"
        return Invalid(f"invalid filter: expected {expected} at {where}", field="filter")

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token.kind == "word" and token.text.lower() == word:
            self.index += 1
            return True
        return False

    def parse(self) -> FilterExpr:
        expression = self._or()
        if self._peek() is not None:
            raise self._fail("`and`, `or` or the end")
        return expression

    def _or(self) -> FilterExpr:
        parts = [self._and()]
        while self._keyword("or"):
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else Junction("or", tuple(parts))

    def _and(self) -> FilterExpr:
        parts = [self._term()]
        while self._keyword("and"):
            parts.append(self._term())
        return parts[0] if len(parts) == 1 else Junction("and", tuple(parts))

    def _term(self) -> FilterExpr:
        token = self._peek()
        if token is not None and token.kind == "open":
            if self.depth >= MAX_DEPTH:
                raise Invalid(
                    f"invalid filter: parentheses nest deeper than {MAX_DEPTH} at position"
                    f" {token.position}",
                    field="filter",
                )
            self.index += 1
            self.depth += 1
            inner = self._or()
            self.depth -= 1
            closing = self._peek()
            if closing is None or closing.kind != "close":
                raise self._fail("`)`")
            self.index += 1
            return inner
        if token is None or token.kind != "word":
            raise self._fail("a field name")
        self.index += 1
        operator = self._peek()
        if operator is None or operator.kind != "word" or operator.text.lower() not in OPERATORS:
            raise self._fail(f"an operator ({', '.join(OPERATORS)})")
        self.index += 1
        value = self._peek()
        if value is None or value.kind not in {"word", "string"}:
            raise self._fail("a value")
        self.index += 1
        return Comparison(token.text, operator.text.lower(), value.text, token.position)


def parse_filter(text: str) -> FilterExpr:
    """The tree of a filter such as `modified_date gt '2024-01-01' and email_address eq 'a@b'`."""
    if not text.strip():
        raise Invalid("the filter is empty", field="filter")
    return _Parser(text).parse()


def rename_fields(expression: FilterExpr, names: Mapping[str, str]) -> FilterExpr:
    """The same tree with field names translated (a face's names to a service's)."""
    if isinstance(expression, Junction):
        return Junction(
            expression.op, tuple(rename_fields(part, names) for part in expression.parts)
        )
    return Comparison(
        names.get(expression.field, expression.field),
        expression.op,
        expression.value,
        expression.position,
    )


def compile_filter(expression: FilterExpr, fields: FieldFilters) -> ColumnElement[bool]:
    """One SQL condition for the tree; an unknown field or bad value is Invalid naming `filter`."""
    if isinstance(expression, Junction):
        parts = [compile_filter(part, fields) for part in expression.parts]
        return and_(*parts) if expression.op == "and" else or_(*parts)
    build = fields.get(expression.field)
    where = f"at position {expression.position}"
    if build is None:
        known = ", ".join(sorted(fields)) or "none"
        raise Invalid(
            f"cannot filter on {expression.field!r} {where} (fields: {known})", field="filter"
        )
    try:
        return build(expression.op, expression.value)
    except ValueError as error:
        raise Invalid(f"invalid filter {where}: {error}", field="filter") from None


def parse_time(value: str) -> datetime:
    """A date or date-time; naive values are taken as UTC."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a date or date-time") from None
    return as_utc(moment)


def time_filter(column: InstrumentedAttribute[datetime]) -> FieldFilter:
    """Comparisons of a timestamp column with every operator."""

    def build(op: str, value: str) -> ColumnElement[bool]:
        moment = parse_time(value)
        comparisons: dict[str, Callable[[], ColumnElement[bool]]] = {
            "eq": lambda: column == moment,
            "gt": lambda: column > moment,
            "ge": lambda: column >= moment,
            "lt": lambda: column < moment,
            "le": lambda: column <= moment,
        }
        return comparisons[op]()

    return build


def equality_filter(condition: Callable[[str], ColumnElement[bool]]) -> FieldFilter:
    """A field that can only be compared with `eq`."""

    def build(op: str, value: str) -> ColumnElement[bool]:
        if op != "eq":
            raise ValueError("this field can only be compared with `eq`")
        return condition(value)

    return build


def timestamp_filters(model: Any) -> dict[str, FieldFilter]:
    """`created_at` and `modified_at` of a model with timestamps."""
    return {
        "created_at": time_filter(model.created_at),
        "modified_at": time_filter(model.modified_at),
    }
