"""Orders of one company sent at the same time share batch requests (docs/quickbooks-online.md §2.7a):
fewer requests, each order's documents still exactly once, whatever Intuit answered or failed to."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from espqb.db import Database
from espqb.db.models import StepStatus
from espqb.orders import A7102_SUPPLIER_ID, a7102_request
from espqb.orders.choices import SendChoices, SupplierChoices
from espqb.orders.request import SendRequest
from qb_sandbox.intuit import DEMO_REALM_ID, faults
from qbo_gateway.client import RealmLimits
from tests.qbo.sending.harness import SendHarness, install_qbo, send_harness


def _order(number: str) -> SendRequest:
    """The A7102 order under another number: invoice and purchase order, then payment and bill."""
    base = a7102_request()
    return SendRequest(
        order=base.order.model_copy(update={"order_number": number}),
        choices=SendChoices(
            send_invoice=True,
            tax="item",
            suppliers={A7102_SUPPLIER_ID: SupplierChoices(send_bill=True, send_purchase_order=True)},
        ),
    )


def _batch_sizes(world: SendHarness, realm_id: str = DEMO_REALM_ID) -> list[int]:
    return list(world.sandbox.counters.batch_items[realm_id])


def _numbers(world: SendHarness, kind: str, realm_id: str = DEMO_REALM_ID) -> Counter[str]:
    return Counter(str(doc.get("DocNumber")) for doc in world.books(kind, realm_id))


def _wait_for_every_wave(world: SendHarness) -> None:
    """Batch calls are scarce (as under load, when Intuit's batch window keeps filling up), so each
    batch waits for every attempt under way, however slow the database is: the test asserts how the
    orders shared batches, not how long anyone waited."""
    coalescer = world.runtime.client.coalescer
    coalescer.scarce_for_batches = 10**9
    coalescer.linger_seconds = 60.0


async def _enqueue(world: SendHarness, numbers: list[str], company_id: str = "acme") -> list[uuid.UUID]:
    return [await world.enqueue(_order(number), company_id) for number in numbers]


async def test_orders_sent_together_share_batch_requests(db: Database) -> None:
    async with send_harness(db) as world:
        first = await world.send(_order("10245"))  # maps the customer, supplier and product
        assert first.status == "succeeded", first.last_error
        (reference,) = world.books("Invoice")
        before_batches, before_calls = len(_batch_sizes(world)), world.calls
        _wait_for_every_wave(world)

        numbers = [f"2000{n}" for n in range(6)]
        jobs = await _enqueue(world, numbers)
        await world.run_until_settled()

        for job_id in jobs:
            job = await world.job(job_id)
            assert job.status == "succeeded", job.last_error
        # Six invoices and six POs in one batch, then six payments and six bills in another.
        assert _batch_sizes(world)[before_batches:] == [12, 12]
        assert world.calls - before_calls == 2
        for kind in ("Invoice", "PurchaseOrder", "Bill"):
            assert _numbers(world, kind) == Counter({number: 1 for number in ["10245", *numbers]}), kind
        assert len(world.books("Payment")) == 7
        for invoice in world.books("Invoice"):
            assert Decimal(str(invoice["TotalAmt"])) == Decimal(str(reference["TotalAmt"]))
            assert Decimal(str(invoice["Balance"])) == Decimal(
                str(reference["Balance"])
            )  # its payment applied
        steps = await world.steps(jobs[0])
        assert steps["invoice"].status == StepStatus.SUCCEEDED
        assert steps["invoice"].request_id is None  # the write-ahead note is gone once answered


async def test_a_batch_done_but_never_answered_is_replayed_and_every_order_lands_once(db: Database) -> None:
    async with send_harness(db, timeout_seconds=0.05) as world:
        await world.send(_order("10245"))
        _wait_for_every_wave(world)
        world.sandbox.configure_faults(timeout_delay_s=1.0)
        world.sandbox.inject_next(
            DEMO_REALM_ID, "timeout_after_write"
        )  # the shared batch is done, its answer lost
        for _ in range(4):  # and the client's own retries get no answer either
            world.sandbox.inject_next(DEMO_REALM_ID, "timeout")
        numbers = ["30001", "30002", "30003"]
        jobs = await _enqueue(world, numbers)

        await world.runtime.run_once()
        invoice_steps = [(await world.steps(job_id))["invoice"] for job_id in jobs]
        assert all(step.status == StepStatus.FAILED for step in invoice_steps)
        # One request for the three orders: each step names it and its own item of it.
        assert len({step.request_id for step in invoice_steps}) == 1 and invoice_steps[0].request_id
        assert len({step.batch_item_id for step in invoice_steps}) == 3
        assert _numbers(world, "Invoice") == Counter({number: 1 for number in ["10245", *numbers]})

        await world.run_until_settled()
        for job_id in jobs:
            assert (await world.job(job_id)).status == "succeeded"
        for kind in ("Invoice", "PurchaseOrder", "Bill"):
            assert _numbers(world, kind) == Counter({number: 1 for number in ["10245", *numbers]}), kind
        assert len(world.books("Payment")) == 4


async def test_a_batch_that_never_reached_intuit_is_sent_once_for_every_order(db: Database) -> None:
    async with send_harness(db, timeout_seconds=0.05) as world:
        await world.send(_order("10245"))
        _wait_for_every_wave(world)
        world.sandbox.configure_faults(timeout_delay_s=1.0)
        for _ in range(5):  # the shared batch and every retry of it: nothing done, no answer
            world.sandbox.inject_next(DEMO_REALM_ID, "timeout")
        numbers = ["40001", "40002", "40003"]
        jobs = await _enqueue(world, numbers)

        await world.runtime.run_once()
        assert _numbers(world, "Invoice") == Counter({"10245": 1})
        # The first order to repeat the request has only its own items done under its requestid; the
        # others find theirs missing from that answer and send them on their own.
        await world.run_until_settled()

        for job_id in jobs:
            job = await world.job(job_id)
            assert job.status == "succeeded", job.last_error
        for kind in ("Invoice", "PurchaseOrder", "Bill"):
            assert _numbers(world, kind) == Counter({number: 1 for number in ["10245", *numbers]}), kind
        assert len(world.books("Payment")) == 4


@contextmanager
def _refusing_invoice(world: SendHarness, doc_number: str) -> Iterator[None]:
    """The sandbox refuses the invoice numbered ``doc_number`` (a business rule of QuickBooks')."""
    company = world.sandbox.company(DEMO_REALM_ID)
    create = company.create

    def refusing(kind: str, payload: Any) -> Any:
        if kind == "Invoice" and isinstance(payload, dict) and payload.get("DocNumber") == doc_number:
            raise faults.business_validation("This invoice is not allowed in this company.")
        return create(kind, payload)

    company.create = refusing  # type: ignore[method-assign]
    try:
        yield
    finally:
        company.create = create  # type: ignore[method-assign]


async def test_a_refused_item_fails_only_its_own_orders_step(db: Database) -> None:
    async with send_harness(db) as world:
        await world.send(_order("10245"))
        _wait_for_every_wave(world)
        before_batches = len(_batch_sizes(world))
        with _refusing_invoice(world, "50002"):
            jobs = await _enqueue(world, ["50001", "50002", "50003"])
            await world.run_until_settled()

        assert _batch_sizes(world)[before_batches] == 6  # the refused invoice shared its batch
        refused = await world.steps(jobs[1])
        assert refused["invoice"].status == StepStatus.FAILED
        assert "not allowed in this company" in (refused["invoice"].error or "")
        assert refused[f"purchase_order:{A7102_SUPPLIER_ID}"].status == StepStatus.SUCCEEDED
        assert (await world.job(jobs[1])).status != "succeeded"
        for job_id in (jobs[0], jobs[2]):
            job = await world.job(job_id)
            assert job.status == "succeeded", job.last_error
        assert _numbers(world, "Invoice") == Counter({"10245": 1, "50001": 1, "50003": 1})
        assert _numbers(world, "PurchaseOrder") == Counter(
            {number: 1 for number in ["10245", "50001", "50002", "50003"]}
        )


async def test_companies_on_different_realms_never_share_a_batch(db: Database) -> None:
    async with send_harness(db) as world:
        other_realm = world.sandbox.add_company("Beta Books", sample_names=False)
        world.tokens.realms["beta"] = other_realm
        await install_qbo(db, world.sandbox, "beta", other_realm)
        await world.send(_order("10245"))
        await world.send(_order("10245"), "beta")
        _wait_for_every_wave(world)
        before = {realm: len(_batch_sizes(world, realm)) for realm in (DEMO_REALM_ID, other_realm)}

        acme = await _enqueue(world, ["60001", "60002"])
        beta = await _enqueue(world, ["60003", "60004", "60005"], "beta")
        await world.run_until_settled()

        for job_id in acme + beta:
            job = await world.job(job_id)
            assert job.status == "succeeded", job.last_error
        assert _batch_sizes(world, DEMO_REALM_ID)[before[DEMO_REALM_ID] :] == [4, 4]
        assert _batch_sizes(world, other_realm)[before[other_realm] :] == [6, 6]
        assert _numbers(world, "Invoice") == Counter({"10245": 1, "60001": 1, "60002": 1})
        assert _numbers(world, "Invoice", other_realm) == Counter(
            {"10245": 1, "60003": 1, "60004": 1, "60005": 1}
        )


async def test_a_worker_that_dies_in_a_shared_batch_leaves_each_order_what_to_repeat(db: Database) -> None:
    async with send_harness(db, timeout_seconds=5.0) as world:
        await world.send(_order("10245"))
        _wait_for_every_wave(world)
        world.sandbox.configure_faults(timeout_delay_s=0.5)
        world.sandbox.inject_next(DEMO_REALM_ID, "timeout_after_write")  # done, then the answer is slow
        numbers = ["70001", "70002"]
        jobs = await _enqueue(world, numbers)
        company = world.sandbox.company(DEMO_REALM_ID)
        batch, done = company.batch, asyncio.Event()

        def batch_and_tell(items: list[Any]) -> list[dict[str, Any]]:
            answers = batch(items)
            done.set()
            return answers

        company.batch = batch_and_tell  # type: ignore[method-assign]
        worker = asyncio.create_task(world.runtime.run_once())
        await done.wait()  # the shared batch has been done at Intuit
        company.batch = batch  # type: ignore[method-assign]
        worker.cancel()  # the process dies waiting for the answer
        with contextlib.suppress(asyncio.CancelledError):
            await worker

        steps = [(await world.steps(job_id))["invoice"] for job_id in jobs]
        # Written before the batch went out: pending, naming the batch and the order's item of it.
        assert [step.status for step in steps] == [StepStatus.PENDING, StepStatus.PENDING]
        assert steps[0].request_id and steps[0].request_id == steps[1].request_id
        assert steps[0].batch_item_id != steps[1].batch_item_id

        world.queue_clock.skip(3600)  # the dead worker's leases run out; the jobs are run again
        await world.run_until_settled()
        for job_id in jobs:
            job = await world.job(job_id)
            assert job.status == "succeeded", job.last_error
            assert job.attempts == 2
        for kind in ("Invoice", "PurchaseOrder", "Bill"):
            assert _numbers(world, kind) == Counter({number: 1 for number in ["10245", *numbers]}), kind
        assert len(world.books("Payment")) == 3


async def test_when_batch_calls_run_out_the_other_orders_go_as_single_calls(db: Database) -> None:
    # Four batch calls a minute: the first order's three waves take three; twenty orders share the last.
    async with send_harness(db, limits=RealmLimits(batch_per_minute=4), concurrency=20) as world:
        await world.send(_order("10245"))
        _wait_for_every_wave(world)
        # The coalescer looks for batch room on the real clock here, as in production: on the test's
        # clock, which jumps whenever nothing is on its way to Intuit, its looks would make a minute pass
        # while the orders are being saved.
        coalescer = world.runtime.client.coalescer
        coalescer.sleep, coalescer.poll_seconds, coalescer.room_wait_seconds = asyncio.sleep, 0.002, 0.05
        before = len(_batch_sizes(world))
        assert before == 3
        numbers = [f"8{n:04d}" for n in range(20)]
        jobs = await _enqueue(world, numbers)
        await world.run_until_settled()

        for job_id in jobs:
            job = await world.job(job_id)
            assert job.status == "succeeded", job.last_error
        # Fifteen orders' invoices and POs in the one batch left; everything else as single calls,
        # without waiting a minute for Intuit's batch window.
        assert _batch_sizes(world)[before:] == [30]
        assert world.time.seconds < 60
        for kind in ("Invoice", "PurchaseOrder", "Bill"):
            assert _numbers(world, kind) == Counter({number: 1 for number in ["10245", *numbers]}), kind
        assert len(world.books("Payment")) == 21
