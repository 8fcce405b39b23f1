"""The dialog's "Create New Customer" for an ESP customer a person linked in CRM to a QuickBooks
customer: the linked one is used (never a second record), and the job's customer step says the link
won."""

from __future__ import annotations

from espqb.db import Database
from espqb.db.models import MappingKind
from espqb.mappings import repository as mappings
from espqb.orders import a7102_request
from espqb.orders.choices import CreateNew
from espqb.orders.request import SendRequest
from qb_sandbox.intuit import DEMO_REALM_ID
from tests.qbo.sending.harness import COMPANY, SendHarness, send_harness

NOTE = "the dialog said “Create New”, but this ESP record is linked to this QuickBooks record"


def _with_create_new(number: str) -> SendRequest:
    base = a7102_request()
    return SendRequest(
        order=base.order.model_copy(update={"order_number": number}),
        choices=base.choices.model_copy(update={"customer": CreateNew(create=True)}),
    )


async def _link_in_crm(world: SendHarness) -> str:
    """A person links the ESP customer to a QuickBooks customer (the CRM "QB" button)."""
    customer = world.sandbox.company(DEMO_REALM_ID).create("Customer", {"DisplayName": "Lakeside Dental"})
    async with world.db.transaction() as session:
        await mappings.upsert(
            session,
            company_id=COMPANY,
            target="qbo",
            kind=MappingKind.CUSTOMER,
            esp_key=a7102_request().order.customer.esp_id,
            qb_id=customer["Id"],
            qb_name=customer["DisplayName"],
            origin="linked",
        )
    return str(customer["Id"])


async def test_a_crm_link_that_overrides_create_new_is_said_on_the_step(db: Database) -> None:
    async with send_harness(db) as world:
        linked_id = await _link_in_crm(world)

        job = await world.send(_with_create_new("10245"))

        assert job.status == "succeeded", job.last_error
        step = (await world.steps(job.id))["customer"]
        assert (step.action, step.qb_id) == ("link", linked_id)
        assert step.summary is not None and NOTE in step.summary
        assert [c["Id"] for c in world.books("Customer") if c["DisplayName"].startswith("Lakeside")] == [
            linked_id
        ]


async def test_a_customer_an_earlier_send_created_is_reused_without_the_crm_note(db: Database) -> None:
    async with send_harness(db) as world:
        first = await world.send(_with_create_new("10245"))
        second = await world.send(_with_create_new("10246"))

        assert (first.status, second.status) == ("succeeded", "succeeded")
        first_step = (await world.steps(first.id))["customer"]
        second_step = (await world.steps(second.id))["customer"]
        assert first_step.action == "create" and second_step.action == "link"
        assert NOTE not in (first_step.summary or "") and NOTE not in (second_step.summary or "")
        assert len([c for c in world.books("Customer") if c["DisplayName"].startswith("Lakeside")]) == 1
