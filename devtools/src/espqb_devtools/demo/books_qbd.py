"""Read the simulated QuickBooks Desktop company file (qbXML ``…Ret`` records) into ``books`` records."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from qb_sandbox.desktop import CompanyFile

from .books import (
    AppliedPayment,
    Books,
    DocLine,
    Invoice,
    Item,
    LineRole,
    Party,
    Payment,
    Purchase,
    address_text,
    details_of,
    exact,
    names_of,
)

__all__ = ["read_qbd_books"]

Record = Mapping[str, Any]
ITEM_KINDS = (
    "ItemService",
    "ItemNonInventory",
    "ItemOtherCharge",
    "ItemSubtotal",
    "ItemDiscount",
    "ItemSalesTax",
)
# A line's role follows from the kind of item it names (docs/web-connector.md §3.5: a Subtotal item line, then
# a Discount item line that applies to it); the tax item of "Add Total Tax as an Item" is an ordinary
# item, known from the job's steps.
_ROLE_OF_KIND: dict[str, LineRole] = {
    "ItemSubtotal": "subtotal",
    "ItemDiscount": "discount",
    "ItemSalesTax": "tax",
}


def read_qbd_books(company: CompanyFile, tax_item_ids: Collection[str]) -> Books:
    items = [(kind, record) for kind in ITEM_KINDS for record in company.documents(kind)]
    roles: dict[str, LineRole] = {
        str(record["ListID"]): _ROLE_OF_KIND[kind] for kind, record in items if kind in _ROLE_OF_KIND
    }
    roles.update(dict.fromkeys(tax_item_ids, "tax"))
    return Books(
        product="QuickBooks Desktop",
        company=company.company_name,
        customers=tuple(_party(r) for r in company.documents("Customer")),
        vendors=tuple(_party(r) for r in company.documents("Vendor")),
        items=tuple(
            Item(
                str(r["ListID"]),
                str(r.get("FullName") or r["Name"]),
                kind.removeprefix("Item"),
                _item_desc(r),
            )
            for kind, r in items
        ),
        invoices=tuple(_invoice(r, roles) for r in company.documents("Invoice")),
        payments=tuple(_payment(r) for r in company.documents("ReceivePayment")),
        bills=tuple(_purchase(r, "ItemLineRet", "Cost", "AmountDue") for r in company.documents("Bill")),
        purchase_orders=tuple(
            _purchase(r, "PurchaseOrderLineRet", "Rate", "TotalAmount")
            for r in company.documents("PurchaseOrder")
        ),
    )


def _item_desc(record: Record) -> str:
    for section in ("SalesAndPurchase", "SalesOrPurchase"):
        found = record.get(section) or {}
        text = found.get("SalesDesc") or found.get("Desc")
        if text:
            return str(text)
    return str(record.get("ItemDesc", ""))


def _party(record: Record) -> Party:
    balance = record.get("Balance")
    return Party(
        str(record["ListID"]),
        str(record.get("FullName") or record["Name"]),
        exact(balance) if balance else None,
    )


def _ref_name(ref: Any) -> str:
    return str(ref.get("FullName") or ref.get("ListID") or "") if isinstance(ref, Mapping) else ""


def _optional(record: Record, key: str) -> Any:
    value = record.get(key)
    return exact(value) if value not in (None, "") else None


def _invoice(record: Record, roles: Mapping[str, LineRole]) -> Invoice:
    lines = tuple(
        DocLine(
            role=roles.get(str((line.get("ItemRef") or {}).get("ListID")), "item"),
            item=_ref_name(line.get("ItemRef")),
            description=str(line.get("Desc", "")),
            quantity=_optional(line, "Quantity"),
            rate=_optional(line, "Rate"),
            amount=exact(line.get("Amount", "0")),
        )
        for line in record.get("InvoiceLineRet", [])
    )
    return Invoice(
        qb_id=str(record["TxnID"]),
        number=str(record.get("RefNumber", "")),
        customer=_ref_name(record.get("CustomerRef")),
        lines=lines,
        computed_tax=exact(record.get("SalesTaxTotal", "0")),
        # TotalAmount is the company file's Subtotal + SalesTaxTotal (CompanyFile.documents).
        total=exact(record["TotalAmount"]),
        balance=exact(record["BalanceRemaining"]),
        details=details_of(
            [
                ("Customer PO", record.get("PONumber")),
                ("Ship to", _address(record.get("ShipAddress"))),
                ("Terms", _ref_name(record.get("TermsRef"))),
                ("Due", record.get("DueDate")),
                ("Rep", _ref_name(record.get("SalesRepRef"))),
                ("Class", _ref_name(record.get("ClassRef"))),
                ("Ship date", record.get("ShipDate")),
                ("Ship via", _ref_name(record.get("ShipMethodRef"))),
                ("Other (tracking)", record.get("Other")),
                ("Customer message", _ref_name(record.get("CustomerMsgRef"))),
                ("Memo", record.get("Memo")),
            ]
        ),
    )


def _payment(record: Record) -> Payment:
    return Payment(
        qb_id=str(record["TxnID"]),
        customer=_ref_name(record.get("CustomerRef")),
        reference=str(record.get("RefNumber", "")),
        amount=exact(record["TotalAmount"]),
        applied=tuple(
            AppliedPayment(str(applied["TxnID"]), exact(applied["Amount"]))
            for applied in record.get("AppliedToTxnRet", [])
            if applied.get("TxnType") == "Invoice"
        ),
    )


def _purchase(record: Record, lines_key: str, rate_key: str, total_key: str) -> Purchase:
    return Purchase(
        qb_id=str(record["TxnID"]),
        number=str(record.get("RefNumber", "")),
        vendor=_ref_name(record.get("VendorRef")),
        lines=tuple(
            DocLine(
                role="item",
                item=_ref_name(line.get("ItemRef")),
                description=str(line.get("Desc", "")),
                quantity=_optional(line, "Quantity"),
                rate=_optional(line, rate_key),
                amount=exact(line.get("Amount", "0")),
            )
            for line in record.get(lines_key, [])
        ),
        total=exact(record[total_key]),
        details=details_of(
            [
                ("Date", record.get("TxnDate")),
                ("Ship to", _address(record.get("ShipAddress"))),
                ("Expected", record.get("ExpectedDate")),
                ("Terms", _ref_name(record.get("TermsRef"))),
                ("Due", record.get("DueDate")),
                ("Class", _ref_name(record.get("ClassRef")) or _line_class(record, lines_key)),
                ("Ship via", _ref_name(record.get("ShipMethodRef"))),
                ("Message to vendor", record.get("VendorMsg")),
                ("Memo", record.get("Memo")),
            ]
        ),
    )


def _line_class(record: Record, lines_key: str) -> str:
    """A bill's class, which Desktop keeps on each of its lines."""
    return names_of(_ref_name(line.get("ClassRef")) for line in record.get(lines_key, []))


def _address(address: Any) -> str:
    return address_text(address, "Addr1", "Addr2", "City", "State", "PostalCode")
