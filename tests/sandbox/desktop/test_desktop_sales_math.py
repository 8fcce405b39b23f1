"""The invoice arithmetic on its own: which lines a subtotal, a discount, a tax line covers."""

from __future__ import annotations

from decimal import Decimal

from qb_sandbox.desktop.sales_math import (
    DISCOUNT,
    OTHER_CHARGE,
    SALES_TAX,
    SUBTOTAL,
    SalesLine,
    line_amounts,
    sales_totals,
)

ITEM = "ItemNonInventory"


def d(value: str) -> Decimal:
    return Decimal(value)


def test_a_discount_applies_only_to_the_line_directly_above() -> None:
    lines = [
        SalesLine(ITEM, quantity=d("100"), rate=d("2.30")),
        SalesLine(ITEM, quantity=d("1"), rate=d("40.00")),
        SalesLine(DISCOUNT, rate_percent=d("10")),
    ]

    assert line_amounts(lines) == [d("230.00"), d("40.00"), d("-4.00")]


def test_a_subtotal_sums_back_to_the_previous_subtotal() -> None:
    lines = [
        SalesLine(ITEM, amount=d("100.00")),
        SalesLine(SUBTOTAL),
        SalesLine(ITEM, amount=d("30.00")),
        SalesLine(ITEM, amount=d("20.00")),
        SalesLine(SUBTOTAL),
        SalesLine(DISCOUNT, rate_percent=d("50")),
    ]

    totals = sales_totals(lines, None, customer_taxable=True)

    assert list(totals.line_amounts) == [
        d("100.00"),
        d("100.00"),
        d("30.00"),
        d("20.00"),
        d("50.00"),
        d("-25.00"),
    ]
    assert totals.subtotal == d("125.00")
    assert totals.discount_total == d("-25.00")


def test_percentage_other_charge_and_sales_tax_lines() -> None:
    lines = [
        SalesLine(ITEM, amount=d("200.00"), taxable=True),
        SalesLine(OTHER_CHARGE, rate_percent=d("3")),  # e.g. a 3% card fee on the line above
        SalesLine(ITEM, amount=d("50.00"), taxable=False),
        SalesLine(SALES_TAX, rate_percent=d("8.25")),
    ]

    assert line_amounts(lines) == [d("200.00"), d("6.00"), d("50.00"), d("16.50")]


def test_tax_rounds_half_away_from_zero() -> None:
    lines = [SalesLine(ITEM, amount=d("10.00"), taxable=True)]

    totals = sales_totals(lines, d("8.25"), customer_taxable=True)

    assert totals.sales_tax == d("0.83")  # 0.825 → 0.83, not banker's 0.82
    assert totals.total == d("10.83")


def test_nothing_is_taxed_for_a_non_taxable_customer_or_without_a_tax_item() -> None:
    lines = [SalesLine(ITEM, amount=d("10.00"), taxable=True)]

    assert sales_totals(lines, d("8.25"), customer_taxable=False).sales_tax == d("0")
    assert sales_totals(lines, None, customer_taxable=True).sales_tax == d("0")
