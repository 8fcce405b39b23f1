"""Invoice totals: lines rounded once each, discount and tax exact, and ESP's total checked to the cent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from espqb.money import money_sum
from espqb.orders import OrderSnapshot
from espqb.plan import DiscountLine, InvoiceOp, ItemLine, PlanError, Target, TaxLine
from tests.plan.factories import line, order, plan

TARGETS: list[Target] = ["qbo", "qbd"]

# Each case: the order's lines (quantity, unit price), extra order fields, and the figures a
# bookkeeper computes by hand: line amounts, subtotal, discount, tax, total.
CASES: list[dict[str, Any]] = [
    {
        "id": "odd-cent prices times awkward quantities",
        "lines": [("3", "0.333"), ("7", "1.145"), ("250", "0.00999")],
        "extra": {},
        "amounts": ["1.00", "8.02", "2.50"],  # 0.999, 8.015, 2.4975
        "figures": ("11.52", "0.00", "0.00", "11.52"),
    },
    {
        "id": "half cents round up, not to even",
        "lines": [("5", "1.605"), ("1.5", "0.01"), ("2.5", "0.25")],
        "extra": {},
        "amounts": ["8.03", "0.02", "0.63"],  # 8.025, 0.015, 0.625
        "figures": ("8.68", "0.00", "0.00", "8.68"),
    },
    {
        "id": "7.25 % tax carried as ESP computed it",
        "lines": [("1", "137.93")],
        "extra": {"tax": {"amount": "10.00", "rate_percent": "7.25"}},  # 9.999925
        "amounts": ["137.93"],
        "figures": ("137.93", "0.00", "10.00", "147.93"),
    },
    {
        "id": "7.5 % discount",
        "lines": [("1", "123.45")],
        "extra": {"discount": {"percent": "7.5"}},  # 9.25875
        "amounts": ["123.45"],
        "figures": ("123.45", "9.26", "0.00", "114.19"),
    },
    {
        "id": "12.5 % discount then 7.25 % tax",
        "lines": [("144", "0.875"), ("1", "55.00")],
        "extra": {"discount": {"percent": "12.5"}, "tax": {"amount": "11.48", "rate_percent": "7.25"}},
        "amounts": ["126.00", "55.00"],  # discount 22.625; tax on 158.37 = 11.481825
        "figures": ("181.00", "22.63", "11.48", "169.85"),
    },
    {
        "id": "zero-amount lines are kept",
        "lines": [("0", "4.99"), ("25", "0"), ("10", "1.00")],
        "extra": {},
        "amounts": ["0.00", "0.00", "10.00"],
        "figures": ("10.00", "0.00", "0.00", "10.00"),
    },
    {
        "id": "discount as an amount",
        "lines": [("12", "3.3333")],
        "extra": {"discount": {"amount": "0.01"}},  # 39.9996
        "amounts": ["40.00"],
        "figures": ("40.00", "0.01", "0.00", "39.99"),
    },
]


def _case_order(case: dict[str, Any]) -> OrderSnapshot:
    return order(
        [line(f"P{i}", q, p, cost="0.10") for i, (q, p) in enumerate(case["lines"])],
        total=case["figures"][3],
        **case["extra"],
    )


def _item_amounts(invoice: InvoiceOp) -> list[str]:
    return [str(line.amount) for line in invoice.lines if isinstance(line, ItemLine)]


def _quickbooks_total(invoice: InvoiceOp) -> Decimal:
    amounts = [
        -line.amount if isinstance(line, DiscountLine) else line.amount
        for line in invoice.lines
        if isinstance(line, ItemLine | DiscountLine | TaxLine)
    ]
    if invoice.tax.mode != "item":
        amounts.append(invoice.tax.amount)
    return money_sum(amounts)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_rounding_table(case: dict[str, Any], target: Target) -> None:
    p = plan(_case_order(case), target=target)
    invoice = p.operation("invoice")
    assert isinstance(invoice, InvoiceOp)
    assert _item_amounts(invoice) == case["amounts"]
    t = p.totals
    assert tuple(str(x) for x in (t.invoice_subtotal, t.discount, t.tax, t.invoice_total)) == case["figures"]
    assert _quickbooks_total(invoice) == invoice.total == t.invoice_total


@pytest.mark.parametrize("target", TARGETS)
def test_fifty_line_order_rounds_each_line_not_the_sum(target: Target) -> None:
    # 3 × 0.335 = 1.005 → 1.01 per line: 50 lines make 50.50 (rounding the sum would give 50.25).
    lines = [
        line(f"P{i:02d}", 3, "0.335", cost="0.2", supplier_id="S1" if i % 2 else "S2") for i in range(50)
    ]
    snapshot = order(
        lines,
        total="50.50",
        suppliers=[{"esp_id": "S1", "name": "One"}, {"esp_id": "S2", "name": "Two"}],
    )
    p = plan(snapshot, {"suppliers": {"S1": {"send_bill": True}, "S2": {"send_bill": True}}}, target=target)
    invoice = p.operation("invoice")
    assert isinstance(invoice, InvoiceOp)
    assert _item_amounts(invoice) == ["1.01"] * 50
    assert p.totals.invoice_total == Decimal("50.50")
    assert len([k for k in p.operation_keys() if k.startswith("item:")]) == 50
    # 3 × 0.2 = 0.60 per line, 25 lines per supplier
    assert [(s.supplier_id, s.bill_total) for s in p.totals.suppliers] == [
        ("S1", Decimal("15.00")),
        ("S2", Decimal("15.00")),
    ]


@pytest.mark.parametrize(
    ("esp_total", "difference"),
    [("218.51", "0.01 (ESP's total is higher)"), ("218.00", "0.50 (ESP's total is lower)")],
)
def test_a_total_that_disagrees_is_refused_naming_both_figures(esp_total: str, difference: str) -> None:
    snapshot = order([line("A7102", 100, "2.30")], total=esp_total, discount={"amount": "11.50"})
    with pytest.raises(PlanError) as caught:
        plan(snapshot)
    (problem,) = caught.value.problems
    assert problem.path == "order.total"
    assert f"ESP's order total is {esp_total}" in problem.message
    assert "come to 218.50" in problem.message
    assert f"a difference of {difference}" in problem.message


def test_a_discount_larger_than_the_subtotal_is_refused() -> None:
    snapshot = order(
        [line("A", 1, "10.00")], total="0.00", discount={"amount": "10.01"}, tax={"amount": "0.01"}
    )
    with pytest.raises(PlanError) as caught:
        plan(snapshot)
    assert [p.path for p in caught.value.problems] == ["order.discount"]
    assert "10.01" in caught.value.problems[0].message


def test_charges_are_lines_on_their_own_items() -> None:
    snapshot = order(
        [line("A7102", 100, "2.30")],
        total="315.00",
        charges=[
            {"kind": "setup", "unit_price": "55.00"},
            {"kind": "run", "quantity": "100", "unit_price": "0.25", "description": "Second colour"},
            {"kind": "shipping", "unit_price": "5.00"},
        ],
    )
    p = plan(snapshot)
    invoice = p.operation("invoice")
    assert isinstance(invoice, InvoiceOp)
    charge_lines = [
        ln for ln in invoice.lines if isinstance(ln, ItemLine) and ln.source.startswith("order.charges")
    ]
    assert [(ln.item_key, str(ln.amount), ln.description) for ln in charge_lines] == [
        ("item:charge:setup", "55.00", "Setup Charge"),
        ("item:charge:run", "25.00", "Second colour"),
        ("item:charge:shipping", "5.00", "Shipping"),
    ]
    names = {p.operation(ln.item_key).name for ln in charge_lines}  # type: ignore[union-attr]
    assert names == {"Setup Charge", "Run Charge", "Shipping"}
