"""What the sender does when QuickBooks Online refuses a write (docs/quickbooks-online.md §2.10): 6240
duplicate name, 5010 stale object, 610 not found, business validation; and when the connection or Intuit
fails."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from espqb.db import Database
from espqb.orders import A7102_SUPPLIER_ID, a7102_request
from espqb.orders.choices import SendChoices, SupplierChoices
from espqb.orders.request import SendRequest
from qb_sandbox.intuit import DEMO_REALM_ID
from qbo_gateway.client import RealmLimits
from tests.qbo.sending.harness import COMPANY, SendHarness, send_harness

SUPPLIER = A7102_SUPPLIER_ID


def _for_customer(company_name: str) -> SendRequest:
    base = a7102_request()
    customer = base.order.customer.model_copy(update={"company_name": company_name})
    return SendRequest(order=base.order.model_copy(update={"customer": customer}), choices=base.choices)


def _order(number: str) -> SendRequest:
    base = a7102_request()
    return SendRequest(
        order=base.order.model_copy(update={"order_number": number}),
        choices=SendChoices(
            send_invoice=True,
            tax="item",
            suppliers={SUPPLIER: SupplierChoices(send_bill=True, send_purchase_order=True)},
        ),
    )


def _company(world: SendHarness) -> Any:
    return world.sandbox.company(DEMO_REALM_ID)


def _one(world: SendHarness, kind: str, **match: Any) -> dict[str, Any]:
    (found,) = [e for e in world.books(kind) if all(e.get(k) == v for k, v in match.items())]
    return found


async def test_a_customer_already_in_quickbooks_is_linked_not_duplicated(db: Database) -> None:
    async with send_harness(db) as world:
        seeded = _one(world, "Customer", DisplayName="Acme Promotions")
        job = await world.send(_for_customer("Acme Promotions"))

        assert job.status == "succeeded", job.last_error
        assert [c["DisplayName"] for c in world.books("Customer")].count("Acme Promotions") == 1
        assert world.books("Invoice")[0]["CustomerRef"]["value"] == seeded["Id"]
        steps = await world.steps(job.id)
        assert steps["customer"].action == "link"
        assert steps["customer"].summary == (
            f"Linked to the existing QuickBooks Online customer “Acme Promotions” (Id {seeded['Id']}): "
            "the name was already in use"
        )
        assert (await world.mappings())[("customer", "C1001")].origin == "found"


async def test_a_customer_named_like_a_vendor_gets_a_name_of_its_own(db: Database) -> None:
    async with send_harness(db) as world:
        job = await world.send(_for_customer("Demo Supplier Co"))

        assert job.status == "succeeded", job.last_error
        customer = _one(world, "Customer", DisplayName="Demo Supplier Co (Customer)")
        assert world.books("Invoice")[0]["CustomerRef"]["value"] == customer["Id"]
        assert (await world.mappings())[("customer", "C1001")].qb_name == "Demo Supplier Co (Customer)"


async def test_a_bill_changed_in_quickbooks_is_reread_and_updated(db: Database) -> None:
    async with send_harness(db) as world:
        await world.send(a7102_request())
        bill = world.books("Bill")[0]
        _company(world).update(
            "Bill",
            {
                "Id": bill["Id"],
                "SyncToken": bill["SyncToken"],
                "sparse": True,
                "PrivateNote": "edited by hand",
            },
        )

        job = await world.send(a7102_request())

        assert job.status == "succeeded", job.last_error
        (after,) = world.books("Bill")
        assert int(after["SyncToken"]) == int(bill["SyncToken"]) + 2  # the hand edit, then our update
        mapped = (await world.mappings())[("bill", f"10245#{SUPPLIER}")]
        assert mapped.qb_version == after["SyncToken"]


async def test_an_invoice_deleted_in_quickbooks_is_created_again_and_remapped(db: Database) -> None:
    async with send_harness(db) as world:
        await world.send(a7102_request())
        old = world.books("Invoice")[0]
        _company(world).delete("Invoice", {"Id": old["Id"], "SyncToken": old["SyncToken"]})

        job = await world.send(a7102_request())

        assert job.status == "succeeded", job.last_error
        (invoice,) = world.books("Invoice")
        assert invoice["Id"] != old["Id"]
        assert invoice["Balance"] == Decimal("118.50")  # the payment now applies to the new invoice
        assert (await world.mappings())[("invoice", "10245")].qb_id == invoice["Id"]
        steps = await world.steps(job.id)
        assert f"Id {old['Id']}" in (steps["invoice"].summary or "") and "deleted" in (
            steps["invoice"].summary or ""
        )


async def test_an_item_made_inactive_is_created_again_for_the_next_order(db: Database) -> None:
    async with send_harness(db) as world:
        await world.send(a7102_request())
        item = _one(world, "Item", Name="A7102")
        _company(world).update(
            "Item", {"Id": item["Id"], "SyncToken": item["SyncToken"], "sparse": True, "Active": False}
        )

        job = await world.send(_order("10246"))

        assert job.status == "succeeded", job.last_error
        fresh = _one(world, "Item", Name="A7102 (2)")  # the inactive item still holds its name
        invoice = _one(world, "Invoice", DocNumber="10246")
        assert invoice["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"] == fresh["Id"]
        assert (await world.mappings())[("item", f"{SUPPLIER}/A7102")].qb_id == fresh["Id"]
        assert len(world.books("Invoice")) == 2 and len(world.books("PurchaseOrder")) == 2


async def test_a_validation_fault_fails_its_step_with_intuits_words(db: Database) -> None:
    async with send_harness(db) as world:
        company = _company(world)
        other = _one(world, "Customer", DisplayName="Bayside Events")
        services = _one(world, "Item", Name="Services")
        company.create(
            "Invoice",
            {
                "CustomerRef": {"value": other["Id"]},
                "DocNumber": "10245",
                "Line": [
                    {
                        "DetailType": "SalesItemLineDetail",
                        "Amount": 10,
                        "SalesItemLineDetail": {"ItemRef": {"value": services["Id"]}},
                    }
                ],
            },
        )

        job = await world.send(a7102_request())

        assert job.status == "partially_succeeded"
        steps = await world.steps(job.id)
        assert steps["invoice"].status == "failed"
        assert "Duplicate Document Number" in (steps["invoice"].error or "")
        assert steps["payment:P1"].status == "skipped"
        assert steps[f"bill:{SUPPLIER}"].status == "succeeded"
        assert "Duplicate Document Number" in (job.last_error or "")


async def test_a_connection_that_needs_reauthorisation_holds_the_send(db: Database) -> None:
    async with send_harness(db) as world:
        world.tokens.needs_reauth.add(COMPANY)
        job = await world.send(a7102_request())

        assert job.status == "held"
        assert world.books("Invoice") == []


async def test_intuit_refusing_a_refreshed_token_holds_the_send_and_flags_the_connection(
    db: Database,
) -> None:
    async with send_harness(db) as world:
        world.sandbox.inject_next(DEMO_REALM_ID, 401)
        world.sandbox.inject_next(DEMO_REALM_ID, 401)
        job = await world.send(a7102_request())

        assert job.status == "held"
        assert world.tokens.refreshes == 1
        assert len(world.tokens.reauth_reasons) == 1


async def test_passing_trouble_is_retried_by_a_later_attempt_without_duplicates(db: Database) -> None:
    async with send_harness(db) as world:
        await world.send(a7102_request())
        for _ in range(5):  # every try of the client on the first call of the next send
            world.sandbox.inject_next(DEMO_REALM_ID, 503)
        job_id = await world.enqueue(_order("10246"))

        await world.runtime.run_once()
        waiting = await world.job(job_id)
        assert waiting.status == "queued"
        assert "not answering" in (waiting.last_error or "")

        await world.run_until_settled()
        done = await world.job(job_id)
        assert done.status == "succeeded", done.last_error
        assert done.attempts == 2
        assert sorted(i["DocNumber"] for i in world.books("Invoice")) == ["10245", "10246"]


async def test_a_write_done_but_never_answered_is_replayed_by_the_next_attempt(db: Database) -> None:
    async with send_harness(db, timeout_seconds=0.05) as world:
        await world.send(a7102_request())
        world.sandbox.configure_faults(timeout_delay_s=1.0)
        world.sandbox.inject_next(DEMO_REALM_ID, "timeout_after_write")  # invoice + PO written, answer lost
        for _ in range(4):
            world.sandbox.inject_next(DEMO_REALM_ID, "timeout")
        job_id = await world.enqueue(_order("10246"))

        await world.runtime.run_once()
        assert (await world.job(job_id)).status == "queued"
        await world.run_until_settled()

        assert (await world.job(job_id)).status == "succeeded"
        assert sorted(i["DocNumber"] for i in world.books("Invoice")) == ["10245", "10246"]
        assert len(world.books("PurchaseOrder")) == 2
        assert len(world.books("Payment")) == len(world.books("Bill")) == 2


async def test_when_the_realm_has_no_batch_room_the_writes_go_one_by_one(db: Database) -> None:
    # One batch call a minute: the first wave takes it, the others go as single calls at once.
    async with send_harness(db, limits=RealmLimits(batch_per_minute=1)) as world:
        before = world.calls
        job = await world.send(a7102_request())

        assert job.status == "succeeded", job.last_error
        assert world.calls - before == 5  # 1 batch (customer, vendor, item), then 4 documents
        assert world.runtime.client.calls_by_operation["batch"] == 1
        assert len(world.books("Invoice")) == len(world.books("Bill")) == 1
        assert world.time.seconds < 60  # nobody waited for the batch window


async def test_an_unanswered_batch_is_repeated_as_that_batch_even_without_batch_room(db: Database) -> None:
    async with send_harness(db, timeout_seconds=0.05) as world:
        await world.send(a7102_request())
        world.sandbox.configure_faults(timeout_delay_s=1.0)
        world.sandbox.inject_next(DEMO_REALM_ID, "timeout_after_write")  # invoice + PO written, answer lost
        for _ in range(4):
            world.sandbox.inject_next(DEMO_REALM_ID, "timeout")
        job_id = await world.enqueue(_order("10246"))
        await world.runtime.run_once()
        steps = await world.steps(job_id)
        assert steps["invoice"].request_id and steps["invoice"].batch_item_id  # the exact request to repeat
        assert "no answer yet" in (steps["invoice"].summary or "")

        limiter = world.runtime.client.limiter
        limiter.has_batch_room = lambda realm_id: False  # type: ignore[method-assign]
        await world.run_until_settled()

        assert (await world.job(job_id)).status == "succeeded"
        assert sorted(i["DocNumber"] for i in world.books("Invoice")) == ["10245", "10246"]
        assert len(world.books("PurchaseOrder")) == 2
