"""Two ESP customers of the same name never share one QuickBooks Online customer, even when their
orders are sent at the same moment and the books already hold an unowned customer of that name."""

from __future__ import annotations

from collections import Counter

from espqb.db import Database
from espqb.orders import A7102_SUPPLIER_ID, a7102_request
from espqb.orders.choices import ExistingRecord, SendChoices, SupplierChoices
from espqb.orders.request import SendRequest
from qb_sandbox.intuit import DEMO_REALM_ID
from tests.qbo.sending.harness import send_harness

PAIRS = 20


def _order(number: str, customer_id: str, company_name: str) -> SendRequest:
    base = a7102_request()
    customer = base.order.customer.model_copy(update={"esp_id": customer_id, "company_name": company_name})
    order = base.order.model_copy(update={"order_number": number, "customer": customer, "payments": []})
    choices = SendChoices(
        send_invoice=True,
        tax="item",
        suppliers={A7102_SUPPLIER_ID: SupplierChoices(send_bill=False, send_purchase_order=False)},
    )
    return SendRequest(order=order, choices=choices)


async def test_concurrent_pairs_of_namesakes_get_one_quickbooks_customer_each(db: Database) -> None:
    async with send_harness(db, concurrency=10) as world:
        books = world.sandbox.company(DEMO_REALM_ID)
        names = [f"Acme Promotions {n:02}" for n in range(PAIRS)]
        for name in names:
            books.create("Customer", {"DisplayName": name})
        # Each pair: two different ESP customers of one name, queued side by side, "Create New Customer".
        orders = {}
        for n, name in enumerate(names):
            for side in ("A", "B"):
                number = f"2{n:02}{side}"
                orders[number] = f"C{n:02}{side}"
                await world.enqueue(_order(number, orders[number], name))

        await world.drain()

        mappings = await world.mappings()
        customer_of = {esp: m.qb_id for (kind, esp), m in mappings.items() if kind == "customer"}
        assert sorted(customer_of) == sorted(orders.values())
        assert len(set(customer_of.values())) == 2 * PAIRS, Counter(customer_of.values()).most_common(3)
        invoices = {inv["DocNumber"]: inv["CustomerRef"]["value"] for inv in world.books("Invoice")}
        assert len(invoices) == 2 * PAIRS
        for number, esp_customer in orders.items():
            assert invoices[number] == customer_of[esp_customer], number
        display = {c["Id"]: c["DisplayName"] for c in world.books("Customer")}
        for n, name in enumerate(names):
            pair = {display[customer_of[f"C{n:02}{side}"]] for side in ("A", "B")}
            assert pair == {name, f"{name} (Customer)"}


async def test_a_customer_chosen_in_the_dialog_that_another_esp_customer_owns_stays_theirs(
    db: Database,
) -> None:
    async with send_harness(db) as world:
        first = await world.send(_order("30001", "C1", "Acme Promotions"))
        owned = (await world.mappings())[("customer", "C1")].qb_id
        chosen = _order("30002", "C2", "Acme Promotions (West)")
        chosen = chosen.model_copy(
            update={
                "choices": chosen.choices.model_copy(update={"customer": ExistingRecord(quickbooks_id=owned)})
            }
        )

        job = await world.send(chosen)

        assert first.status == job.status == "succeeded", job.last_error
        invoices = {inv["DocNumber"]: inv["CustomerRef"]["value"] for inv in world.books("Invoice")}
        assert invoices["30002"] == owned  # the dialog's explicit choice is used for this order
        mappings = await world.mappings()
        assert mappings[("customer", "C1")].qb_id == owned
        assert ("customer", "C2") not in mappings
        step = (await world.steps(job.id))["customer"]
        assert "stays linked to ESP record C1" in (step.summary or "")
