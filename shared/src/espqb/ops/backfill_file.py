"""Reading a backfill file: one past order per line (JSON lines), checked line by line.

A line is either a whole send request (``{"order": {...}, "choices": {...}}``, the body of
``POST /v1/orders/{n}/send``) or a bare order snapshot, which is then sent with the default choices
(the company's settings decide, as when a user presses "QB" without touching the dialog).

Pure: no I/O besides iterating the lines given. A line that cannot be read is not an error of the
whole file: it becomes an entry with its problems, each naming the field (rooted at the send
request, like the plan's problems: ``order.lines[0].quantity``), so one report lists them all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from espqb.orders.request import SendRequest
from espqb.orders.snapshot import OrderSnapshot
from espqb.plan.errors import Problem

__all__ = ["BackfillLine", "field_path", "parse_backfill_lines", "read_backfill_file"]


@dataclass(frozen=True, slots=True)
class BackfillLine:
    """One non-blank line of the file: its request, or why it has none."""

    number: int  # 1-based line number in the file
    order_number: str | None  # as far as it could be read, for the report
    request: SendRequest | None
    problems: tuple[Problem, ...] = ()


def field_path(loc: Iterable[Any]) -> str:
    """pydantic's error location as a path: ("order", "lines", 0, "quantity") → order.lines[0].quantity."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "line"


def _problems(error: ValidationError, prefix: tuple[str, ...]) -> tuple[Problem, ...]:
    return tuple(
        Problem(field_path((*prefix, *e["loc"])), str(e["msg"]).removeprefix("Value error, "))
        for e in error.errors()
    )


def _order_number(data: dict[str, Any]) -> str | None:
    order = data.get("order") if isinstance(data.get("order"), dict) else data
    value = order.get("order_number") if isinstance(order, dict) else None
    return str(value) if isinstance(value, str | int) and str(value).strip() else None


def parse_line(number: int, text: str) -> BackfillLine:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return BackfillLine(
            number, None, None, (Problem("line", f"not valid JSON ({exc.msg}, column {exc.colno})"),)
        )
    if not isinstance(data, dict):
        return BackfillLine(
            number, None, None, (Problem("line", "expected a JSON object (an order or a send request)"),)
        )
    order_number = _order_number(data)
    try:
        if "order" in data:
            request = SendRequest.model_validate(data)
        else:
            request = SendRequest(order=OrderSnapshot.model_validate(data))
    except ValidationError as exc:
        prefix: tuple[str, ...] = () if "order" in data else ("order",)
        return BackfillLine(number, order_number, None, _problems(exc, prefix))
    return BackfillLine(number, request.order.order_number, request)


def parse_backfill_lines(lines: Iterable[str]) -> Iterator[BackfillLine]:
    """Every non-blank line, in file order, with its 1-based line number."""
    for number, text in enumerate(lines, start=1):
        if text.strip():
            yield parse_line(number, text)


def read_backfill_file(path: Path) -> list[BackfillLine]:
    with path.open(encoding="utf-8") as handle:
        return list(parse_backfill_lines(handle))
