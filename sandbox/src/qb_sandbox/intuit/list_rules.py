"""Rules of the reference lists documents name: Term, Class and Department (a "location").

- ``Term`` (Finance.xsd ``Term``; docs/quickbooks-online.md §7.3): ``Name`` required, at most 31
  characters, unique among terms; ``DueDays`` 0–999 for standard terms, or ``DayOfMonthDue`` (1–31)
  for date-driven ones; ``Type`` is read-only, "STANDARD" when ``DueDays`` is given, else
  "DATE_DRIVEN" (Intuit's JSON spells the enum in capitals, as in its Term create example).
- ``Class`` and ``Department`` (§7.8): ``Name`` required, at most 100 characters, unique among the
  entries under the same parent; ``ParentRef`` makes a sub-class (``SubClass``) or sub-location
  (``SubDepartment``), whose ``FullyQualifiedName`` is ``Parent:Child``.
- Names compare without regard to case and inactive entries still hold their name (as for the other
  name lists, ``name_rules``); a clash is 6240. None of the three can be deleted (Active=false).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import faults
from .name_rules import _check_length, _check_unique, _claim_name
from .rules import EntityRules, is_true, require

if TYPE_CHECKING:
    from .books import Record
    from .company import Company

TERM_NAME_MAX = 31  # Finance.xsd Term.Name: "max 31 characters" (docs/quickbooks-online.md §7.3)
LIST_NAME_MAX = 100  # Class / Department Name (§7.8)
_DUE_DAYS_MAX = 999


def _namespace(body: dict[str, Any], kind: str) -> str:
    parent = body.get("ParentRef")
    parent_id = parent.get("value") if isinstance(parent, dict) else None
    return f"{kind}.Name under {parent_id or 'the top level'}"


def _int_field(body: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise faults.invalid_property(f"{name} must be a whole number", name) from exc
    if not low <= number <= high:
        raise faults.business_validation(f"{name} must be between {low} and {high}", name)
    return number


def _prepare_term(
    company: Company, body: dict[str, Any], existing: Record | None, internal: dict[str, Any]
) -> dict[str, Any]:
    name = str(require(body, "Name")).strip()
    _check_length("Name", name, TERM_NAME_MAX)
    _check_unique(company, _namespace({}, "Term"), name, "Term", existing)
    due_days = _int_field(body, "DueDays", 0, _DUE_DAYS_MAX)
    day_of_month = _int_field(body, "DayOfMonthDue", 1, 31)
    if due_days is None and day_of_month is None:
        raise faults.required_param_missing("DueDays")
    out = {k: v for k, v in body.items() if k != "Type"}
    out["Name"] = name
    out["Active"] = "Active" not in body or is_true(body["Active"])
    out["Type"] = "STANDARD" if due_days is not None else "DATE_DRIVEN"
    if due_days is not None:
        out["DueDays"] = due_days
    return out


def _prepare_tree(kind: str, sub_flag: str):  # type: ignore[no-untyped-def]
    def prepare(
        company: Company, body: dict[str, Any], existing: Record | None, internal: dict[str, Any]
    ) -> dict[str, Any]:
        name = str(require(body, "Name")).strip()
        _check_length("Name", name, LIST_NAME_MAX)
        if ":" in name:
            raise faults.business_validation("The name can't contain a colon (:).", "Name")
        _check_unique(company, _namespace(body, kind), name, kind, existing)
        out = dict(body)
        out["Name"] = name
        out["Active"] = "Active" not in body or is_true(body["Active"])
        parent = body.get("ParentRef")
        if parent:
            resolved = company.resolve_ref(kind, parent, "ParentRef")
            record = company.books.get(kind, resolved["value"])
            assert record is not None
            out["ParentRef"] = resolved
            out[sub_flag] = True
            out["FullyQualifiedName"] = f"{record.body.get('FullyQualifiedName', record.body['Name'])}:{name}"
        else:
            out[sub_flag] = False
            out["FullyQualifiedName"] = name
        return out

    return prepare


TERM = EntityRules(
    prepare=_prepare_term,
    read_only=frozenset({"Type"}),
    after_write=_claim_name(lambda body: _namespace({}, "Term"), "Name"),
)
CLASS = EntityRules(
    prepare=_prepare_tree("Class", "SubClass"),
    read_only=frozenset({"FullyQualifiedName", "SubClass"}),
    after_write=_claim_name(lambda body: _namespace(body, "Class"), "Name"),
)
DEPARTMENT = EntityRules(
    prepare=_prepare_tree("Department", "SubDepartment"),
    read_only=frozenset({"FullyQualifiedName", "SubDepartment"}),
    after_write=_claim_name(lambda body: _namespace(body, "Department"), "Name"),
)
