"""POST /v1/qbo/webhooks: Intuit's signature, both payload formats, 200 at once, and what a change to a
mapped invoice (paid, voided, deleted) leaves on its mapping and in the audit log."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from espqb.db.models import Mapping
from qb_sandbox.intuit import DEMO_REALM_ID
from qbo_gateway.webhooks import parse_notifications, sign
from tests.qbo.webhooks.support import (
    URL,
    World,
    in_quickbooks,
    intuit_audit,
    invoice_mapping,
    notice_body,
    open_world,
    outbox,
    pay_invoice,
    post_notice,
)
from tests.support.api import auth


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with open_world(database_url) as opened:
        yield opened


async def test_a_fully_paid_invoice_is_recorded_as_paid(world: World) -> None:
    pay_invoice(world, "218.50")
    response = await post_notice(
        world, notice_body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], "Update", "legacy")
    )

    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "ignored_realms": 0}
    mapping = await invoice_mapping(world)
    assert mapping.qb_status == "paid"
    assert mapping.qb_version == world.sandbox.get(DEMO_REALM_ID, "Invoice", world.invoice["Id"])["SyncToken"]  # type: ignore[index]
    assert await intuit_audit(world) == ["qbo.invoice.paid"]


async def test_a_payment_notice_updates_the_invoices_it_pays(world: World) -> None:
    pay_invoice(world, "100.00")
    payment_id = world.sandbox.entities(DEMO_REALM_ID, "Payment")[0]["Id"]
    response = await post_notice(world, notice_body(DEMO_REALM_ID, "Payment", payment_id, "Create"))

    assert response.status_code == 200
    assert (await invoice_mapping(world)).qb_status == "partially_paid"


@pytest.mark.parametrize(("operation", "status"), [("Void", "voided"), ("Delete", "deleted")])
async def test_voided_and_deleted_invoices_are_recorded(world: World, operation: str, status: str) -> None:
    in_quickbooks(world, operation)
    response = await post_notice(world, notice_body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], operation))

    assert response.status_code == 200
    assert (await invoice_mapping(world)).qb_status == status
    assert await intuit_audit(world) == [f"qbo.invoice.{status}"]


@pytest.mark.parametrize("operation", ["Void", "Delete"])
async def test_a_void_or_delete_quickbooks_does_not_show_is_not_recorded(
    world: World, operation: str
) -> None:
    response = await post_notice(world, notice_body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], operation))

    assert response.status_code == 200
    assert (await invoice_mapping(world)).qb_status == "open"  # what QuickBooks shows: the invoice is open
    assert await intuit_audit(world) == ["qbo.invoice.open"]
    assert (await world.http.get("/v1/jobs?flag=voided", headers=auth())).json()["items"] == []


async def test_the_same_notice_twice_is_recorded_once(world: World) -> None:
    in_quickbooks(world, "Void")
    body = notice_body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], "Void")
    await post_notice(world, body)
    await post_notice(world, body)
    assert await intuit_audit(world) == ["qbo.invoice.voided"]
    assert len(await outbox(world)) == 1


@pytest.mark.parametrize(("operation", "status"), [("Void", "voided"), ("Delete", "deleted")])
async def test_a_document_voided_behind_a_sent_job_is_told_on_the_job_and_to_the_admins(
    world: World, operation: str, status: str
) -> None:
    in_quickbooks(world, operation)
    await post_notice(world, notice_body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], operation, "legacy"))

    job = (await world.http.get(f"/v1/jobs/{world.job_id}", headers=auth())).json()
    assert job["status"] == "succeeded"
    assert job["flags"] == [status]
    assert job["warnings"] == [
        f"Invoice 10245 (QuickBooks Online Id {world.invoice['Id']}) was {status} in QuickBooks Online "
        "after this job sent it."
    ]
    flagged = (await world.http.get(f"/v1/jobs?flag={status}", headers=auth())).json()["items"]
    assert [j["id"] for j in flagged] == [world.job_id]
    assert (await world.http.get("/v1/jobs?flag=drift", headers=auth())).json()["items"] == []
    (notice,) = await outbox(world)
    assert notice.kind == f"job.{status}"
    assert "Order 10245" in notice.subject and status in notice.subject
    assert "Invoice 10245" in notice.body


async def test_a_change_to_a_record_we_did_not_write_is_ignored(world: World) -> None:
    response = await post_notice(world, notice_body(DEMO_REALM_ID, "Invoice", "999", "Delete"))
    assert response.status_code == 200
    assert (await invoice_mapping(world)).qb_status is None
    assert await intuit_audit(world) == []


async def test_a_bad_signature_is_refused(world: World) -> None:
    body = notice_body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], "Delete")
    response = await post_notice(world, body, signature=sign("someone-else", body))

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/webhook-signature-invalid")
    assert (await invoice_mapping(world)).qb_status is None


async def test_a_missing_signature_is_refused(world: World) -> None:
    body = notice_body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], "Delete")
    response = await world.http.post(URL, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 401


async def test_an_unknown_realm_is_refused(world: World) -> None:
    response = await post_notice(world, notice_body("123456789", "Invoice", world.invoice["Id"], "Delete"))
    assert response.status_code == 400
    assert response.json()["type"].endswith("/webhook-unknown-realm")
    assert (await invoice_mapping(world)).qb_status is None


async def test_an_unreadable_body_is_refused(world: World) -> None:
    response = await post_notice(world, b'{"something": "else"}')
    assert response.status_code == 400
    assert response.json()["type"].endswith("/webhook-malformed")


def test_both_formats_read_the_same() -> None:
    legacy = parse_notifications(notice_body(DEMO_REALM_ID, "PurchaseOrder", "7", "Void", "legacy"))
    cloud = parse_notifications(notice_body(DEMO_REALM_ID, "PurchaseOrder", "7", "Void", "cloudevents"))
    assert [(n.realm_id, n.entity, n.entity_id, n.operation) for n in legacy] == [
        (DEMO_REALM_ID, "PurchaseOrder", "7", "Void")
    ]
    assert [(n.realm_id, n.entity, n.entity_id, n.operation) for n in cloud] == [
        (DEMO_REALM_ID, "PurchaseOrder", "7", "Void")
    ]


def test_an_unknown_cloud_event_type_is_malformed() -> None:
    from qbo_gateway.webhooks import MalformedNotification

    event = json.loads(notice_body(DEMO_REALM_ID, "Invoice", "1", "Create"))
    event[0]["type"] = "qbo.invoice.teleported.v1"
    with pytest.raises(MalformedNotification):
        parse_notifications(json.dumps(event).encode())


async def _customer_mapping(world: World, active: bool) -> str:
    company = world.sandbox.company(DEMO_REALM_ID)
    customer = company.read("Customer", world.invoice["CustomerRef"]["value"])
    if not active:
        company.update(
            "Customer",
            {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "Active": False},
        )
    async with world.db.transaction() as session:
        session.add(
            Mapping(company_id="acme", target="qbo", kind="customer", esp_key="C1001", qb_id=customer["Id"])
        )
    return str(customer["Id"])


async def _customer_status(world: World) -> str | None:
    async with world.db.sessions() as session:
        return await session.scalar(select(Mapping.qb_status).where(Mapping.kind == "customer"))


@pytest.mark.parametrize("active", [True, False])
async def test_a_customer_delete_is_recorded_only_when_quickbooks_made_it_inactive(
    world: World, active: bool
) -> None:
    customer_id = await _customer_mapping(world, active=active)

    await post_notice(world, notice_body(DEMO_REALM_ID, "Customer", customer_id, "Delete"))

    assert await _customer_status(world) == (None if active else "deleted")
