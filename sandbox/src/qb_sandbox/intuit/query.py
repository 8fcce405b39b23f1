"""The QBO query language: parse a ``SELECT`` and apply it to rendered entities.

Supported, per docs/quickbooks-online.md §2.6: ``SELECT * | count(*) FROM Entity [WHERE cond [AND cond]...]
[ORDERBY field [ASC|DESC], ...] [STARTPOSITION n] [MAXRESULTS n]`` with the operators ``=, <, >, <=,
>=, LIKE`` (``%`` wildcards only) and ``IN (...)``; no ``OR``, joins or projections. Strings are in single
quotes with backslash escapes (``\\'``). ``MAXRESULTS`` defaults to 100 and may not exceed 1000.

String comparisons ignore case, as QBO names are unique regardless of case. A reference field
(``CustomerRef``) compares by its ``value``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from . import faults

DEFAULT_MAX_RESULTS = 100
MAX_MAX_RESULTS = 1000

QueryValue = str | Decimal | bool

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:\\.|[^'\\])*')
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|<>|=|<|>)
      | (?P<punct>[(),*])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)
_OPERATORS = frozenset({"=", "<", ">", "<=", ">=", "LIKE", "IN"})


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: str  # one of _OPERATORS
    values: tuple[QueryValue, ...]


@dataclass(frozen=True, slots=True)
class SelectQuery:
    entity: str
    count_only: bool
    conditions: tuple[Condition, ...]
    order_by: tuple[tuple[str, bool], ...]  # (field, descending)
    start_position: int
    max_results: int


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None or match.end() == position:
            raise faults.query_parse_error(
                f'Encountered "{stripped[position : position + 10].strip()}" at line 1, column {position + 1}.'
            )
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    return tokens


def _unquote(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise faults.query_parse_error("Encountered <EOF>; the query is incomplete.")
        self.index += 1
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.upper() in words

    def at_punct(self, punct: str) -> bool:
        token = self.peek()
        return token is not None and token.text == punct

    def expect_word(self, word: str) -> None:
        token = self.take()
        if token.kind != "word" or token.text.upper() != word:
            raise faults.query_parse_error(f'Encountered "{token.text}"; was expecting {word}.')

    def expect_punct(self, punct: str) -> None:
        token = self.take()
        if token.text != punct:
            raise faults.query_parse_error(f'Encountered "{token.text}"; was expecting "{punct}".')

    def field_name(self) -> str:
        token = self.take()
        if token.kind != "word":
            raise faults.query_parse_error(f'Encountered "{token.text}"; was expecting a property name.')
        return token.text

    def integer(self, clause: str) -> int:
        token = self.take()
        if token.kind != "number" or not token.text.isdigit():
            raise faults.query_parse_error(f'Encountered "{token.text}"; {clause} needs a whole number.')
        return int(token.text)

    def value(self) -> QueryValue:
        token = self.take()
        if token.kind == "string":
            return _unquote(token.text)
        if token.kind == "number":
            return Decimal(token.text)
        if token.kind == "word" and token.text.lower() in ("true", "false"):
            return token.text.lower() == "true"
        raise faults.query_parse_error(f'Encountered "{token.text}"; was expecting a value.')

    def condition(self) -> Condition:
        name = self.field_name()
        token = self.take()
        op = token.text.upper()
        if op not in _OPERATORS:
            raise faults.query_parse_error(f'Encountered "{token.text}"; was expecting an operator.')
        if op == "IN":
            self.expect_punct("(")
            values = [self.value()]
            while self.at_punct(","):
                self.take()
                values.append(self.value())
            self.expect_punct(")")
            return Condition(name, op, tuple(values))
        return Condition(name, op, (self.value(),))

    def parse(self) -> SelectQuery:
        self.expect_word("SELECT")
        count_only = False
        if self.at_word("COUNT"):
            self.take()
            self.expect_punct("(")
            self.expect_punct("*")
            self.expect_punct(")")
            count_only = True
        else:
            token = self.take()
            if token.text != "*":
                raise faults.query_parse_error(
                    f'Encountered "{token.text}"; only SELECT * and SELECT COUNT(*) are supported.'
                )
        self.expect_word("FROM")
        entity = self.field_name()
        conditions: list[Condition] = []
        if self.at_word("WHERE"):
            self.take()
            conditions.append(self.condition())
            while self.at_word("AND"):
                self.take()
                conditions.append(self.condition())
            if self.at_word("OR"):
                raise faults.query_parse_error('Encountered "OR"; OR is not supported.')
        order_by: list[tuple[str, bool]] = []
        start, maximum = 1, DEFAULT_MAX_RESULTS
        while self.peek() is not None:
            if self.at_word("ORDERBY", "ORDER"):
                if self.take().text.upper() == "ORDER":
                    self.expect_word("BY")
                order_by.append(self._order_item())
                while self.at_punct(","):
                    self.take()
                    order_by.append(self._order_item())
            elif self.at_word("STARTPOSITION"):
                self.take()
                start = self.integer("STARTPOSITION")
            elif self.at_word("MAXRESULTS"):
                self.take()
                maximum = self.integer("MAXRESULTS")
            else:
                token = self.take()
                raise faults.query_parse_error(f'Encountered "{token.text}" after the query.')
        if maximum > MAX_MAX_RESULTS:
            raise faults.query_validation_error(
                f"value {maximum} is too large. Max allowed value is {MAX_MAX_RESULTS}"
            )
        return SelectQuery(entity, count_only, tuple(conditions), tuple(order_by), max(start, 1), maximum)

    def _order_item(self) -> tuple[str, bool]:
        name = self.field_name()
        descending = False
        if self.at_word("ASC", "DESC"):
            descending = self.take().text.upper() == "DESC"
        return name, descending


def parse_query(text: str) -> SelectQuery:
    """Parse a QBO query; raises a 4000/4001 ``QboFault`` as Intuit does for bad queries."""
    return _Parser(text).parse()


# -- evaluation -----------------------------------------------------------------------------------------


def field_value(entity: dict[str, Any], dotted: str) -> Any:
    current: Any = entity
    for part in dotted.split("."):
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    if isinstance(current, dict) and "value" in current:  # a reference compares by id
        return current["value"]
    return current


def _as_datetime(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _comparable(actual: Any, wanted: QueryValue) -> tuple[Any, Any] | None:
    """Bring a stored value and a literal to one comparable type, or None if they cannot be compared."""
    if isinstance(actual, bool) or isinstance(wanted, bool):

        def to_bool(v: Any) -> bool | None:
            if isinstance(v, bool):
                return v
            return {"true": True, "false": False}.get(str(v).lower())

        a, w = to_bool(actual), to_bool(wanted)
        return None if a is None or w is None else (a, w)
    if isinstance(actual, (int, float, Decimal)) or isinstance(wanted, Decimal):
        try:
            return Decimal(str(actual)), Decimal(str(wanted))
        except InvalidOperation:
            return None
    actual_text, wanted_text = str(actual), str(wanted)
    actual_time, wanted_time = _as_datetime(actual_text), _as_datetime(wanted_text)
    if (
        actual_time is not None
        and wanted_time is not None
        and "-" in wanted_text  # a date literal, not a bare number-like string
        and (actual_time.tzinfo is None) == (wanted_time.tzinfo is None)
    ):
        return actual_time, wanted_time
    return actual_text.casefold(), wanted_text.casefold()


def _like(actual: Any, pattern: QueryValue) -> bool:
    regex = ".*".join(re.escape(part) for part in str(pattern).split("%"))
    return re.fullmatch(regex, str(actual), flags=re.IGNORECASE | re.DOTALL) is not None


def matches(entity: dict[str, Any], condition: Condition) -> bool:
    actual = field_value(entity, condition.field)
    if actual is None:  # QBO returns only entities that have a value for the filtered property
        return False
    if condition.op == "LIKE":
        return _like(actual, condition.values[0])
    compare: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, w: a == w,
        "IN": lambda a, w: a == w,
        "<": lambda a, w: a < w,
        ">": lambda a, w: a > w,
        "<=": lambda a, w: a <= w,
        ">=": lambda a, w: a >= w,
    }
    test = compare[condition.op]
    for wanted in condition.values:
        pair = _comparable(actual, wanted)
        if pair is not None and test(*pair):
            return True
    return False


def _sort_key(entity: dict[str, Any], dotted: str) -> tuple[int, Any]:
    value = field_value(entity, dotted)
    if value is None:
        return (2, "")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (0, Decimal(str(value)))
    text = str(value)
    if dotted == "Id" and text.isdigit():
        return (0, Decimal(text))
    return (1, text.casefold())


def _sort_key_on(dotted: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    return lambda entity: _sort_key(entity, dotted)


def apply_query(query: SelectQuery, entities: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Filter, order and page; returns (the page, the number of matches before paging)."""
    selected = [e for e in entities if all(matches(e, c) for c in query.conditions)]
    selected.sort(key=_sort_key_on("Id"))
    for name, descending in reversed(query.order_by):
        selected.sort(key=_sort_key_on(name), reverse=descending)
    start = query.start_position - 1
    return selected[start : start + query.max_results], len(selected)
