"""500 orders sent while Intuit throttles, fails and times out one call in five: every document lands
exactly once (counted in the sandbox's books), and every send ends up succeeded."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from espqb.db import Database
from espqb.orders import OrderSnapshot, SendRequest
from espqb.orders.choices import SendChoices
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qb_sandbox.intuit.fault_injection import Fault
from tests.qbo.client.support import FakeTime, new_sandbox
from tests.qbo.sending.harness import send_harness

ORDERS = 500
CUSTOMERS = 40
SUPPLIERS = 8
PRODUCTS = 25


def _orders(seed: int = 7) -> list[SendRequest]:
    rng = random.Random(seed)
    requests = []
    for n in range(ORDERS):
        lines: list[dict[str, Any]] = []
        for product in rng.sample(range(PRODUCTS), rng.choice((1, 2))):
            quantity, price = rng.randint(10, 200), Decimal(rng.randint(50, 900)) / 100
            lines.append(
                {
                    "product_number": f"P{product:03d}",
                    "product_name": f"Product {product}",
                    "quantity": str(quantity),
                    "unit_price": str(price),
                    "unit_cost": str((price / 2).quantize(Decimal("0.01"))),
                    "supplier_id": f"S{product % SUPPLIERS}",
                }
            )
        subtotal = sum(
            (Decimal(line["quantity"]) * Decimal(line["unit_price"]) for line in lines), Decimal(0)
        )
        discount = Decimal(rng.choice((0, 0, 5, 10)))
        total = subtotal - discount
        customer = n % CUSTOMERS
        order = OrderSnapshot.model_validate(
            {
                "order_number": f"{20000 + n}",
                "order_date": "2026-03-02",
                "customer": {"esp_id": f"C{customer}", "company_name": f"Customer {customer} Ltd"},
                "lines": lines,
                "discount": {"amount": str(discount)} if discount else None,
                "payments": [
                    {"id": "P1", "date": "2026-03-02", "amount": str((total / 2).quantize(Decimal("0.01")))}
                ]
                if n % 3 == 0
                else [],
                "suppliers": [
                    {"esp_id": sid, "name": f"Supplier {sid}"}
                    for sid in sorted({line["supplier_id"] for line in lines})
                ],
                "total": str(total),
            }
        )
        suppliers = {
            s.esp_id: {"send_bill": True, "send_purchase_order": n % 2 == 0} for s in order.suppliers
        }
        requests.append(
            SendRequest(
                order=order, choices=SendChoices.model_validate({"tax": "item", "suppliers": suppliers})
            )
        )
    return requests


def _faulty(sandbox: IntuitSandbox) -> None:
    """One call in five fails: throttled, a server error, or no answer (half of those after writing)."""
    sandbox.configure_faults(p_429=0.067, p_500=0.067, p_timeout=0.066, timeout_delay_s=0.2, seed=11)
    draw = sandbox.faults.next_fault
    coin = random.Random(3)

    def next_fault(realm_id: str, **kwargs: Any) -> Fault | None:
        fault = draw(realm_id, **kwargs)
        if fault == "timeout" and coin.random() < 0.5:
            return "timeout_after_write"
        return fault

    sandbox.faults.next_fault = next_fault  # type: ignore[method-assign]


@pytest.mark.timeout(240)
async def test_500_orders_land_exactly_once_through_a_bad_day_at_intuit(db: Database) -> None:
    time = FakeTime()
    sandbox = new_sandbox(time)
    _faulty(sandbox)
    requests = _orders()
    async with send_harness(db, sandbox=sandbox, time=time, timeout_seconds=0.02) as world:
        job_ids = [await world.enqueue(request) for request in requests]
        await world.drain()

        statuses = Counter([(await world.job(job_id)).status for job_id in job_ids])
        assert statuses == {"succeeded": ORDERS}
        calls = sandbox.api_calls[DEMO_REALM_ID]
        assert (
            calls - sandbox.status_counts[200] > 0.15 * calls
        )  # it really was a bad day (timeouts have no status)

        invoices = Counter(i["DocNumber"] for i in world.books("Invoice"))
        assert invoices == Counter({r.order.order_number: 1 for r in requests})
        payments = Counter(
            p["PaymentRefNum"] if p.get("PaymentRefNum") else p["PrivateNote"] for p in world.books("Payment")
        )
        assert sum(payments.values()) == sum(1 for r in requests if r.order.payments)
        assert len(payments) == sum(payments.values())
        bills = Counter((b["DocNumber"], b["VendorRef"]["value"]) for b in world.books("Bill"))
        assert (
            sum(bills.values()) == sum(len(r.order.suppliers) for r in requests) and max(bills.values()) == 1
        )
        pos = Counter((p["DocNumber"], p["VendorRef"]["value"]) for p in world.books("PurchaseOrder"))
        expected_pos = sum(len(r.order.suppliers) for n, r in enumerate(requests) if n % 2 == 0)
        assert sum(pos.values()) == expected_pos and max(pos.values()) == 1
        ours = [c["DisplayName"] for c in world.books("Customer") if c["DisplayName"].startswith("Customer ")]
        assert sorted(ours) == sorted(f"Customer {n} Ltd" for n in range(CUSTOMERS))
        assert len([i for i in world.books("Item") if i["Name"].startswith("P")]) == PRODUCTS
        assert (
            len([v for v in world.books("Vendor") if v["DisplayName"].startswith("Supplier ")]) == SUPPLIERS
        )
