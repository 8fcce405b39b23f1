"""Properties over many generated orders: totals agree exactly, names fit, planning is deterministic.

The expected figures are computed here independently of ``espqb.money``, in whole cents with
integer arithmetic (half up), so the properties check the plan against a second implementation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from espqb.money import money_sum
from espqb.orders import OrderSnapshot, SendChoices
from espqb.plan import (
    LIMITS,
    BillOp,
    CustomerOp,
    DiscountLine,
    InvoiceOp,
    ItemLine,
    ItemOp,
    KnownMappings,
    PlanError,
    Target,
    TaxLine,
    VendorOp,
    build_plan,
)
from tests.plan.factories import SETTINGS

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Fixed:
    """A decimal figure as an integer count of 10^-places units."""

    units: int
    places: int

    def text(self) -> str:
        return str(Decimal(self.units).scaleb(-self.places))


def cents_half_up(numerator: int, denominator: int) -> int:
    """round(numerator / denominator) half up, for non-negative figures."""
    return (2 * numerator + denominator) // (2 * denominator)


def amount_cents(quantity: Fixed, price: Fixed) -> int:
    return cents_half_up(quantity.units * price.units * 100, 10 ** (quantity.places + price.places))


def cents_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


fixed_quantity = st.builds(Fixed, st.integers(0, 5000), st.integers(0, 2))
fixed_price = st.builds(Fixed, st.integers(0, 2_000_000), st.integers(0, 5))
name_text = st.text(
    alphabet=st.sampled_from([*"AB7:-\t\n é", "\u0301", "日", "☕", "Ω"]), min_size=1, max_size=45
).filter(lambda s: s.strip(": \t\n\u0301") != "")


@st.composite
def orders(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, int]]:
    """A valid order as JSON-ready data, and the figures it must produce, in cents."""
    supplier_ids = [f"S{i}" for i in range(draw(st.integers(1, 3)))]
    suppliers = [{"esp_id": sid, "name": draw(name_text)} for sid in supplier_ids]
    expected: dict[str, int] = {f"cost:{sid}": 0 for sid in supplier_ids}
    subtotal = 0
    lines = []
    for _ in range(draw(st.integers(1, 10))):
        q, p, c = draw(fixed_quantity), draw(fixed_price), draw(fixed_price)
        sid = draw(st.sampled_from(supplier_ids))
        subtotal += amount_cents(q, p)
        expected[f"cost:{sid}"] += amount_cents(q, c)
        lines.append(
            {
                "product_number": draw(name_text),
                "product_name": draw(name_text),
                "quantity": q.text(),
                "unit_price": p.text(),
                "unit_cost": c.text(),
                "supplier_id": sid,
                "taxable": draw(st.booleans()),
            }
        )
    charges = []
    for _ in range(draw(st.integers(0, 3))):
        q, p, c = draw(fixed_quantity), draw(fixed_price), draw(fixed_price)
        charge_supplier = draw(st.none() | st.sampled_from(supplier_ids))
        subtotal += amount_cents(q, p)
        if charge_supplier is not None:
            expected[f"cost:{charge_supplier}"] += amount_cents(q, c)
        kind = draw(st.sampled_from(["setup", "run", "shipping", "other"]))
        charges.append(
            {
                "kind": kind,
                "quantity": q.text(),
                "unit_price": p.text(),
                "unit_cost": c.text(),
                "supplier_id": charge_supplier,
            }
        )

    discount_kind = draw(st.sampled_from(["none", "amount", "percent"]))
    discount: dict[str, str] | None = None
    discount_cents = 0
    if discount_kind == "amount":
        discount_cents = draw(st.integers(0, subtotal))
        discount = {"amount": cents_text(discount_cents)}
    elif discount_kind == "percent":
        percent = Fixed(draw(st.integers(0, 1_000_000)), 4)  # 0 to 100 %, four places
        discount_cents = cents_half_up(subtotal * percent.units, 100 * 10**4)
        discount = {"percent": percent.text()}
    tax_cents = draw(st.integers(0, 50_000))
    total = subtotal - discount_cents + tax_cents

    payments = []
    remaining = total
    for index in range(draw(st.integers(0, 3))):
        if remaining < 1:
            break
        paid = draw(st.integers(1, remaining))
        remaining -= paid
        payments.append({"id": f"P{index}", "date": "2024-06-05", "amount": cents_text(paid)})

    data = {
        "order_number": draw(st.from_regex(r"[0-9A-Z-]{1,30}", fullmatch=True)),
        "order_date": "2024-06-03",
        "customer": {"esp_id": "C1", "company_name": draw(name_text)},
        "lines": lines,
        "charges": charges,
        "discount": discount,
        "tax": {"amount": cents_text(tax_cents), "rate_percent": "7.25"} if tax_cents else None,
        "payments": payments,
        "suppliers": suppliers,
        "total": cents_text(total),
    }
    expected.update(
        subtotal=subtotal, discount=discount_cents, tax=tax_cents, total=total, paid=total - remaining
    )
    return data, expected


choices_strategy = st.builds(
    lambda tax, bill, po: SendChoices.model_validate(
        {"tax": tax, "suppliers": {f"S{i}": {"send_bill": bill, "send_purchase_order": po} for i in range(3)}}
    ),
    st.sampled_from(["item", "quickbooks_default", {"code": "TX"}]),
    st.booleans(),
    st.booleans(),
)


def _plan(data: dict[str, Any], choices: SendChoices, target: Target) -> Any:
    order = OrderSnapshot.model_validate(data)
    known = {s["esp_id"] for s in data["suppliers"]}
    choices = choices.model_copy(
        update={"suppliers": {k: v for k, v in choices.suppliers.items() if k in known}}
    )
    return build_plan(order, choices, SETTINGS, KnownMappings(), target)


def _cents(value: Decimal) -> int:
    return int(value * 100)


@FAST
@given(orders(), choices_strategy)
def test_plan_totals_equal_the_orders_exactly(
    generated: tuple[dict[str, Any], dict[str, int]], choices: SendChoices
) -> None:
    data, expected = generated
    totals_by_target = {}
    for target in ("qbo", "qbd"):
        plan = _plan(data, choices, target)
        t = plan.totals
        assert _cents(t.invoice_subtotal) == expected["subtotal"]
        assert _cents(t.discount) == expected["discount"]
        assert _cents(t.tax) == expected["tax"]
        assert _cents(t.invoice_total) == expected["total"] == _cents(Decimal(data["total"]))
        assert _cents(t.payments_applied) == expected["paid"]
        assert _cents(t.balance_due) == expected["total"] - expected["paid"]

        invoice = plan.operation("invoice")
        assert isinstance(invoice, InvoiceOp)
        signed = [
            -ln.amount if isinstance(ln, DiscountLine) else ln.amount
            for ln in invoice.lines
            if isinstance(ln, ItemLine | DiscountLine | TaxLine)
        ]
        if invoice.tax.mode != "item":
            signed.append(invoice.tax.amount)
        assert money_sum(signed) == invoice.total == t.invoice_total

        for op in plan.operations:
            if isinstance(op, BillOp):
                assert _cents(op.total) == expected[f"cost:{op.supplier_id}"]
                assert money_sum(ln.amount for ln in op.lines) == op.total
        totals_by_target[target] = t
    assert totals_by_target["qbo"] == totals_by_target["qbd"]


@FAST
@given(orders(), choices_strategy, st.sampled_from(["qbo", "qbd"]))
def test_planning_is_deterministic(
    generated: tuple[dict[str, Any], dict[str, int]], choices: SendChoices, target: Target
) -> None:
    data, _ = generated
    first = _plan(data, choices, target)
    again = _plan(OrderSnapshot.model_validate(data).model_dump(mode="json"), choices, target)
    assert first == again
    assert first.as_dict() == again.as_dict()


@FAST
@given(orders(), st.sampled_from(["qbo", "qbd"]))
def test_names_fit_and_are_unique(generated: tuple[dict[str, Any], dict[str, int]], target: Target) -> None:
    data, _ = generated
    plan = _plan(data, SendChoices.model_validate({"suppliers": {"S0": {"send_bill": True}}}), target)
    limits = LIMITS[target]
    item_names = [op.name for op in plan.operations if isinstance(op, ItemOp)]
    party_names = [op.name for op in plan.operations if isinstance(op, CustomerOp | VendorOp) and op.name]
    for names, limit in ((item_names, limits.item_name), (party_names, limits.party_name)):
        assert all(0 < len(n) <= limit and ":" not in n and "\t" not in n and "\n" not in n for n in names)
        assert len({n.casefold() for n in names}) == len(names)


@FAST
@given(orders(), st.sampled_from([-1, 1]))
def test_a_total_off_by_one_cent_is_refused(
    generated: tuple[dict[str, Any], dict[str, int]], delta: int
) -> None:
    data, expected = generated
    wrong = expected["total"] + delta
    if wrong < 0 or expected["paid"] > wrong:
        return
    data = {**data, "total": cents_text(wrong)}
    with pytest.raises(PlanError) as caught:
        _plan(data, SendChoices(), "qbd")
    assert [p.path for p in caught.value.problems] == ["order.total"]
    assert f"ESP's order total is {Decimal(cents_text(wrong)):,.2f}" in caught.value.problems[0].message
