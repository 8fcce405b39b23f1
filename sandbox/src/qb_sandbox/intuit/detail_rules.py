"""Document details on invoices, purchase orders and bills (docs/quickbooks-online.md §7).

What the sandbox checks and keeps, with where each rule comes from:

- ``SalesTermRef`` → ``Term``, ``ClassRef`` → ``Class``, ``DepartmentRef`` → ``Department`` must name
  an existing, active entry: an unknown Id is 2500 Invalid Reference Id, an inactive one 610, as for
  every other reference (§2.10); QBO fills in the reference's ``name``.
- Class tracking off (``AccountingInfoPrefs.ClassTrackingPerTxn`` and ``…PerTxnLine`` false): a
  ``ClassRef`` is dropped without an error; locations off (``TrackDepartments`` false): a
  ``DepartmentRef`` is dropped too. With per-line tracking an invoice's header ``ClassRef`` is dropped
  (QBO uses one or the other, §7.8). What real QBO does is not published: these are the sandbox's
  assumptions (§7.12), chosen so that a value the company does not show is not kept either.
- ``CustomField``: only the company's active sales-form fields (``SalesFormsPrefs.CustomField``,
  DefinitionId 1–3, §7.11) are kept, returned with their ``Name`` and ``Type`` StringType; others are
  dropped (assumption). A ``StringValue`` longer than 31 characters is 2050 — QuickBooks' custom
  field boxes hold 31 [derived, §7.11]; "" clears the field.
- Lengths: ``CustomerMemo`` 1000 (Finance.xsd ``SalesTransaction.CustomerMemo``), ``PrivateNote``
  4000 (§7.7), ``TrackingNum`` 31 [assumption, undocumented §7.5]; longer is 2050. ``DocNumber`` 21 is
  checked with the numbers (``txn_rules``).
- A sparse update keeps every detail it does not send (§2.9); "" empties a text field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import faults

if TYPE_CHECKING:
    from .company import Company

CUSTOMER_MEMO_MAX = 1000
PRIVATE_NOTE_MAX = 4000
TRACKING_NUM_MAX = 31
CUSTOM_FIELD_MAX = 31

_LINE_DETAILS = ("SalesItemLineDetail", "ItemBasedExpenseLineDetail", "AccountBasedExpenseLineDetail")


def _length(element: str, value: Any, maximum: int) -> None:
    if isinstance(value, str) and len(value) > maximum:
        raise faults.invalid_string_length(element, maximum, len(value))


def apply_details(company: Company, out: dict[str, Any], *, kind: str) -> None:
    """Check and complete the details of a document body about to be stored (``out`` is changed)."""
    _length("PrivateNote", out.get("PrivateNote"), PRIVATE_NOTE_MAX)
    _length("TrackingNum", out.get("TrackingNum"), TRACKING_NUM_MAX)
    memo = out.get("CustomerMemo")
    if isinstance(memo, dict):
        _length("CustomerMemo", memo.get("value"), CUSTOMER_MEMO_MAX)
    if out.get("SalesTermRef") is not None:
        out["SalesTermRef"] = company.resolve_ref("Term", out["SalesTermRef"], "SalesTermRef")
    if out.get("DepartmentRef") is not None:
        if company.track_locations:
            out["DepartmentRef"] = company.resolve_ref("Department", out["DepartmentRef"], "DepartmentRef")
        else:
            out.pop("DepartmentRef")
    if out.get("ClassRef") is not None:
        header_allowed = company.class_tracking == "per_transaction" or (
            company.class_tracking == "per_line" and kind != "Invoice"
        )
        if header_allowed:
            out["ClassRef"] = company.resolve_ref("Class", out["ClassRef"], "ClassRef")
        else:
            out.pop("ClassRef")
    for line in out.get("Line") or []:
        for detail_type in _LINE_DETAILS:
            detail = line.get(detail_type)
            if isinstance(detail, dict) and detail.get("ClassRef") is not None:
                if company.class_tracking == "off":
                    detail.pop("ClassRef")
                else:
                    detail["ClassRef"] = company.resolve_ref(
                        "Class", detail["ClassRef"], f"Line.{detail_type}.ClassRef"
                    )
    if "CustomField" in out:
        out["CustomField"] = _custom_fields(company, out["CustomField"])
        if not out["CustomField"]:
            out.pop("CustomField")


def _custom_fields(company: Company, given: Any) -> list[dict[str, Any]]:
    names = company.custom_field_names()
    kept: dict[str, dict[str, Any]] = {}
    for field in given or []:
        if not isinstance(field, dict):
            continue
        definition = str(field.get("DefinitionId") or "")
        if definition not in names:
            continue
        value = field.get("StringValue")
        _length("CustomField.StringValue", value, CUSTOM_FIELD_MAX)
        kept[definition] = {
            "DefinitionId": definition,
            "Name": names[definition],
            "Type": "StringType",
            **({"StringValue": value} if value else {}),
        }
    return [kept[d] for d in sorted(kept)]
