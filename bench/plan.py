"""How fast is the order → accounting plan? Plans per second for a 20-line, two-supplier order.

    .tools/bin/uv run python bench/plan.py [--seconds 3]

Prints one row per target (QBO, Desktop): plans per second and the median (p50) and p99 time per
plan. Planning is pure CPU work; expect thousands of plans per second on one core.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from decimal import Decimal

from espqb.orders import (
    Charge,
    Customer,
    Discount,
    OrderLine,
    OrderSnapshot,
    Payment,
    SendChoices,
    Supplier,
    Tax,
)
from espqb.plan import KnownMappings, PlanSettings, Target, build_plan

SETTINGS = PlanSettings.model_validate(
    {"default_accounts": {"income": {"name": "Sales"}, "cogs": {"name": "Cost of Goods Sold"}}}
)
CHOICES = SendChoices.model_validate(
    {
        "tax": "item",
        "suppliers": {
            "S1": {"send_bill": True, "send_purchase_order": True},
            "S2": {"send_bill": True, "send_purchase_order": True},
        },
    }
)


def twenty_line_order() -> OrderSnapshot:
    lines = [
        OrderLine(
            product_number=f"HP-{1000 + i}",
            product_name=f"Promotional item number {i} with a fairly long catalogue name",
            quantity=Decimal(25 * (i + 1)),
            unit_price=Decimal("1.995") + Decimal(i) / 8,
            unit_cost=Decimal("0.875") + Decimal(i) / 16,
            supplier_id="S1" if i % 2 == 0 else "S2",
        )
        for i in range(20)
    ]
    charges = [
        Charge(kind="setup", unit_price=Decimal("55.00"), unit_cost=Decimal("40.00"), supplier_id="S1"),
        Charge(
            kind="run",
            quantity=Decimal(500),
            unit_price=Decimal("0.15"),
            unit_cost=Decimal("0.10"),
            supplier_id="S2",
        ),
        Charge(kind="shipping", unit_price=Decimal("42.50")),
    ]
    from espqb.money import line_amount, money_sum  # the bench states the order's own total

    subtotal = money_sum(
        [
            *(line_amount(x.quantity, x.unit_price) for x in lines),
            *(line_amount(c.quantity, c.unit_price) for c in charges),
        ]
    )
    discount, tax = Decimal("25.00"), Decimal("123.45")
    return OrderSnapshot(
        order_number="BENCH-20",
        order_date=date(2024, 6, 3),
        customer=Customer(esp_id="C1", company_name="Benchmark Dental Group"),
        lines=lines,
        charges=charges,
        discount=Discount(amount=discount),
        tax=Tax(amount=tax, rate_percent=Decimal("7.25")),
        payments=[Payment(id="P1", date=date(2024, 6, 3), amount=Decimal("500.00"))],
        suppliers=[
            Supplier(esp_id="S1", name="Hit Promotional Products"),
            Supplier(esp_id="S2", name="Bag Makers"),
        ],
        total=money_sum([subtotal, -discount, tax]),
    )


def run(target: Target, seconds: float) -> tuple[float, float, float]:
    order, mappings = twenty_line_order(), KnownMappings()
    build_plan(order, CHOICES, SETTINGS, mappings, target)  # warm up
    samples: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        t0 = time.perf_counter()
        build_plan(order, CHOICES, SETTINGS, mappings, target)
        samples.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    p99 = statistics.quantiles(samples, n=100)[98] if len(samples) >= 100 else max(samples)
    return len(samples) / elapsed, statistics.median(samples), p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time spent per target (default 3)")
    args = parser.parse_args()
    plan = build_plan(twenty_line_order(), CHOICES, SETTINGS, KnownMappings(), "qbd")
    print(f"order: 20 lines + 3 charges, 2 suppliers; plan has {len(plan.operations)} operations")
    print(f"{'target':<8}{'plans/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
    for target in ("qbo", "qbd"):
        rate, p50, p99 = run(target, args.seconds)
        print(f"{target:<8}{rate:>12,.0f}{p50 * 1000:>10.3f}{p99 * 1000:>10.3f}")


if __name__ == "__main__":
    main()
