"""What a job's steps say on QuickBooks Desktop: a customer ESP created reads "created", one it linked
(a customer an earlier order already put in QuickBooks) reads "linked", never "created"."""

from __future__ import annotations

from qb_sandbox.webconnector import SessionOutcome
from tests.qbwc.harness import Office, renumbered


async def _customer_step(desk: Office, body: dict[str, object]) -> dict[str, str]:
    job = await desk.send(body)
    report = await desk.update()
    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    done = await desk.job(job["id"])
    assert done["status"] == "succeeded", done["last_error"]
    return {s["key"]: s for s in done["steps"]}["customer"]


async def test_a_created_customer_reads_created_and_a_linked_one_reads_linked(desk: Office) -> None:
    created = await _customer_step(desk, renumbered("10245"))
    linked = await _customer_step(desk, renumbered("10246"))

    assert created["action"] == "create"
    assert created["summary"] == (
        f"Customer “Lakeside Dental Group” created in QuickBooks Desktop (ListID {created['qb_id']})"
    )
    assert linked["action"] == "link"
    assert linked["summary"].startswith(
        f"Linked to the QuickBooks Desktop customer “Lakeside Dental Group” (ListID {created['qb_id']})"
    )
    assert "created" not in linked["summary"]
