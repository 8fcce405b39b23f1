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

__all__ = [
    "A7102_ORDER_NUMBER",
    "CANADIAN_ORDER_NUMBER",
    "TWO_SUPPLIER_ORDER_NUMBER",
    "canadian_request",
    "demo_requests",
    "two_supplier_request",
]

A7102_ORDER_NUMBER = "10245"
TWO_SUPPLIER_ORDER_NUMBER = "10246"
CANADIAN_ORDER_NUMBER = "10247"
PENS = "S20417"
MUGS = "S30552"


def two_supplier_order() -> OrderSnapshot:
    """Pens from one supplier, mugs plus their set-up from another; 5 % off; tax; 300.00 paid so far.

    As a distributor fills it in: the customer's PO number, Net 30 terms, the sales rep, the Duluth
    branch's class, a drop-ship address per supplier, the in-hands date, ship date, method and tracking,
    decoration notes per line, the pens supplier's invoice (Net 30) and the mugs supplier's Net 15.

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
                decoration_notes="1 colour, barrel, PMS 2945 C; proof to priya@northshore-realty.example",
            ),
            OrderLine(
                product_number="M11",
                product_name="Ceramic mug 11 oz",
                description="Ceramic mug 11 oz, white, two-colour imprint",
                quantity=Decimal(48),
                unit_price=Decimal("6.50"),
                unit_cost=Decimal("3.10"),
                supplier_id=MUGS,
                decoration_notes="2 colours, wrap, PMS 2945 C and Cool Gray 7",
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
            Supplier(
                esp_id=PENS,
                name="Lakeshore Pen Works",
                asi_number="20417",
                # Drop-shipped straight to the event venue.
                ship_to=Address(line1="350 Harbor Drive", city="Duluth", state="MN", postal_code="55802"),
                invoice_number="LPW-55310",
                invoice_date=date(2024, 6, 12),
                due_date=date(2024, 7, 12),
                terms="Net 30",
            ),
            Supplier(
                esp_id=MUGS,
                name="Red Rock Drinkware",
                asi_number="30552",
                # Shipped to the decorator first.
                ship_to=Address(line1="12 Kiln Road", city="Superior", state="WI", postal_code="54880"),
                terms="Net 15",
            ),
        ],
        total=Decimal("670.50"),
        customer_po_number="NR-2024-0612",
        terms="Net 30",  # due 3 July
        in_hands_date=date(2024, 6, 24),
        ship_date=date(2024, 6, 20),
        ship_method="UPS Ground",
        tracking_number="1Z999AA10123456784",
        sales_rep="Dana Whitfield",
        class_name="Duluth",
        memo="Open house, June 25",
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


def canadian_order() -> OrderSnapshot:
    """An Ontario order in Canadian dollars with 13 % HST, for a Canadian QuickBooks company.

    100 × 1.85 = 185.00 and a set-up of 33.50: 218.50, all taxable. HST 13 % of 218.50 = 28.405 →
    28.41. Total 246.91; paid 100.00; due 146.91. Supplier cost: 100 × 0.90 + set-up 20.00 = 110.00.
    """
    return OrderSnapshot(
        order_number=CANADIAN_ORDER_NUMBER,
        order_date=date(2024, 6, 4),
        currency="CAD",
        customer=Customer(
            esp_id="C3107",
            company_name="Lakeshore Dental",
            first_name="Marc",
            last_name="Tremblay",
            email="marc@lakeshore-dental.example",
            billing_address=Address(
                line1="220 Queens Quay W", city="Toronto", state="ON", postal_code="M5J 2Y5", country="CA"
            ),
        ),
        lines=[
            OrderLine(
                product_number="B220",
                product_name="Stainless water bottle",
                description="Stainless water bottle 20 oz, laser engraved",
                quantity=Decimal(100),
                unit_price=Decimal("1.85"),
                unit_cost=Decimal("0.90"),
                supplier_id="S41200",
            )
        ],
        charges=[
            Charge(
                kind="setup",
                description="Set-up, laser engraving",
                unit_price=Decimal("33.50"),
                unit_cost=Decimal("20.00"),
                supplier_id="S41200",
            )
        ],
        tax=Tax(amount=Decimal("28.41"), rate_percent=Decimal(13), name="HST ON"),
        payments=[
            Payment(
                id="P9", date=date(2024, 6, 4), amount=Decimal("100.00"), method="Cheque", reference="1187"
            )
        ],
        suppliers=[Supplier(esp_id="S41200", name="Great Lakes Drinkware", asi_number="41200")],
        total=Decimal("246.91"),
    )


def canadian_request() -> SendRequest:
    """Sent with "QuickBooks Default": the company's HST ON code computes ESP's 28.41."""
    return SendRequest(
        order=canadian_order(),
        choices=SendChoices(
            customer=CreateNew(create=True),
            send_invoice=True,
            tax="quickbooks_default",
            suppliers={"S41200": SupplierChoices(vendor=CreateNew(create=True), send_bill=True)},
        ),
    )
