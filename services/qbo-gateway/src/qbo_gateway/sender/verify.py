"""Checking what QuickBooks Online wrote against what the plan asked for.

QBO can accept a write and still store something else: a bill whose purchase-order link was dropped
without a word (docs/quickbooks-online.md §2.3), automated sales tax replacing the tax we sent (§2.4), a
document number replaced by the company's own sequence. Each difference becomes a warning on the job, in
words; nothing here calls QuickBooks again (Intuit asks integrations not to re-read right after a
write, §1.6).

Every total is ESP's: an invoice equals the order's total whatever the edition (outside the US QBO
computes the tax from the line codes, and the plan refused a code that would not give ESP's tax);
bills and purchase orders include the purchase tax QuickBooks adds outside the US (``tax_amount``,
already in the plan's ``total``); a foreign-currency document's totals are in its own currency.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from espqb.money import format_money
from espqb.plan import BillOp, InvoiceOp, Operation, PaymentOp, PurchaseOrderOp
from espqb.sending.wording import QUICKBOOKS_ONLINE, figure_differs, figures_differ

__all__ = ["differences", "figure_drift"]


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except (InvalidOperation, ValueError):
        return None


def _total(label: str, expected: Decimal, entity: dict[str, Any], field: str = "TotalAmt") -> list[str]:
    got = _money(entity.get(field))
    if got is None or got != expected:
        return [figure_differs(QUICKBOOKS_ONLINE, label, got, expected)]
    return []


def _tax(label: str, op: InvoiceOp, entity: dict[str, Any]) -> list[str]:
    """The invoice's tax as QuickBooks stored it, where QuickBooks holds a figure of its own: ESP's
    override (US, docs/quickbooks-online.md §6.3), or what it computed from the line codes outside the
    US (§6.5), which the plan checked equals ESP's."""
    tax = op.tax
    if tax.override_total:
        why = "automated sales tax may have recomputed it"
    elif tax.global_calculation is not None and tax.mode != "item":
        why = "it computes the tax from the lines' tax codes"
    else:
        return []
    got = _money((entity.get("TxnTaxDetail") or {}).get("TotalTax"))
    if got is None and not tax.override_total:
        got = Decimal(0)  # no tax computed: QBO may leave TotalTax out
    if got == tax.amount:
        return []
    return [figure_differs(QUICKBOOKS_ONLINE, f"{label} tax", got or Decimal(0), tax.amount, why=why)]


def _linked_ids(entity: dict[str, Any], txn_type: str) -> set[str]:
    links = list(entity.get("LinkedTxn") or [])
    for line in entity.get("Line") or []:
        links += line.get("LinkedTxn") or []
    return {str(link.get("TxnId")) for link in links if link.get("TxnType") == txn_type}


def differences(
    op: Operation,
    entity: dict[str, Any],
    *,
    invoice_id: str | None = None,
    purchase_order_id: str | None = None,
    applied_before: Decimal | None = None,
) -> list[str]:
    """Warnings for what QuickBooks answered to the write of ``op``.

    ``invoice_id``: the invoice a payment applies to; ``purchase_order_id``: the PO a bill should
    receive; ``applied_before``: payments already on an invoice being updated (None on create).
    """
    if isinstance(op, InvoiceOp):
        label = f"Invoice {op.doc_number}"
        warnings = _total(f"{label} total", op.total, entity)
        if applied_before is not None:
            warnings += _total(f"{label} balance", op.total - applied_before, entity, "Balance")
        warnings += _tax(label, op, entity)
        number = entity.get("DocNumber")
        if number is not None and str(number) != op.doc_number:
            warnings.append(f"{label}: QuickBooks Online numbered it {number} (its own numbering is on).")
        return warnings
    if isinstance(op, PaymentOp):
        label = f"Payment {op.payment_id}"
        warnings = _total(f"{label} amount", op.amount, entity)
        unapplied = _money(entity.get("UnappliedAmt")) or Decimal(0)
        if unapplied != 0:
            warnings.append(f"{label}: {format_money(unapplied)} was not applied to the invoice.")
        if invoice_id is not None and invoice_id not in _linked_ids(entity, "Invoice"):
            warnings.append(f"{label}: QuickBooks Online did not apply it to the invoice.")
        return warnings
    if isinstance(op, PurchaseOrderOp):
        return _total(f"Purchase order {op.doc_number} total", op.total, entity)
    if isinstance(op, BillOp):
        label = f"Bill {op.doc_number}"
        warnings = _total(f"{label} total", op.total, entity)
        if purchase_order_id is not None and purchase_order_id not in _linked_ids(entity, "PurchaseOrder"):
            warnings.append(
                f"{label}: QuickBooks Online did not link it to its purchase order (Id {purchase_order_id}); "
                "link them by hand in QuickBooks if the purchase order should show as received."
            )
        return warnings
    return []


def figure_drift(op: Operation, entity: dict[str, Any]) -> str | None:
    """QuickBooks' figure next to the planned one, when the document's total is not what ESP planned:
    the step says so, and the job is flagged ``drift``. None when they agree (or ``op`` has no total)."""
    if isinstance(op, PaymentOp):
        planned = op.amount
    elif isinstance(op, InvoiceOp | PurchaseOrderOp | BillOp):
        planned = op.total
    else:
        return None
    got = _money(entity.get("TotalAmt"))
    if got == planned:
        return None
    return figures_differ(QUICKBOOKS_ONLINE, got, planned)
