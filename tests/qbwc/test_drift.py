"""QuickBooks Desktop computes an invoice's tax itself: when its figures differ from ESP's, the invoice
step states QuickBooks' figure next to the planned one, the job carries the ``drift`` flag the jobs
list filters on, and the admins are told.

Since the plan knows the sales tax item's rate (the company as the session read it) and refuses a
tax QuickBooks would compute otherwise, the figures can only differ when the rate changed in
QuickBooks after the lists were last read: the session plans with the rate it knew."""

from __future__ import annotations

from sqlalchemy import select

from espqb.db.models import Notification
from qb_sandbox.webconnector import SessionOutcome
from tests.qbwc.harness import ACCOUNTS, Office, a7102, set_tax_rate, taxed_a7102


async def _notifications(desk: Office) -> list[Notification]:
    async with desk.app.state.ctx.db.sessions() as session:
        return list(await session.scalars(select(Notification).order_by(Notification.id)))


async def test_an_invoice_quickbooks_computed_otherwise_is_flagged_and_told(desk: Office) -> None:
    settings = {"default_accounts": ACCOUNTS, "notify_emails": ["books@acme.example"]}
    assert (await desk.http.put("/v1/settings", headers=desk.headers(), json=settings)).status_code == 200
    assert (await desk.read_lists()).outcome is SessionOutcome.COMPLETED
    job = await desk.send(taxed_a7102(tax="quickbooks_default"))
    set_tax_rate(desk.company, "State Sales Tax", "9.25")  # after the lists were read

    await desk.update()
    finished = await desk.job(job["id"])

    assert finished["status"] == "succeeded"
    assert finished["flags"] == ["drift"]
    (invoice,) = [s for s in finished["steps"] if s["key"] == "invoice"]
    # 9.25 % of 218.50 = 20.21
    assert "QuickBooks Desktop shows 238.71 where ESP planned 236.53" in invoice["summary"]
    flagged = (await desk.http.get("/v1/jobs?flag=drift", headers=desk.headers())).json()["items"]
    assert [j["id"] for j in flagged] == [job["id"]]
    (notice,) = await _notifications(desk)
    assert notice.kind == "job.drift" and notice.recipient == "books@acme.example"
    assert "QuickBooks shows invoice 10245 at 238.71; ESP's total is 236.53." in notice.body


async def test_an_invoice_as_planned_is_not_flagged(desk: Office) -> None:
    assert (await desk.read_lists()).outcome is SessionOutcome.COMPLETED
    job = await desk.send(a7102(tax="item"))

    await desk.update()
    finished = await desk.job(job["id"])

    assert finished["status"] == "succeeded"
    assert finished["flags"] == []
    assert (await desk.http.get("/v1/jobs?flag=drift", headers=desk.headers())).json()["items"] == []
