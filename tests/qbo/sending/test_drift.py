"""Verify-after-write: when QuickBooks Online stores an invoice with another total than ESP planned
(US automated sales tax adds its own tax, docs/quickbooks-online.md §2.4), the step states QuickBooks'
figure next to the planned one, the job carries the ``drift`` flag the jobs list filters on, and the
admins are told."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
from sqlalchemy import select, update

from espqb.db import Database
from espqb.db.models import IntegrationSettings, Notification
from espqb.jobs import presenter
from espqb.jobs import repository as jobs
from espqb.orders import a7102_request
from tests.qbo.sending.harness import COMPANY, SendHarness, send_harness

TAX_ADDED = Decimal("18.03")  # what the automated sales tax of this stand-in adds to every invoice


class AutomatedSalesTax(httpx.AsyncBaseTransport):
    """Intuit as a company with automated sales tax answers: every invoice written comes back with a
    higher total than the one sent."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method != "POST" or not request.url.path.endswith(("/invoice", "/batch")):
            return response
        body = json.loads(await response.aread())
        for item in [body, *body.get("BatchItemResponse", [])]:
            invoice = item.get("Invoice")
            if isinstance(invoice, dict) and "TotalAmt" in invoice:
                invoice["TotalAmt"] = float(Decimal(str(invoice["TotalAmt"])) + TAX_ADDED)
        return httpx.Response(response.status_code, headers={"content-type": "application/json"}, json=body)


async def _with_automated_sales_tax(world: SendHarness) -> None:
    client = world.runtime.client
    client.http = httpx.AsyncClient(transport=AutomatedSalesTax(client.http._transport))
    async with world.db.transaction() as session:
        await session.execute(
            update(IntegrationSettings)
            .where(IntegrationSettings.company_id == COMPANY)
            .values(notify_emails=["books@acme.example"])
        )


async def test_a_drifted_invoice_is_flagged_said_on_its_step_and_told_to_the_admins(db: Database) -> None:
    async with send_harness(db) as world:
        await _with_automated_sales_tax(world)

        job = await world.send(a7102_request())

        step = (await world.steps(job.id))["invoice"]
        assert step.summary is not None
        assert "QuickBooks Online shows 236.53 where ESP planned 218.50" in step.summary
        async with db.sessions() as session:
            (shown,) = await presenter.present(session, [job])
            flagged, matching = await jobs.search(
                session,
                COMPANY,
                status=None,
                order_number=None,
                target=None,
                limit=10,
                offset=0,
                flag="drift",
            )
            notices = list(await session.scalars(select(Notification)))
        assert shown.flags == ["drift"]
        assert [j.id for j in flagged] == [job.id]
        assert matching == 1
        assert any("236.53" in w for w in shown.warnings)
        (notice,) = notices
        assert notice.kind == "job.drift" and notice.recipient == "books@acme.example"
        assert "Order 10245" in notice.subject
        assert "QuickBooks Online shows 236.53 where ESP planned 218.50" in notice.body


async def test_a_send_as_planned_is_not_flagged(db: Database) -> None:
    async with send_harness(db) as world:
        job = await world.send(a7102_request())

        async with db.sessions() as session:
            (shown,) = await presenter.present(session, [job])
            flagged, matching = await jobs.search(
                session,
                COMPANY,
                status=None,
                order_number=None,
                target=None,
                limit=10,
                offset=0,
                flag="drift",
            )
        assert shown.flags == []
        assert (list(flagged), matching) == ([], 0)
        assert all("ESP planned" not in (s.summary or "") for s in (await world.steps(job.id)).values())
