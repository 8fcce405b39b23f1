"""Re-sending an order whose documents are mapped updates them in place; nothing is created twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from espqb.orders import OrderSnapshot, a7102_request
from espqb.plan import (
    BillOp,
    CustomerOp,
    InvoiceOp,
    ItemOp,
    KnownMappings,
    MappedRecord,
    PaymentOp,
    Plan,
    PurchaseOrderOp,
    Target,
    VendorOp,
)
from tests.plan.factories import plan


def record(p: Plan, order: OrderSnapshot, before: KnownMappings | None = None) -> KnownMappings:
    """What the gateway stores after running the plan: each record's id, name and version token."""
    data = (before or KnownMappings()).model_dump()
    for op in p.operations:
        if op.action == "create":
            mapped = MappedRecord(quickbooks_id=f"QB-{op.key}", name=getattr(op, "name", None), version="0")
        else:
            assert op.existing is not None
            version = (
                str(int(op.existing.version or "0") + 1) if op.action == "update" else op.existing.version
            )
            mapped = MappedRecord(
                quickbooks_id=op.existing.quickbooks_id or "?", name=op.existing.name, version=version
            )
        if isinstance(op, CustomerOp):
            data["customers"][order.customer.esp_id] = mapped
        elif isinstance(op, VendorOp):
            data["vendors"][op.supplier_id] = mapped
        elif isinstance(op, ItemOp):
            data["items"][op.esp_key] = mapped
        elif isinstance(op, InvoiceOp):
            data["invoice"] = mapped
        elif isinstance(op, PaymentOp):
            data["payments"][op.payment_id] = mapped
        elif isinstance(op, PurchaseOrderOp):
            data["purchase_orders"][op.supplier_id] = mapped
        elif isinstance(op, BillOp):
            data["bills"][op.supplier_id] = mapped
    return KnownMappings.model_validate(data)


@pytest.mark.parametrize("target", ["qbo", "qbd"])
def test_resend_yields_links_and_updates_only(target: Target) -> None:
    request = a7102_request()
    first = plan(request.order, request.choices, target=target)
    assert {op.action for op in first.operations} == {"create"}

    mappings = record(first, request.order)
    again = plan(request.order, request.choices, target=target, mappings=mappings)
    assert again.operation_keys() == first.operation_keys()
    actions = {op.key: op.action for op in again.operations}
    assert set(actions.values()) <= {"link", "update"}
    documents = ("invoice", "payment:P1", "purchase_order:S61125", "bill:S61125")
    assert all(actions[key] == "update" for key in documents)
    assert all(actions[key] == "link" for key in again.operation_keys() if key not in documents)
    # Each update names the record it changes and carries its stored version token.
    for key in documents:
        existing = again.operation(key).existing
        assert existing is not None
        assert (existing.quickbooks_id, existing.version) == (f"QB-{key}", "0")
    assert again.totals == first.totals


def test_a_changed_order_updates_the_same_invoice() -> None:
    request = a7102_request()
    first = plan(request.order, request.choices, target="qbd")
    mappings = record(first, request.order)
    mappings = mappings.model_copy(update={"invoice": MappedRecord(quickbooks_id="QB-invoice", version="7")})

    changed = request.order.model_copy(update={"total": Decimal("241.50")})
    changed = changed.model_copy(
        update={"lines": [changed.lines[0].model_copy(update={"quantity": Decimal(110)})]}
    )  # 110 × 2.30 = 253.00 − 11.50
    again = plan(changed, request.choices, target="qbd", mappings=mappings)
    invoice = again.operation("invoice")
    assert isinstance(invoice, InvoiceOp)
    assert invoice.action == "update"
    assert invoice.existing is not None and invoice.existing.version == "7"
    assert invoice.total == Decimal("241.50")
    assert again.totals.balance_due == Decimal("141.50")


def test_a_new_payment_on_resend_is_created_and_the_old_one_updated() -> None:
    request = a7102_request()
    first = plan(request.order, request.choices)
    mappings = record(first, request.order)
    order = request.order
    order = order.model_copy(
        update={
            "payments": [
                *order.payments,
                order.payments[0].model_copy(update={"id": "P2", "amount": Decimal("118.50")}),
            ]
        }
    )
    again = plan(order, request.choices, mappings=mappings)
    assert (again.operation("payment:P1").action, again.operation("payment:P2").action) == (
        "update",
        "create",
    )
    assert again.totals.balance_due == Decimal("0.00")


def test_a_mapped_customer_is_linked_even_when_the_dialog_says_create() -> None:
    request = a7102_request()
    assert request.choices.customer is not None  # "Create New Customer"
    mappings = KnownMappings(
        customers={"C1001": MappedRecord(quickbooks_id="58", name="Lakeside Dental", version="3")}
    )
    customer = plan(request.order, request.choices, mappings=mappings).operation("customer")
    assert customer.action == "link"
    assert customer.existing is not None and customer.existing.quickbooks_id == "58"
