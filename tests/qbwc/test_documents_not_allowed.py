"""QuickBooks Desktop: a bill the Details tab does not allow, left to the defaults in the dialog, is
not written, and the job says so (never a silent drop)."""

from __future__ import annotations

from qb_sandbox.webconnector import SessionOutcome
from tests.qbwc.harness import ACCOUNTS, Office, a7102

NOTE = (
    "No bill was sent for Hit Promotional Products: the Details tab of your company's QuickBooks "
    "integration does not allow sending bills."
)


async def test_a_bill_left_out_by_the_settings_is_said_on_the_job(desk: Office) -> None:
    settings = {"default_accounts": ACCOUNTS, "allow_bills": False}
    assert (await desk.http.put("/v1/settings", headers=desk.headers(), json=settings)).status_code == 200
    body = a7102()
    for supplier in body["choices"]["suppliers"].values():
        supplier.pop("send_bill")  # the dialog leaves the bill to the defaults (send_bill_by_default)
    job = await desk.send(body)

    report = await desk.update()
    finished = await desk.job(job["id"])

    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    assert finished["status"] == "succeeded", finished
    assert desk.company.documents("Bill") == []
    assert len(desk.company.documents("PurchaseOrder")) == 1
    assert NOTE in finished["warnings"]
