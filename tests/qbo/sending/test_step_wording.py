"""What a job's steps say on QuickBooks Online: a customer ESP created reads "created", one it linked
(a customer an earlier order already put in QuickBooks) reads "linked", never "created"."""

from __future__ import annotations

from espqb.db import Database
from espqb.orders import a7102_request
from espqb.orders.request import SendRequest
from tests.qbo.sending.harness import send_harness


def _renumbered(number: str) -> SendRequest:
    base = a7102_request()
    return base.model_copy(update={"order": base.order.model_copy(update={"order_number": number})})


async def test_a_created_customer_reads_created_and_a_linked_one_reads_linked(db: Database) -> None:
    async with send_harness(db) as world:
        first = await world.send(_renumbered("10245"))
        second = await world.send(_renumbered("10246"))
        assert first.status == second.status == "succeeded", (first.last_error, second.last_error)
        (customer,) = [c for c in world.books("Customer") if c["DisplayName"] == "Lakeside Dental Group"]

        created = (await world.steps(first.id))["customer"]
        linked = (await world.steps(second.id))["customer"]

    assert created.action == "create"
    assert (
        created.summary
        == f"Customer “Lakeside Dental Group” created in QuickBooks Online (Id {customer['Id']})"
    )
    assert linked.action == "link"
    assert linked.summary is not None
    assert linked.summary.startswith("Linked to the QuickBooks Online customer “Lakeside Dental Group”")
    assert "created" not in linked.summary, linked.summary
