"""Document details as a distributor fills them in: the customer's PO number, dates, ship-to and
drop-ship, shipping, messages and memos — decided once, fitted to each product, never refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from espqb.orders import OrderSnapshot
from espqb.plan import Address, BillOp, InvoiceOp, ListEntryOp, PurchaseOrderOp, QuickBooksCompany, Target
from tests.plan.factories import line, order, plan, supplier

BOTH = {"suppliers": {"S1": {"send_bill": True, "send_purchase_order": True}}}


def _order(**extra: Any) -> OrderSnapshot:
    return order(
        [line("A7102", 100, "2.30", cost="1.15", decoration_notes="1-colour imprint, front, PMS 286")],
        total="230.00",
        **extra,
    )


def _ops(
    target: Target, snapshot: OrderSnapshot, company: QuickBooksCompany | None = None
) -> tuple[Any, ...]:
    p = plan(snapshot, BOTH, target=target, company=company)
    invoice, po, bill = p.operation("invoice"), p.operation("purchase_order:S1"), p.operation("bill:S1")
    assert isinstance(invoice, InvoiceOp) and isinstance(po, PurchaseOrderOp) and isinstance(bill, BillOp)
    return p, invoice, po, bill


DETAILS: dict[str, Any] = {
    "customer_po_number": "PO-88231",
    "due_date": "2024-07-03",
    "ship_date": "2024-06-20",
    "ship_method": "UPS Ground",
    "tracking_number": "1Z999AA10123456784",
    "in_hands_date": "2024-06-25",
    "customer_message": "Thank you for your order!",
    "memo": "Rush: trade show",
    "ship_to": {"line1": "9 Harbor Way", "city": "Duluth", "state": "MN", "postal_code": "55802"},
}


@pytest.mark.parametrize("target", ["qbo", "qbd"])
def test_every_detail_lands_where_each_product_keeps_it(target: Target) -> None:
    company = QuickBooksCompany(product=target, po_number_field="1")
    drop_ship = {"line1": "55 Event Center Dr", "city": "Minneapolis", "state": "MN", "postal_code": "55403"}
    suppliers = [
        {
            **supplier("S1"),
            "ship_to": drop_ship,
            "invoice_number": "INV-4471",
            "invoice_date": "2024-06-10",
            "due_date": "2024-07-10",
        }
    ]
    p, invoice, po, bill = _ops(target, _order(suppliers=suppliers, **DETAILS), company)
    d = invoice.details
    assert (d.po_number, d.due_date, d.ship_date, d.tracking_number) == (
        "PO-88231",
        date(2024, 7, 3),
        date(2024, 6, 20),
        "1Z999AA10123456784",
    )
    assert invoice.shipping_address == Address(
        line1="9 Harbor Way", city="Duluth", state="MN", postal_code="55802"
    )
    assert invoice.memo == "Rush: trade show — ESP order 5001"
    # The purchase order ships to the supplier's drop-ship address, expected on the in-hands date,
    # with the decoration notes for the vendor.
    assert po.ship_address is not None and po.ship_address.line1 == "55 Event Center Dr"
    assert po.details.expected_date == date(2024, 6, 25)
    assert po.details.vendor_message == "A7102: 1-colour imprint, front, PMS 286"
    # The bill is the supplier's invoice: its number, date and due date.
    assert (bill.doc_number, bill.txn_date, bill.details.due_date) == (
        "INV-4471",
        date(2024, 6, 10),
        date(2024, 7, 10),
    )
    if target == "qbo":
        assert (d.po_number_in_field, d.ship_method, d.customer_message) == (
            "1",
            "UPS Ground",
            "Thank you for your order!",
        )
        assert po.details.ship_method == "UPS Ground"
        assert p.notes == ()
    else:
        # Desktop keeps ship methods and customer messages in lists: one entry each, named by both the
        # invoice and the purchase order, added because this company's lists do not have them.
        assert (d.ship_method, d.customer_message, po.details.ship_method) == (None, None, None)
        assert d.ship_method_key == po.details.ship_method_key == "ship_method:ups ground"
        entries = {op.key: (op.action, op.name) for op in p.operations if isinstance(op, ListEntryOp)}
        assert entries == {
            "ship_method:ups ground": ("create", "UPS Ground"),
            "customer_message:thank you for your order!": ("create", "Thank you for your order!"),
        }
        assert d.customer_message_key == "customer_message:thank you for your order!"
        assert p.notes == ()


def test_without_a_custom_field_online_puts_the_po_number_at_the_head_of_the_invoice_message() -> None:
    p, invoice, _po, _bill = _ops("qbo", _order(**DETAILS), QuickBooksCompany())
    assert invoice.details.po_number_in_field is None
    assert invoice.details.customer_message == "PO PO-88231 — Thank you for your order!"
    assert any("no sales-form custom field named for a PO number" in n for n in p.notes)


@pytest.mark.parametrize(("target", "kept"), [("qbd", 25), ("qbo", 31)])
def test_a_po_number_too_long_for_quickbooks_is_cut_with_a_warning_never_refused(
    target: Target, kept: int
) -> None:
    long_po = "PO-" + "7" * 27  # 30 characters
    p, invoice, _po, _bill = _ops(
        target, _order(customer_po_number=long_po), QuickBooksCompany(po_number_field="1")
    )
    if target == "qbd":
        assert invoice.details.po_number == long_po[:25]
        assert any(f"customer PO number “{long_po}” is longer than the 25 characters" in n for n in p.notes)
    else:
        assert invoice.details.po_number == long_po and len(long_po) <= kept
        assert p.notes == ()


def test_a_supplier_invoice_number_too_long_for_desktop_is_cut_and_said() -> None:
    suppliers = [{**supplier("S1"), "invoice_number": "SUPPLIER-INVOICE-2024-000123"}]
    p, _invoice, _po, bill = _ops("qbd", _order(suppliers=suppliers))
    assert bill.doc_number == "SUPPLIER-INVOICE-202"  # RefNumber holds 20
    assert any("invoice number of Supplier S1" in n for n in p.notes)


def test_without_details_the_documents_are_as_before() -> None:
    _p, invoice, po, bill = _ops("qbd", _order())
    assert invoice.details.po_number is None and invoice.memo == "ESP order 5001"
    assert po.details.vendor_message == "A7102: 1-colour imprint, front, PMS 286"
    assert (bill.doc_number, bill.txn_date) == ("5001", date(2024, 6, 3))


def test_a_due_date_before_the_order_date_is_refused_with_its_field() -> None:
    with pytest.raises(ValidationError) as raised:
        _order(due_date="2024-05-01")
    assert raised.value.errors()[0]["loc"] == ("due_date",)
    with pytest.raises(ValidationError) as raised:
        _order(suppliers=[{**supplier("S1"), "invoice_date": "2024-06-10", "due_date": "2024-06-01"}])
    assert raised.value.errors()[0]["loc"] == ("suppliers", 0, "due_date")
