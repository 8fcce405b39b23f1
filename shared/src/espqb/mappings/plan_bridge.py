"""Mapping rows ↔ the planner's ``KnownMappings``, and which mapping each plan operation writes.

Both gateways use it: the rows are read by their loaders (``espqb.mappings.repository``); this
module only translates. Key conventions: customer id, supplier id, item key, order number,
``order#payment``, ``order#supplier``.
"""

from __future__ import annotations

from collections.abc import Iterable

from espqb.db.models import Mapping, MappingKind
from espqb.mappings.repository import payment_key, supplier_doc_key
from espqb.orders import OrderSnapshot
from espqb.plan import (
    BillOp,
    CustomerOp,
    InvoiceOp,
    ItemOp,
    KnownMappings,
    ListEntryOp,
    MappedRecord,
    NamesInUse,
    Operation,
    PaymentOp,
    PurchaseOrderOp,
    TakenName,
    VendorOp,
)
from espqb.plan.items import DISCOUNT_ITEM, SUBTOTAL_ITEM, TAX_ITEM, charge_item_key, product_key

# What QuickBooks told us (webhooks) about a record that no longer stands.
GONE_STATUSES = frozenset({"deleted", "voided", "merged"})

__all__ = ["known_mappings", "mapping_target", "names_from_mappings", "owner_of", "plan_item_keys"]


def mapping_target(op: Operation, order_number: str) -> tuple[MappingKind, str]:
    """The (kind, ESP key) of the mapping that records where ``op`` lives in QuickBooks."""
    if isinstance(op, CustomerOp):
        return MappingKind.CUSTOMER, op.esp_customer_id
    if isinstance(op, VendorOp):
        return MappingKind.VENDOR, op.supplier_id
    if isinstance(op, ItemOp):
        return MappingKind.ITEM, op.esp_key
    if isinstance(op, ListEntryOp):
        return MappingKind(op.list_kind), op.key
    if isinstance(op, InvoiceOp):
        return MappingKind.INVOICE, order_number
    if isinstance(op, PaymentOp):
        return MappingKind.PAYMENT, payment_key(order_number, op.payment_id)
    if isinstance(op, PurchaseOrderOp):
        return MappingKind.PURCHASE_ORDER, supplier_doc_key(order_number, op.supplier_id)
    if isinstance(op, BillOp):
        return MappingKind.BILL, supplier_doc_key(order_number, op.supplier_id)
    raise TypeError(f"no mapping for {type(op).__name__}")  # pragma: no cover - closed union


def owner_of(row: Mapping) -> str | None:
    """The plan key that owns a list record's name (the planner's ``TakenName.owner``)."""
    if row.kind == MappingKind.CUSTOMER:
        return f"customer:{row.esp_key}"
    if row.kind == MappingKind.VENDOR:
        return f"vendor:{row.esp_key}"
    if row.kind == MappingKind.ITEM:
        return f"item:{row.esp_key}"
    return None


def _record(row: Mapping) -> MappedRecord:
    return MappedRecord(
        quickbooks_id=row.qb_id,
        name=row.qb_name,
        version=row.qb_version,
        linked_in_crm=row.origin == "linked",
    )


def plan_item_keys(order: OrderSnapshot) -> list[str]:
    """Every item mapping key a plan of this order may use: its products, its charges' items and
    the helper items (subtotal, discount, tax)."""
    keys = [product_key(line) for line in order.lines]
    keys += [charge_item_key(charge.kind) for charge in order.charges]
    return [*dict.fromkeys(keys), SUBTOTAL_ITEM, DISCOUNT_ITEM, TAX_ITEM]


def names_from_mappings(named_rows: Iterable[Mapping]) -> NamesInUse:
    """The names this integration already holds in QuickBooks (``repository.names_taken``)."""
    taken = [
        TakenName(name=row.qb_name, owner=owner_of(row), quickbooks_id=row.qb_id)
        for row in named_rows
        if row.qb_name
    ]
    return NamesInUse(
        names=tuple(t for t in taken if not (t.owner or "").startswith("item:")),
        items=tuple(t for t in taken if (t.owner or "").startswith("item:")),
    )


def known_mappings(
    order_rows: Iterable[Mapping], order_number: str, names_in_use: NamesInUse
) -> KnownMappings:
    """``order_rows``: the mappings this order may reuse (``repository.for_order``). Rows whose record
    QuickBooks reported deleted, voided or merged are left out, so the plan writes them anew."""
    customers: dict[str, MappedRecord] = {}
    vendors: dict[str, MappedRecord] = {}
    items: dict[str, MappedRecord] = {}
    invoice: MappedRecord | None = None
    payments: dict[str, MappedRecord] = {}
    bills: dict[str, MappedRecord] = {}
    purchase_orders: dict[str, MappedRecord] = {}
    prefix = f"{order_number}#"
    for row in order_rows:
        if row.qb_status in GONE_STATUSES:
            continue
        if row.kind == MappingKind.CUSTOMER:
            customers[row.esp_key] = _record(row)
        elif row.kind == MappingKind.VENDOR:
            vendors[row.esp_key] = _record(row)
        elif row.kind == MappingKind.ITEM:
            items[row.esp_key] = _record(row)
        elif row.kind == MappingKind.INVOICE and row.esp_key == order_number:
            invoice = _record(row)
        elif row.esp_key.startswith(prefix):
            rest = row.esp_key[len(prefix) :]
            if row.kind == MappingKind.PAYMENT:
                payments[rest] = _record(row)
            elif row.kind == MappingKind.BILL:
                bills[rest] = _record(row)
            elif row.kind == MappingKind.PURCHASE_ORDER:
                purchase_orders[rest] = _record(row)
    return KnownMappings(
        customers=customers,
        vendors=vendors,
        items=items,
        invoice=invoice,
        payments=payments,
        bills=bills,
        purchase_orders=purchase_orders,
        names_in_use=names_in_use,
    )
