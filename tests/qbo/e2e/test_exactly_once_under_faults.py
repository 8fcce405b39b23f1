"""300 orders sent while Intuit throttles, fails and times out one call in five: every document lands
exactly once (counted in the sandbox's books), and every send ends up succeeded.

The test also records which documents each faulted call was writing, and checks that every kind of
fault (throttled, server error, no answer, no answer after writing) hit the writing of every kind of
document (invoice, payment, bill, purchase order): the bad day reached every path that could
duplicate a document. Orders of one company share batch calls, so the draw alone may miss a pair:
a call writing a document that has not yet met every fault gets the first one it has not met."""

from __future__ import annotations

import contextvars
import json
import random
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from espqb.db import Database
from espqb.orders import OrderSnapshot, SendRequest
from espqb.orders.choices import SendChoices
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qb_sandbox.intuit.company import RESOURCE_KINDS
from qb_sandbox.intuit.fault_injection import Fault
from tests.qbo.client.support import FakeTime, new_sandbox
from tests.qbo.sending.harness import send_harness

ORDERS = 300
CUSTOMERS = 40
SUPPLIERS = 8
PRODUCTS = 25
DOCUMENTS = ("Invoice", "Payment", "Bill", "PurchaseOrder")
FAULTS = ("429", "500", "timeout", "timeout_after_write")
_AS_FAULT: dict[str, Fault] = {
    "429": 429,
    "500": 500,
    "timeout": "timeout",
    "timeout_after_write": "timeout_after_write",
}

# What the call the sandbox is answering writes (the kinds of its creates and updates).
_WRITING: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("writing", default=frozenset())


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
                if n % 4 != 3
                else [],
                "suppliers": [
                    {"esp_id": sid, "name": f"Supplier {sid}"}
                    for sid in sorted({line["supplier_id"] for line in lines})
                ],
                "total": str(total),
            }
        )
        suppliers = {
            s.esp_id: {"send_bill": True, "send_purchase_order": n % 4 != 1} for s in order.suppliers
        }
        requests.append(
            SendRequest(
                order=order, choices=SendChoices.model_validate({"tax": "item", "suppliers": suppliers})
            )
        )
    return requests


def _written_kinds(request: httpx.Request) -> frozenset[str]:
    resource = request.url.path.split("/")[4]  # /v3/company/<realm>/<resource>
    if resource == "batch":
        items = json.loads(request.content)["BatchItemRequest"]
        return frozenset(key for item in items for key in item if key in RESOURCE_KINDS.values())
    if request.method == "POST" and resource in RESOURCE_KINDS:
        return frozenset({RESOURCE_KINDS[resource]})
    return frozenset()  # a read or a query


@pytest.fixture
def writing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tells the sandbox's fault draw what the call in hand writes: the in-process transport runs the
    sandbox in the caller's task, so a context variable set here is what the sandbox sees."""
    handle = httpx.ASGITransport.handle_async_request

    async def marked(self: httpx.ASGITransport, request: httpx.Request) -> httpx.Response:
        _WRITING.set(_written_kinds(request))
        return await handle(self, request)

    monkeypatch.setattr(httpx.ASGITransport, "handle_async_request", marked)
    yield


def _faulty(sandbox: IntuitSandbox) -> Counter[tuple[str, str]]:
    """One call in five fails: throttled, a server error, or no answer (half of those after writing).
    Returns (fault, document kind) → how many calls writing that kind got that fault."""
    sandbox.configure_faults(p_429=0.067, p_500=0.067, p_timeout=0.066, timeout_delay_s=0.2, seed=11)
    draw = sandbox.faults.next_fault
    coin = random.Random(3)
    hits: Counter[tuple[str, str]] = Counter()

    def next_fault(realm_id: str, **kwargs: Any) -> Fault | None:
        fault = draw(realm_id, **kwargs)
        if fault == "timeout" and coin.random() < 0.5:
            fault = "timeout_after_write"
        if fault is None and kwargs.get("random_faults", True):
            # Orders of one company share batch calls, so few calls write invoices: a call writing a
            # document that has not met every fault yet gets the first one it has not met, so that
            # every fault reaches every document kind whatever the draw gave.
            untried = [f for f in FAULTS for kind in sorted(_WRITING.get()) if not hits[(f, kind)]]
            if untried:
                fault = _AS_FAULT[untried[0]]
        if fault is not None:
            hits.update((str(fault), kind) for kind in _WRITING.get())
        return fault

    sandbox.faults.next_fault = next_fault  # type: ignore[method-assign]
    return hits


@pytest.mark.slow
@pytest.mark.timeout(240)
async def test_300_orders_land_exactly_once_through_a_bad_day_at_intuit(db: Database, writing: None) -> None:
    time = FakeTime()
    sandbox = new_sandbox(time)
    hits = _faulty(sandbox)
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
        missed = [(fault, kind) for fault in FAULTS for kind in DOCUMENTS if not hits[(fault, kind)]]
        assert not missed, f"no call writing these documents got these faults: {missed}"

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
        expected_pos = sum(
            1 for r in requests for choice in r.choices.suppliers.values() if choice.send_purchase_order
        )
        assert expected_pos > ORDERS // 2  # most orders ask for one (or two) purchase orders
        assert sum(pos.values()) == expected_pos and max(pos.values()) == 1
        ours = [c["DisplayName"] for c in world.books("Customer") if c["DisplayName"].startswith("Customer ")]
        assert sorted(ours) == sorted(f"Customer {n} Ltd" for n in range(CUSTOMERS))
        assert len([i for i in world.books("Item") if i["Name"].startswith("P")]) == PRODUCTS
        assert (
            len([v for v in world.books("Vendor") if v["DisplayName"].startswith("Supplier ")]) == SUPPLIERS
        )
