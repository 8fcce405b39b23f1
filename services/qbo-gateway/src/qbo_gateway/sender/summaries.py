"""What each step and each send did, in one sentence a bookkeeper reads on the job."""

from __future__ import annotations

from espqb.money import format_money
from espqb.plan import BillOp, CustomerOp, InvoiceOp, ItemOp, Operation, PaymentOp, PurchaseOrderOp, VendorOp

__all__ = ["describe", "step_summary"]

_VERB = {"create": "created", "update": "updated", "link": "linked"}


def describe(op: Operation) -> str:
    """The record an operation writes, named as a person would: “invoice 10245”, “vendor Hit…”."""
    if isinstance(op, CustomerOp):
        return f"customer “{op.name or op.esp_customer_id}”"
    if isinstance(op, VendorOp):
        return f"vendor “{op.name or op.supplier_id}”"
    if isinstance(op, ItemOp):
        return f"item “{op.name}”"
    if isinstance(op, InvoiceOp):
        return f"invoice {op.doc_number}"
    if isinstance(op, PaymentOp):
        return f"payment {op.payment_id} of {format_money(op.amount)}"
    if isinstance(op, PurchaseOrderOp):
        return f"purchase order {op.doc_number}"
    if isinstance(op, BillOp):
        return f"bill {op.doc_number}"
    return op.key  # pragma: no cover - closed union


def step_summary(
    op: Operation, action: str, qb_id: str, *, name: str | None = None, found: bool = False
) -> str:
    verb = _VERB.get(action, action)
    if isinstance(op, CustomerOp | VendorOp | ItemOp):
        label = op.kind.capitalize()
        shown = name or op.name or ""
        if found:
            return f"{label} “{shown}” was already in QuickBooks Online (Id {qb_id}): linked"
        return f"{label} “{shown}” {verb} (Id {qb_id})"
    if isinstance(op, InvoiceOp):
        return f"Invoice {op.doc_number} for {format_money(op.total)} {verb} (Id {qb_id})"
    if isinstance(op, PaymentOp):
        return f"Payment of {format_money(op.amount)} applied to invoice, {verb} (Id {qb_id})"
    if isinstance(op, PurchaseOrderOp):
        return f"Purchase order {op.doc_number} for {format_money(op.total)} {verb} (Id {qb_id})"
    if isinstance(op, BillOp):
        return f"Bill {op.doc_number} for {format_money(op.total)} {verb} (Id {qb_id})"
    return f"{op.key} {verb}"  # pragma: no cover
