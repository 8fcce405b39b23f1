"""The help article's worked example, reproduced to the cent on both QuickBooks products."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from espqb.money import money_sum
from espqb.orders import Discount, a7102_example, a7102_request
from espqb.plan import DiscountLine, InvoiceOp, ItemLine, PaymentOp, Plan, SubtotalLine, Target, TaxLine
from tests.plan.factories import plan


def _invoice(p: Plan) -> InvoiceOp:
    op = p.operation("invoice")
    assert isinstance(op, InvoiceOp)
    return op


def _invoice_lines_total(invoice: InvoiceOp) -> Decimal:
    """What QuickBooks will add up: item lines − discount + tax line (subtotal lines are not added)."""
    signed = []
    for line in invoice.lines:
        if isinstance(line, ItemLine | TaxLine):
            signed.append(line.amount)
        elif isinstance(line, DiscountLine):
            signed.append(-line.amount)
    return money_sum(signed) if invoice.tax.mode == "item" else money_sum([*signed, invoice.tax.amount])


@pytest.mark.parametrize("target", ["qbo", "qbd"])
def test_a7102_totals(target: Target) -> None:
    request = a7102_request()
    totals = plan(request.order, request.choices, target=target).totals
    figures = (
        totals.invoice_subtotal,
        totals.discount,
        totals.tax,
        totals.invoice_total,
        totals.payments_applied,
        totals.balance_due,
    )
    assert [str(f) for f in figures] == ["230.00", "11.50", "0.00", "218.50", "100.00", "118.50"]


@pytest.mark.parametrize("target", ["qbo", "qbd"])
def test_a7102_invoice_adds_up_to_esp_total(target: Target) -> None:
    request = a7102_request()
    invoice = _invoice(plan(request.order, request.choices, target=target))
    item = invoice.lines[0]
    assert isinstance(item, ItemLine)
    assert (item.quantity, item.unit_price, item.amount) == (Decimal(100), Decimal("2.30"), Decimal("230.00"))
    assert _invoice_lines_total(invoice) == invoice.total == request.order.total


def test_a7102_discount_on_desktop_is_a_subtotal_then_a_discount_item() -> None:
    request = a7102_request()
    p = plan(request.order, request.choices, target="qbd")
    invoice = _invoice(p)
    assert invoice.discount_style == "qbd_subtotal_then_discount"
    assert [line.kind for line in invoice.lines] == ["item", "subtotal", "discount"]
    subtotal, discount = invoice.lines[1], invoice.lines[2]
    assert isinstance(subtotal, SubtotalLine) and isinstance(discount, DiscountLine)
    assert subtotal.amount == Decimal("230.00")
    assert discount.amount == Decimal("11.50")
    assert p.operation(subtotal.item_key).kind == "item"
    assert discount.item_key is not None and p.operation(discount.item_key).kind == "item"


def test_a7102_discount_on_qbo_is_one_discount_line_without_item() -> None:
    request = a7102_request()
    p = plan(request.order, request.choices, target="qbo")
    invoice = _invoice(p)
    assert invoice.discount_style == "qbo_discount_line"
    assert [line.kind for line in invoice.lines] == ["item", "discount"]
    discount = invoice.lines[1]
    assert isinstance(discount, DiscountLine) and discount.item_key is None
    assert discount.amount == Decimal("11.50")
    assert not any(key.startswith("item:special") for key in p.operation_keys())


def test_a7102_operations_in_execution_order() -> None:
    request = a7102_request()
    assert plan(request.order, request.choices, target="qbo").operation_keys() == (
        "customer",
        "vendor:S61125",
        "item:S61125/A7102",
        "invoice",
        "payment:P1",
        "purchase_order:S61125",
        "bill:S61125",
    )


def test_a7102_payment_is_applied_to_the_invoice() -> None:
    request = a7102_request()
    payment = plan(request.order, request.choices).operation("payment:P1")
    assert isinstance(payment, PaymentOp)
    assert (payment.invoice_key, payment.customer_key, payment.amount) == (
        "invoice",
        "customer",
        Decimal("100.00"),
    )


@pytest.mark.parametrize("target", ["qbo", "qbd"])
def test_a7102_with_a_five_percent_discount_gives_the_same_figures(target: Target) -> None:
    as_percent = a7102_example().model_copy(update={"discount": Discount(percent=Decimal(5))})
    p = plan(as_percent, target=target)
    assert (p.totals.discount, p.totals.invoice_total, p.totals.balance_due) == (
        Decimal("11.50"),
        Decimal("218.50"),
        Decimal("118.50"),
    )
    discount = next(line for line in _invoice(p).lines if isinstance(line, DiscountLine))
    assert discount.percent == Decimal(5) and discount.description == "Discount 5%"


def test_a7102_plan_as_json() -> None:
    request = a7102_request()
    data = json.loads(json.dumps(plan(request.order, request.choices, target="qbd").as_dict()))
    assert data["totals"]["balance_due"] == "118.50"
    invoice = next(op for op in data["operations"] if op["kind"] == "invoice")
    assert [(line["kind"], line["amount"]) for line in invoice["lines"]] == [
        ("item", "230.00"),
        ("subtotal", "230.00"),
        ("discount", "11.50"),
    ]
