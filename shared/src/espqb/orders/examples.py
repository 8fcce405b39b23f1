"""The "A7102 example" from ESP's help article, as a ready-made snapshot.

Item A7102, 100 × 2.30 = 230.00; discount −11.50; total 218.50; payment 100.00 applied; balance
due 118.50 (the help article's worked example). Used by the OpenAPI examples, the demo and tests across the
project, so keep the figures exactly as they are.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from espqb.orders.choices import CreateNew, SendChoices, SupplierChoices
from espqb.orders.request import SendRequest
from espqb.orders.snapshot import (
    Address,
    Customer,
    Discount,
    OrderLine,
    OrderSnapshot,
    Payment,
    Supplier,
)

__all__ = ["A7102_SUPPLIER_ID", "a7102_example", "a7102_request"]

A7102_SUPPLIER_ID = "S61125"


def a7102_example() -> OrderSnapshot:
    """A fresh snapshot of the A7102 example (one line, one supplier, a discount, one payment)."""
    return OrderSnapshot(
        order_number="10245",
        order_date=date(2024, 5, 14),
        currency="USD",
        customer=Customer(
            esp_id="C1001",
            company_name="Lakeside Dental Group",
            first_name="Dana",
            last_name="Whitfield",
            email="dana@lakeside-dental.example",
            phone="555-0142",
            billing_address=Address(
                line1="12 Harbor Road", city="Duluth", state="MN", postal_code="55802", country="US"
            ),
        ),
        lines=[
            OrderLine(
                product_number="A7102",
                product_name="Tote Bag",
                description="Tote bag, navy, one-colour imprint",
                quantity=Decimal(100),
                unit_price=Decimal("2.30"),
                unit_cost=Decimal("1.15"),
                supplier_id=A7102_SUPPLIER_ID,
                taxable=True,
            )
        ],
        discount=Discount(amount=Decimal("11.50")),
        payments=[
            Payment(
                id="P1",
                date=date(2024, 5, 14),
                amount=Decimal("100.00"),
                method="Check",
                reference="4411",
            )
        ],
        suppliers=[
            Supplier(
                esp_id=A7102_SUPPLIER_ID,
                name="Hit Promotional Products",
                asi_number="61125",
                address=Address(line1="7150 Bryan Dairy Road", city="Largo", state="FL", postal_code="33777"),
            )
        ],
        total=Decimal("218.50"),
    )


def a7102_request() -> SendRequest:
    """The A7102 example with the dialog filled in: new customer, invoice, bill and purchase order."""
    return SendRequest(
        order=a7102_example(),
        choices=SendChoices(
            customer=CreateNew(create=True),
            send_invoice=True,
            tax="item",
            suppliers={
                A7102_SUPPLIER_ID: SupplierChoices(
                    vendor=CreateNew(create=True), send_bill=True, send_purchase_order=True
                )
            },
        ),
    )
