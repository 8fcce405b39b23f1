"""Read the QuickBooks Online sandbox's books (QBO v3 JSON entities) into ``books`` records."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from qb_sandbox.intuit import IntuitSandbox

from .books import (
    AppliedPayment,
    Books,
    DocLine,
    Invoice,
    Item,
    Party,
    Payment,
    Purchase,
    address_text,
    details_of,
    exact,
    names_of,
)

__all__ = ["read_qbo_books"]

Entity = Mapping[str, Any]


def read_qbo_books(sandbox: IntuitSandbox, realm_id: str, tax_item_ids: Collection[str]) -> Books:
    """``tax_item_ids``: the items that carry "Add Total Tax as an Item" (from the jobs' steps)."""

    def entities(kind: str) -> list[dict[str, Any]]:
        return sorted(sandbox.entities(realm_id, kind), key=lambda e: int(e["Id"]))

    return Books(
        product="QuickBooks Online",
        company=sandbox.company(realm_id).name,
        customers=tuple(_party(e) for e in entities("Customer")),
        vendors=tuple(_party(e) for e in entities("Vendor")),
        items=tuple(
            Item(str(e["Id"]), str(e["Name"]), str(e.get("Type", "")), str(e.get("Description", "")))
            for e in entities("Item")
        ),
        invoices=tuple(_invoice(e, tax_item_ids) for e in entities("Invoice")),
        payments=tuple(_payment(e) for e in entities("Payment")),
        bills=tuple(_purchase(e) for e in entities("Bill")),
        purchase_orders=tuple(_purchase(e) for e in entities("PurchaseOrder")),
    )


def _party(entity: Entity) -> Party:
    balance = entity.get("Balance")
    return Party(
        str(entity["Id"]), str(entity["DisplayName"]), exact(balance) if balance is not None else None
    )


def _ref_name(ref: Any) -> str:
    return str(ref.get("name") or ref.get("value") or "") if isinstance(ref, Mapping) else ""


def _sales_line(line: Entity, tax_item_ids: Collection[str]) -> DocLine | None:
    kind = line.get("DetailType")
    amount = exact(line.get("Amount", 0))
    description = str(line.get("Description", ""))
    if kind == "SalesItemLineDetail":
        detail = line["SalesItemLineDetail"]
        ref = detail.get("ItemRef") or {}
        return DocLine(
            role="tax" if str(ref.get("value")) in tax_item_ids else "item",
            item=_ref_name(ref),
            description=description,
            quantity=exact(detail["Qty"]) if "Qty" in detail else None,
            rate=exact(detail["UnitPrice"]) if "UnitPrice" in detail else None,
            amount=amount,
        )
    if kind == "DiscountLineDetail":
        # QBO keeps the discount as a positive amount on a line that subtracts it
        # (docs/quickbooks-online.md §2.3).
        return DocLine("discount", "Discount", description, None, None, -amount)
    if kind == "SubTotalLineDetail":
        return DocLine("subtotal", "Subtotal", description, None, None, amount)
    return None


def _invoice(entity: Entity, tax_item_ids: Collection[str]) -> Invoice:
    lines = (_sales_line(line, tax_item_ids) for line in entity.get("Line", []))
    return Invoice(
        qb_id=str(entity["Id"]),
        number=str(entity.get("DocNumber", "")),
        customer=_ref_name(entity.get("CustomerRef")),
        lines=tuple(line for line in lines if line is not None),
        computed_tax=exact((entity.get("TxnTaxDetail") or {}).get("TotalTax", 0)),
        total=exact(entity["TotalAmt"]),
        balance=exact(entity["Balance"]),
        details=details_of(
            [
                *(
                    (str(f.get("Name") or "Custom field"), f.get("StringValue"))
                    for f in entity.get("CustomField", [])
                ),
                ("Ship to", _address(entity.get("ShipAddr"))),
                ("Terms", _ref_name(entity.get("SalesTermRef"))),
                ("Due", entity.get("DueDate")),
                ("Class", _ref_name(entity.get("ClassRef"))),
                ("Location", _ref_name(entity.get("DepartmentRef"))),
                ("Ship date", entity.get("ShipDate")),
                ("Ship via", (entity.get("ShipMethodRef") or {}).get("value")),
                ("Tracking", entity.get("TrackingNum")),
                ("Message", (entity.get("CustomerMemo") or {}).get("value")),
                ("Memo", entity.get("PrivateNote")),
            ]
        ),
    )


def _payment(entity: Entity) -> Payment:
    applied = tuple(
        AppliedPayment(str(linked["TxnId"]), exact(line["Amount"]))
        for line in entity.get("Line", [])
        for linked in line.get("LinkedTxn", [])
        if linked.get("TxnType") == "Invoice"
    )
    return Payment(
        qb_id=str(entity["Id"]),
        customer=_ref_name(entity.get("CustomerRef")),
        reference=str(entity.get("PaymentRefNum", "")),
        amount=exact(entity["TotalAmt"]),
        applied=applied,
    )


def _purchase_line(line: Entity) -> DocLine:
    detail = line.get("ItemBasedExpenseLineDetail") or {}
    account = line.get("AccountBasedExpenseLineDetail") or {}
    return DocLine(
        role="item",
        item=_ref_name(detail.get("ItemRef")) or _ref_name(account.get("AccountRef")),
        description=str(line.get("Description", "")),
        quantity=exact(detail["Qty"]) if "Qty" in detail else None,
        rate=exact(detail["UnitPrice"]) if "UnitPrice" in detail else None,
        amount=exact(line.get("Amount", 0)),
    )


def _purchase(entity: Entity) -> Purchase:
    return Purchase(
        qb_id=str(entity["Id"]),
        number=str(entity.get("DocNumber", "")),
        vendor=_ref_name(entity.get("VendorRef")),
        lines=tuple(_purchase_line(line) for line in entity.get("Line", [])),
        total=exact(entity["TotalAmt"]),
        details=details_of(
            [
                ("Date", entity.get("TxnDate")),
                ("Ship to", _address(entity.get("ShipAddr"))),
                ("Expected", entity.get("ExpectedDate")),
                ("Terms", _ref_name(entity.get("SalesTermRef"))),
                ("Due", entity.get("DueDate")),
                ("Class", _ref_name(entity.get("ClassRef")) or _line_class(entity)),
                ("Location", _ref_name(entity.get("DepartmentRef"))),
                ("Ship via", (entity.get("ShipMethodRef") or {}).get("value")),
                ("Message to vendor", entity.get("Memo")),
                ("Memo", entity.get("PrivateNote")),
            ]
        ),
    )


def _line_class(entity: Entity) -> str:
    """The class of a purchase document's lines (QBO keeps it on each line's detail)."""
    return names_of(
        _ref_name((line.get(kind) or {}).get("ClassRef"))
        for line in entity.get("Line", [])
        for kind in ("ItemBasedExpenseLineDetail", "AccountBasedExpenseLineDetail")
    )


def _address(address: Any) -> str:
    return address_text(address, "Line1", "Line2", "City", "CountrySubDivisionCode", "PostalCode")
