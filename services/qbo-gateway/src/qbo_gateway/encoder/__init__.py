"""Plan operations → QBO JSON entities. Pure: no I/O, no clock; every figure comes from the plan.

``encode(op, context)`` returns ``(entity name, body)`` for a create; ``as_sparse_update`` turns a
body into the sparse update of an existing record (docs/quickbooks-online.md §2.9). Field names and nesting
are those of Intuit's XSD (vendored in sandbox/src/qb_sandbox/contracts/qbo/), which the tests check every
payload against.
"""

from __future__ import annotations

from typing import Any

from espqb.plan.model import (
    BillOp,
    CustomerOp,
    InvoiceOp,
    ItemOp,
    ListEntryOp,
    Operation,
    PaymentOp,
    PurchaseOrderOp,
    VendorOp,
)
from qbo_gateway.encoder.context import EncodeContext, EncodeError, PurchaseOrderLink, ref
from qbo_gateway.encoder.invoice import DOC_NUMBER_MAX, encode_invoice
from qbo_gateway.encoder.items import encode_item
from qbo_gateway.encoder.lists import LIST_ENTITIES, encode_list_entry, list_entity
from qbo_gateway.encoder.parties import encode_customer, encode_vendor
from qbo_gateway.encoder.payment import encode_payment
from qbo_gateway.encoder.purchases import encode_bill, encode_purchase_order

__all__ = [
    "DOC_NUMBER_MAX",
    "ENTITY_NAMES",
    "LIST_ENTITIES",
    "EncodeContext",
    "EncodeError",
    "PurchaseOrderLink",
    "as_sparse_update",
    "cleared_on_update",
    "encode",
    "encode_bill",
    "encode_customer",
    "encode_invoice",
    "encode_item",
    "encode_list_entry",
    "encode_payment",
    "encode_purchase_order",
    "encode_vendor",
    "entity_of",
    "ref",
]

# plan operation kind -> QBO entity name
ENTITY_NAMES = {
    "customer": "Customer",
    "vendor": "Vendor",
    "item": "Item",
    "invoice": "Invoice",
    "payment": "Payment",
    "purchase_order": "PurchaseOrder",
    "bill": "Bill",
}


def entity_of(op: Operation) -> str:
    """The QBO entity an operation writes (a list entry: Term, Class or Department)."""
    if isinstance(op, ListEntryOp):
        return list_entity(op)
    return ENTITY_NAMES[op.kind]


def encode(
    op: Operation, context: EncodeContext, *, receives: PurchaseOrderLink | None = None
) -> tuple[str, dict[str, Any]]:
    """The entity name and JSON body that write ``op`` (a bill may receive a purchase order)."""
    body: dict[str, Any]
    if isinstance(op, CustomerOp):
        body = encode_customer(op)
    elif isinstance(op, VendorOp):
        body = encode_vendor(op)
    elif isinstance(op, ItemOp):
        body = encode_item(op, context)
    elif isinstance(op, ListEntryOp):
        return list_entity(op), encode_list_entry(op)
    elif isinstance(op, InvoiceOp):
        body = encode_invoice(op, context)
    elif isinstance(op, PaymentOp):
        body = encode_payment(op, context)
    elif isinstance(op, PurchaseOrderOp):
        body = encode_purchase_order(op, context)
    elif isinstance(op, BillOp):
        body = encode_bill(op, context, receives)
    else:  # pragma: no cover - the Operation union is closed
        raise EncodeError(f"cannot encode {type(op).__name__}")
    return ENTITY_NAMES[op.kind], body


# Free-text details a sparse update must send empty to clear when the plan no longer has them: an
# omitted field keeps its old value (docs/quickbooks-online.md §2.9, §7.12). Dates and references
# are not cleared (see §7.12).
_CLEARED_TEXT: dict[str, dict[str, Any]] = {
    "Invoice": {"TrackingNum": "", "CustomerMemo": {"value": ""}},
    "PurchaseOrder": {"Memo": ""},
}


def cleared_on_update(op: Operation, entity: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with the free-text details the plan dropped sent empty, for the sparse update of a
    record written before; and the PO-number / sales-rep custom fields emptied when the order lost them."""
    out = {**_CLEARED_TEXT.get(entity, {}), **body}
    if isinstance(op, InvoiceOp):
        fields = list(out.get("CustomField") or [])
        # The plan names a field's definition even when the order leaves it empty (the PO number's
        # always; the sales rep's when the plan says so): sent empty, it clears the old value.
        for field_id in (op.details.po_number_in_field, op.details.sales_rep_in_field):
            if field_id is not None and not any(f.get("DefinitionId") == field_id for f in fields):
                fields.append({"DefinitionId": field_id, "Type": "StringType", "StringValue": ""})
        if fields:
            out["CustomField"] = fields
    return out


def as_sparse_update(body: dict[str, Any], entity_id: str, sync_token: str) -> dict[str, Any]:
    """Only the fields sent change; a ``Line`` array replaces every line (docs/quickbooks-online.md §2.9)."""
    return {**body, "Id": entity_id, "SyncToken": sync_token, "sparse": True}
