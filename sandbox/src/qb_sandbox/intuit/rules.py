"""The shape every entity's rules take, and small helpers the rules share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import faults
from .txn_math import to_decimal

if TYPE_CHECKING:
    from .books import Record
    from .company import Company


# prepare(company, writable fields of the request, existing record or None, internal state to keep)
#   -> the body to store (validated, defaults filled in, server-computed fields set)
Prepare = Callable[["Company", dict[str, Any], "Record | None", dict[str, Any]], dict[str, Any]]
AfterWrite = Callable[["Company", "Record", "dict[str, Any] | None"], None]
OnDelete = Callable[["Company", "Record"], None]


def _nothing_after_write(company: Company, record: Record, previous: dict[str, Any] | None) -> None:
    return None


def _nothing_on_delete(company: Company, record: Record) -> None:
    return None


@dataclass(frozen=True, slots=True)
class EntityRules:
    prepare: Prepare
    read_only: frozenset[str] = frozenset()  # fields the server computes; ignored when sent
    deletable: bool = False
    after_write: AfterWrite = _nothing_after_write
    before_delete: OnDelete = _nothing_on_delete
    after_delete: OnDelete = _nothing_on_delete


def require(body: dict[str, Any], name: str, element: str | None = None) -> Any:
    value = body.get(name)
    if value is None or value == "" or value == []:
        raise faults.required_param_missing(element or name)
    return value


def decimal_field(container: dict[str, Any], name: str, element: str) -> Decimal | None:
    value = container.get(name)
    if value is None:
        return None
    try:
        return to_decimal(value)
    except ValueError as exc:
        raise faults.invalid_property(f"{element} must be a number", element) from exc


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def line_ids(lines: list[dict[str, Any]] | None) -> set[str]:
    return {str(line["Id"]) for line in lines or [] if line.get("Id") is not None}


class LineIdAllocator:
    """Line Ids as QBO gives them: kept when an update names an existing line, otherwise the next number."""

    def __init__(self, existing_lines: list[dict[str, Any]] | None) -> None:
        self.known = line_ids(existing_lines)
        numbers = [int(i) for i in self.known if i.isdigit()]
        self._last = max(numbers, default=0)
        self._used: set[str] = set()

    def assign(self, requested: Any) -> str:
        wanted = str(requested) if requested is not None else None
        if wanted is not None and wanted in self.known and wanted not in self._used:
            self._used.add(wanted)
            return wanted
        self._last += 1
        while str(self._last) in self.known:
            self._last += 1
        self._used.add(str(self._last))
        return str(self._last)
