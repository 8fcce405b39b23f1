"""The two orders the demo sends: the help article's A7102 example, and a two-supplier order with a
percentage discount, an extra charge, sales tax as an item and a partial payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from espqb.orders import (
    Address,
    Charge,
    CreateNew,
    Customer,
    Discount,
    OrderLine,
    OrderSnapshot,
    Payment,
    SendChoices,
    SendRequest,
    Supplier,
    SupplierChoices,
    Tax,
    a7102_request,
)

__all__ = ["A7102_ORDER_NUMBER", "TWO_SUPPLIER_ORDER_NUMBER", "demo_requests", "two_supplier_request"]

A7102_ORDER_NUMBER = "10245"
TWO_SUPPLIER_ORDER_NUMBER = "10246"
PENS = "S20417"
MUGS = "S30552"


def two_supplier_order() -> OrderSnapshot:
    """Pens from one supplier, mugs plus their set-up from another; 5 % off; tax; 300.00 paid so far.

    Lines 250 × 1.20 = 300.00 and 48 × 6.50 = 312.00, set-up 40.00: 652.00. Discount 5 % = 32.60.
    Tax as ESP computed it, 8.25 % of 619.40 = 51.10. Total 670.50; paid 300.00; due 370.50.
    Supplier costs: pens 250 × 0.55 = 137.50; mugs 48 × 3.10 + set-up 25.00 = 173.80.
    """
    return OrderSnapshot(
        order_number=TWO_SUPPLIER_ORDER_NUMBER,
        order_date=date(2024, 6, 3),
        customer=Customer(
            esp_id="C2044",
            company_name="Northshore Realty",
            first_name="Priya",
            last_name="Raman",
            email="priya@northshore-realty.example",
            billing_address=Address(line1="480 Lake Avenue", city="Duluth", state="MN", postal_code="55802"),
        ),
        lines=[
            OrderLine(
                product_number="P455",
                product_name="Soft-touch pen",
                description="Soft-touch pen, black ink, one-colour imprint",
                quantity=Decimal(250),
                unit_price=Decimal("1.20"),
                unit_cost=Decimal("0.55"),
                supplier_id=PENS,
            ),
            OrderLine(
                product_number="M11",
                product_name="Ceramic mug 11 oz",
                description="Ceramic mug 11 oz, white, two-colour imprint",
                quantity=Decimal(48),
                unit_price=Decimal("6.50"),
                unit_cost=Decimal("3.10"),
                supplier_id=MUGS,
            ),
        ],
        charges=[
            Charge(
                kind="setup",
                description="Set-up, mug imprint",
                unit_price=Decimal("40.00"),
                unit_cost=Decimal("25.00"),
                supplier_id=MUGS,
            )
        ],
        discount=Discount(percent=Decimal(5)),
        tax=Tax(amount=Decimal("51.10"), rate_percent=Decimal("8.25"), name="Sales tax 8.25%"),
        payments=[
            Payment(id="P7", date=date(2024, 6, 3), amount=Decimal("300.00"), method="Visa", reference="2207")
        ],
        suppliers=[
            Supplier(esp_id=PENS, name="Lakeshore Pen Works", asi_number="20417"),
            Supplier(esp_id=MUGS, name="Red Rock Drinkware", asi_number="30552"),
        ],
        total=Decimal("670.50"),
    )


def two_supplier_request() -> SendRequest:
    both = SupplierChoices(vendor=CreateNew(create=True), send_bill=True, send_purchase_order=True)
    return SendRequest(
        order=two_supplier_order(),
        choices=SendChoices(
            customer=CreateNew(create=True), send_invoice=True, tax="item", suppliers={PENS: both, MUGS: both}
        ),
    )


def demo_requests() -> list[SendRequest]:
    """What the demo sends, in this order, to each product."""
    return [a7102_request(), two_supplier_request()]
