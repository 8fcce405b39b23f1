"""Document details — the customer's PO number, dates, ship-to, shipping, messages, memos — decided once
for both products, each fitted to what the product can hold.

A value longer than QuickBooks allows is cut, never refused, and the job says so (a note); a detail a
product has no place for is said too, never dropped silently. Where each detail goes:

=====================  ===============================  =========================================
detail                 QuickBooks Online                QuickBooks Desktop
=====================  ===============================  =========================================
customer PO number     the sales-form custom field      ``PONumber`` (25)
                       named for it, else the head of
                       ``CustomerMemo`` (§7.2)
due / ship date        ``DueDate`` / ``ShipDate``       ``DueDate`` / ``ShipDate``
ship method            ``ShipMethodRef`` (a string)     not yet: a ship-method list entry (§3.17)
tracking number        ``TrackingNum``                  ``Other`` (29; no tracking field)
customer message       ``CustomerMemo`` (1000)          not yet: a customer-message list entry
memo                   ``PrivateNote``                  ``Memo``
PO expected date       ``DueDate`` of the PO            ``ExpectedDate``
message to vendor      the PO's ``Memo``                ``VendorMsg`` (99)
bill number / date     the supplier's invoice number    ``RefNumber`` (20) / ``TxnDate``
=====================  ===============================  =========================================

(docs/quickbooks-online.md §7, docs/web-connector.md §3.17.)
"""

from __future__ import annotations

from espqb.orders.snapshot import OrderSnapshot, Supplier
from espqb.plan.company import QuickBooksCompany
from espqb.plan.limits import PRODUCT_NAMES, Target, TargetLimits
from espqb.plan.model import InvoiceDetails, PurchaseDetails
from espqb.plan.naming import clean_text

__all__ = ["Notes", "bill_details", "invoice_details", "memo", "purchase_order_details"]

Notes = list[str]


def fitted(value: str | None, limit: int, what: str, target: Target, notes: Notes) -> str | None:
    """``value`` cleaned, and cut to ``limit`` characters with a note when longer."""
    if value is None:
        return None
    text = clean_text(value)
    if not text:
        return None
    if len(text) <= limit:
        return text
    cut = text[:limit].rstrip()
    notes.append(
        f"The {what} “{text}” is longer than the {limit} characters {PRODUCT_NAMES[target]} allows: "
        f"it was cut to “{cut}”."
    )
    return cut


def memo(order: OrderSnapshot, limit: int, suffix: str = "") -> str:
    """The internal memo: the order's own note, then ESP's order number, which is always kept whole."""
    tail = f"ESP order {order.order_number}{suffix}"
    note = clean_text(order.memo) if order.memo else ""
    if not note:
        return tail[:limit]
    room = limit - len(tail) - 3
    if room <= 0:
        return tail[:limit]
    return f"{note[:room].rstrip()} — {tail}"


def _not_written(what: str, value: str, notes: Notes) -> None:
    notes.append(
        f"The {what} “{value}” is not written to QuickBooks Desktop yet: it takes an entry of a "
        "QuickBooks list, which this version does not create."
    )


def invoice_details(
    order: OrderSnapshot,
    company: QuickBooksCompany | None,
    target: Target,
    limits: TargetLimits,
    notes: Notes,
) -> InvoiceDetails:
    po = fitted(order.customer_po_number, limits.po_number, "customer PO number", target, notes)
    field = company.po_number_field if company is not None else None
    message = order.customer_message
    if target == "qbo" and po is not None and field is None:
        # No custom field for it: the PO number heads the message printed on the invoice (§7.2).
        message = f"PO {po}" + (f" — {clean_text(message)}" if message else "")
        notes.append(
            f"The customer's PO number {po} is at the top of the invoice's message: the QuickBooks Online "
            "company has no sales-form custom field named for a PO number (add one named “P.O. Number” "
            "to give it its own box)."
        )
    ship_method = order.ship_method
    if target == "qbd":
        if ship_method:
            _not_written("ship method", clean_text(ship_method), notes)
            ship_method = None
        if message:
            _not_written("customer message", clean_text(message), notes)
            message = None
    return InvoiceDetails(
        po_number=po,
        po_number_in_field=field if target == "qbo" else None,
        due_date=order.due_date,
        ship_date=order.ship_date,
        ship_method=fitted(ship_method, limits.ship_method, "ship method", target, notes),
        tracking_number=fitted(
            order.tracking_number, limits.tracking_number, "tracking number", target, notes
        ),
        customer_message=fitted(message, limits.customer_message, "customer message", target, notes),
    )


def _decoration(order: OrderSnapshot, supplier_id: str) -> str | None:
    """The decoration notes of this supplier's lines, each after its product number."""
    parts = [
        f"{line.product_number}: {clean_text(line.decoration_notes)}"
        for line in order.lines
        if line.supplier_id == supplier_id and line.decoration_notes and clean_text(line.decoration_notes)
    ]
    return "; ".join(parts) or None


def purchase_order_details(
    order: OrderSnapshot, supplier: Supplier, target: Target, limits: TargetLimits, notes: Notes
) -> PurchaseDetails:
    ship_method = order.ship_method
    if target == "qbd" and ship_method:
        _not_written("ship method", clean_text(ship_method), notes)
        ship_method = None
    return PurchaseDetails(
        expected_date=order.in_hands_date,
        ship_method=fitted(ship_method, limits.ship_method, "ship method", target, notes),
        vendor_message=fitted(
            _decoration(order, supplier.esp_id),
            limits.vendor_message,
            f"decoration notes for {supplier.name}",
            target,
            notes,
        ),
    )


def bill_details(supplier: Supplier) -> PurchaseDetails:
    return PurchaseDetails(due_date=supplier.due_date)
