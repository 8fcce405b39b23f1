"""The dialog's "Create New Customer" for an ESP customer already linked to a QuickBooks customer: the
linked one is used (never a second record), and the job's customer step says the link won."""

from __future__ import annotations

from espqb.db import Database
from espqb.orders import a7102_request
from espqb.orders.choices import CreateNew
from espqb.orders.request import SendRequest
from tests.qbo.sending.harness import send_harness


def _again_with_create_new(number: str) -> SendRequest:
    base = a7102_request()
    return SendRequest(
        order=base.order.model_copy(update={"order_number": number}),
        choices=base.choices.model_copy(update={"customer": CreateNew(create=True)}),
    )


async def test_a_link_that_overrides_create_new_is_said_on_the_step(db: Database) -> None:
    async with send_harness(db) as world:
        first = await world.send(a7102_request())
        assert first.status == "succeeded", first.last_error

        second = await world.send(_again_with_create_new("10246"))

        assert second.status == "succeeded", second.last_error
        step = (await world.steps(second.id))["customer"]
        assert step.action == "link"
        assert step.summary is not None and "“Create New”" in step.summary
        lakeside = [c for c in world.books("Customer") if c["DisplayName"].startswith("Lakeside Dental")]
        assert len(lakeside) == 1


async def test_a_first_send_with_create_new_says_nothing_of_a_link(db: Database) -> None:
    async with send_harness(db) as world:
        job = await world.send(_again_with_create_new("10245"))

        assert job.status == "succeeded", job.last_error
        step = (await world.steps(job.id))["customer"]
        assert step.action == "create"
        assert step.summary is not None and "Create New" not in step.summary
