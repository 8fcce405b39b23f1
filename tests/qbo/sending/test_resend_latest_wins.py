"""QuickBooks Online: an order sent again with changes ends up in QuickBooks as last sent, whether its
first send had not started yet or was under way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from espqb.db import Database
from espqb.db.models import SendJob
from espqb.orders import a7102_request
from espqb.orders.request import SendRequest
from espqb.queue import enqueue_send
from qbo_gateway.sender import store as store_module
from tests.qbo.sending.harness import COMPANY, SendHarness, send_harness


def _order(quantity: int) -> SendRequest:
    base = a7102_request()
    line = base.order.lines[0].model_copy(update={"quantity": Decimal(quantity)})
    order = base.order.model_copy(
        update={"lines": [line], "payments": [], "discount": None, "total": line.unit_price * quantity}
    )
    return SendRequest(order=order, choices=base.choices)


def _quantities(world: SendHarness, kind: str) -> list[list[str]]:
    return [
        [
            str(line[detail]["Qty"])
            for line in entity.get("Line") or []
            for detail in ("SalesItemLineDetail", "ItemBasedExpenseLineDetail")
            if detail in line
        ]
        for entity in world.books(kind)
    ]


async def _jobs_of(world: SendHarness, order_number: str) -> list[SendJob]:
    async with world.db.sessions() as session:
        query = select(SendJob).where(SendJob.order_number == order_number).order_by(SendJob.created_at)
        return list((await session.scalars(query)).all())


async def _resend(world: SendHarness, request: SendRequest) -> str:
    async with world.db.transaction() as session:
        result = await enqueue_send(
            session,
            company_id=COMPANY,
            order_number=request.order.order_number,
            target="qbo",
            payload=request.model_dump(mode="json"),
            requested_by="bob",
            clock=world.queue_clock,
        )
    return result.disposition


async def test_a_changed_resend_before_the_send_started_is_what_quickbooks_gets(db: Database) -> None:
    async with send_harness(db) as world:
        first = await world.enqueue(_order(100))
        assert await _resend(world, _order(250)) == "replaced_queued"

        await world.drain()

        assert (await world.job(first)).status == "succeeded", (await world.job(first)).last_error
        assert _quantities(world, "Invoice") == [["250"]]
        assert _quantities(world, "PurchaseOrder") == [["250"]]


async def test_a_changed_resend_while_the_send_runs_follows_it_and_updates_the_documents(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with send_harness(db) as world:
        first = await world.enqueue(_order(100))
        dispositions: list[str] = []
        real_save = store_module.ResultStore.save

        async def save_then_resend(self: Any, items: Any) -> Any:
            saved = await real_save(self, items)
            if not dispositions:  # the first send is under way: the user presses QB again
                dispositions.append(await _resend(world, _order(250)))
            return saved

        monkeypatch.setattr(store_module.ResultStore, "save", save_then_resend)

        await world.drain()

        assert dispositions == ["follow_up_queued"]
        jobs = await _jobs_of(world, "10245")
        assert [job.status for job in jobs] == ["succeeded", "succeeded"]
        assert jobs[0].id == first and jobs[1].started_at >= jobs[0].finished_at
        assert _quantities(world, "Invoice") == [["250"]]
        assert _quantities(world, "PurchaseOrder") == [["250"]]
        steps = await world.steps(jobs[1].id)
        assert steps["invoice"].action == "update" and steps["invoice"].status == "succeeded"
