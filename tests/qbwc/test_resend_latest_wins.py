"""QuickBooks Desktop: an order sent again with changes ends up in QuickBooks as last sent, whether its
first send was still waiting for the Web Connector or its message set was already out."""

from __future__ import annotations

from typing import Any

from qb_sandbox.webconnector import SessionOutcome
from tests.qbwc.harness import Office, a7102


def changed() -> dict[str, Any]:
    body = a7102()
    body["order"]["lines"][0]["quantity"] = "200"
    body["order"]["discount"] = {"amount": "23.00"}
    body["order"]["total"] = "437.00"
    return body


async def test_a_changed_resend_while_waiting_for_the_web_connector_is_what_quickbooks_gets(
    desk: Office,
) -> None:
    first = await desk.send()
    second = await desk.send(changed())

    report = await desk.update()

    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    assert second["disposition"] == "replaced_queued" and second["id"] == first["id"]
    [invoice] = desk.company.documents("Invoice")
    assert invoice["TotalAmount"] == "437.00"
    assert [po["TotalAmount"] for po in desk.company.documents("PurchaseOrder")] == ["230.00"]
    assert (await desk.job(first["id"]))["status"] == "succeeded"


async def test_a_changed_resend_while_the_message_set_is_out_follows_and_updates_the_documents(
    desk: Office,
) -> None:
    await desk.read_lists()
    first = await desk.send()
    web_connector = desk.web_connector()
    web_connector.drop_next_response = True
    lost = await web_connector.run_once()
    assert lost.outcome is SessionOutcome.DROPPED_RESPONSE
    job = await desk.job(first["id"])
    assert job["status"] == "running", (job["status"], job["attempts"])

    follow_up = await desk.send(changed())
    assert follow_up["disposition"] == "follow_up_queued" and follow_up["id"] != first["id"]
    assert follow_up["status"] == "waiting_for_previous_send"
    for _ in range(3):
        report = await desk.update()
        assert report.outcome is SessionOutcome.COMPLETED, report.last_error
        if (await desk.job(follow_up["id"]))["status"] == "succeeded":
            break

    assert (await desk.job(first["id"]))["status"] == "succeeded"
    done = await desk.job(follow_up["id"])
    assert done["status"] == "succeeded", done
    [invoice] = desk.company.documents("Invoice")
    assert invoice["TotalAmount"] == "437.00"
    assert [po["TotalAmount"] for po in desk.company.documents("PurchaseOrder")] == ["230.00"]
    steps = {s["key"]: s for s in done["steps"]}
    assert steps["invoice"]["action"] == "update"
