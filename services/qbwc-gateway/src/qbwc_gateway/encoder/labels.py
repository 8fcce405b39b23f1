"""How a plan operation is named in messages a bookkeeper reads ("the invoice 10245")."""

from __future__ import annotations

from espqb.plan import (
    BillOp,
    CustomerOp,
    InvoiceOp,
    ItemOp,
    Operation,
    PaymentOp,
    PurchaseOrderOp,
    VendorOp,
)


def op_label(op: Operation) -> str:
    match op:
        case CustomerOp():
            return f"the customer “{op.name}”" if op.name else "the customer"
        case VendorOp():
            return f"the vendor “{op.name}”" if op.name else "the vendor"
        case ItemOp():
            return f"the item “{op.name}”"
        case InvoiceOp():
            return f"the invoice {op.doc_number}"
        case PaymentOp():
            return f"the payment of {op.amount}"
        case PurchaseOrderOp():
            return f"the purchase order {op.doc_number}"
        case BillOp():
            return f"the bill {op.doc_number}"
    raise TypeError(f"unknown operation {op!r}")
