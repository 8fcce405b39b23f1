"""POST /v1/qbo/webhooks: Intuit's signature, both payload formats, 200 at once, and what a change to a
mapped invoice (paid, voided, deleted) leaves on its mapping and in the audit log."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from espqb.api.deps import gateway_state
from espqb.db import Database
from espqb.db.models import AuditEntry, Company, Mapping, Notification, QboConnection, SendJob
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qb_sandbox.intuit.webhooks import ChangeEvent, encode
from qbo_gateway.app import create_app
from qbo_gateway.state import QboState
from qbo_gateway.webhooks import SIGNATURE_HEADER, parse_notifications, sign
from tests.qbo.client.support import FakeTime, SandboxTokens, new_sandbox, sandbox_client
from tests.support.api import auth, running, service_settings

VERIFIER = "dev-verifier-token"  # service_settings' development default
URL = "/v1/qbo/webhooks"


@dataclass
class World:
    http: httpx.AsyncClient
    db: Database
    sandbox: IntuitSandbox
    invoice: dict[str, Any]
    job_id: str  # the succeeded send job that wrote the invoice


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    time = FakeTime()
    sandbox = new_sandbox(time)
    company = sandbox.company(DEMO_REALM_ID)
    customer = company.create("Customer", {"DisplayName": "Lakeside Dental Group"})
    services = company.books.records("Item")[0]
    invoice = company.create(
        "Invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "DocNumber": "10245",
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": Decimal("218.50"),
                    "SalesItemLineDetail": {"ItemRef": {"value": services.id}},
                }
            ],
        },
    )
    settings = service_settings(database_url, notify_webhook_url="https://esp.example/notify")
    async with running(create_app, settings) as (app, http):
        ctx = app.state.ctx
        job_id = uuid.uuid4()
        async with ctx.db.transaction() as session:
            session.add(Company(id="acme", name="Acme"))
            await session.flush()
            session.add(QboConnection(company_id="acme", realm_id=DEMO_REALM_ID, status="connected"))
            session.add(
                SendJob(
                    id=job_id,
                    company_id="acme",
                    order_number="10245",
                    target="qbo",
                    status="succeeded",
                    payload={},
                    finished_at=datetime(2026, 3, 2, 17, 0, tzinfo=UTC),
                )
            )
            session.add(
                Mapping(
                    last_job_id=str(job_id),
                    company_id="acme",
                    target="qbo",
                    kind="invoice",
                    esp_key="10245",
                    order_number="10245",
                    qb_id=invoice["Id"],
                    qb_version=invoice["SyncToken"],
                    qb_ref_number="10245",
                )
            )
        client = sandbox_client(sandbox, SandboxTokens(sandbox), time=time)
        gateway_state(ctx, QboState).sending.client = client  # the app's client, pointed at the sandbox
        try:
            yield World(http, ctx.db, sandbox, invoice, str(job_id))
        finally:
            await client.http.aclose()


def _body(realm: str, entity: str, entity_id: str, operation: str, fmt: str = "cloudevents") -> bytes:
    event = ChangeEvent(entity, entity_id, operation, datetime(2026, 3, 2, 17, 5, tzinfo=UTC))
    return encode(realm, [event], fmt, source="intuit.test")  # type: ignore[arg-type]


async def _post(world: World, body: bytes, signature: str | None = None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    headers[SIGNATURE_HEADER] = signature if signature is not None else sign(VERIFIER, body)
    return await world.http.post(URL, content=body, headers=headers)


async def _mapping(world: World) -> Mapping:
    async with world.db.sessions() as session:
        row = await session.scalar(select(Mapping).where(Mapping.kind == "invoice"))
        assert row is not None
        return row


async def _notifications(world: World) -> list[Notification]:
    async with world.db.sessions() as session:
        return list(await session.scalars(select(Notification).order_by(Notification.id)))


async def _audit(world: World) -> list[str]:
    async with world.db.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.actor == "intuit").order_by(AuditEntry.id)
        )
        return [row.event for row in rows]


def _pay(world: World, amount: str) -> None:
    company = world.sandbox.company(DEMO_REALM_ID)
    company.create(
        "Payment",
        {
            "CustomerRef": world.invoice["CustomerRef"],
            "TotalAmt": Decimal(amount),
            "Line": [
                {
                    "Amount": Decimal(amount),
                    "LinkedTxn": [{"TxnId": world.invoice["Id"], "TxnType": "Invoice"}],
                }
            ],
        },
    )


async def test_a_fully_paid_invoice_is_recorded_as_paid(world: World) -> None:
    _pay(world, "218.50")
    response = await _post(world, _body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], "Update", "legacy"))

    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "ignored_realms": 0}
    mapping = await _mapping(world)
    assert mapping.qb_status == "paid"
    assert mapping.qb_version == world.sandbox.get(DEMO_REALM_ID, "Invoice", world.invoice["Id"])["SyncToken"]  # type: ignore[index]
    assert await _audit(world) == ["qbo.invoice.paid"]


async def test_a_payment_notice_updates_the_invoices_it_pays(world: World) -> None:
    _pay(world, "100.00")
    payment_id = world.sandbox.entities(DEMO_REALM_ID, "Payment")[0]["Id"]
    response = await _post(world, _body(DEMO_REALM_ID, "Payment", payment_id, "Create"))

    assert response.status_code == 200
    assert (await _mapping(world)).qb_status == "partially_paid"


def _in_quickbooks(world: World, operation: str) -> None:
    """Someone voids or deletes the invoice in QuickBooks Online."""
    company = world.sandbox.company(DEMO_REALM_ID)
    current = company.read("Invoice", world.invoice["Id"])
    reference = {"Id": current["Id"], "SyncToken": current["SyncToken"]}
    if operation == "Void":
        company.void("Invoice", reference)
    else:
        company.delete("Invoice", reference)


@pytest.mark.parametrize(("operation", "status"), [("Void", "voided"), ("Delete", "deleted")])
async def test_voided_and_deleted_invoices_are_recorded(world: World, operation: str, status: str) -> None:
    _in_quickbooks(world, operation)
    response = await _post(world, _body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], operation))

    assert response.status_code == 200
    assert (await _mapping(world)).qb_status == status
    assert await _audit(world) == [f"qbo.invoice.{status}"]


@pytest.mark.parametrize("operation", ["Void", "Delete"])
async def test_a_void_or_delete_quickbooks_does_not_show_is_not_recorded(
    world: World, operation: str
) -> None:
    response = await _post(world, _body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], operation))

    assert response.status_code == 200
    assert (await _mapping(world)).qb_status == "open"  # what QuickBooks shows: the invoice is open
    assert await _audit(world) == ["qbo.invoice.open"]
    assert (await world.http.get("/v1/jobs?flag=voided", headers=auth())).json()["items"] == []


async def test_the_same_notice_twice_is_recorded_once(world: World) -> None:
    _in_quickbooks(world, "Void")
    body = _body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], "Void")
    await _post(world, body)
    await _post(world, body)
    assert await _audit(world) == ["qbo.invoice.voided"]
    assert len(await _notifications(world)) == 1


@pytest.mark.parametrize(("operation", "status"), [("Void", "voided"), ("Delete", "deleted")])
async def test_a_document_voided_behind_a_sent_job_is_told_on_the_job_and_to_the_admins(
    world: World, operation: str, status: str
) -> None:
    _in_quickbooks(world, operation)
    await _post(world, _body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], operation, "legacy"))

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
    (notice,) = await _notifications(world)
    assert notice.kind == f"job.{status}"
    assert "Order 10245" in notice.subject and status in notice.subject
    assert "Invoice 10245" in notice.body


async def test_a_change_to_a_record_we_did_not_write_is_ignored(world: World) -> None:
    response = await _post(world, _body(DEMO_REALM_ID, "Invoice", "999", "Delete"))
    assert response.status_code == 200
    assert (await _mapping(world)).qb_status is None
    assert await _audit(world) == []


async def test_a_bad_signature_is_refused(world: World) -> None:
    body = _body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], "Delete")
    response = await _post(world, body, signature=sign("someone-else", body))

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/webhook-signature-invalid")
    assert (await _mapping(world)).qb_status is None


async def test_a_missing_signature_is_refused(world: World) -> None:
    body = _body(DEMO_REALM_ID, "Invoice", world.invoice["Id"], "Delete")
    response = await world.http.post(URL, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 401


async def test_an_unknown_realm_is_refused(world: World) -> None:
    response = await _post(world, _body("123456789", "Invoice", world.invoice["Id"], "Delete"))
    assert response.status_code == 400
    assert response.json()["type"].endswith("/webhook-unknown-realm")
    assert (await _mapping(world)).qb_status is None


async def test_an_unreadable_body_is_refused(world: World) -> None:
    response = await _post(world, b'{"something": "else"}')
    assert response.status_code == 400
    assert response.json()["type"].endswith("/webhook-malformed")


def test_both_formats_read_the_same() -> None:
    legacy = parse_notifications(_body(DEMO_REALM_ID, "PurchaseOrder", "7", "Void", "legacy"))
    cloud = parse_notifications(_body(DEMO_REALM_ID, "PurchaseOrder", "7", "Void", "cloudevents"))
    assert [(n.realm_id, n.entity, n.entity_id, n.operation) for n in legacy] == [
        (DEMO_REALM_ID, "PurchaseOrder", "7", "Void")
    ]
    assert [(n.realm_id, n.entity, n.entity_id, n.operation) for n in cloud] == [
        (DEMO_REALM_ID, "PurchaseOrder", "7", "Void")
    ]


def test_an_unknown_cloud_event_type_is_malformed() -> None:
    from qbo_gateway.webhooks import MalformedNotification

    event = json.loads(_body(DEMO_REALM_ID, "Invoice", "1", "Create"))
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

    await _post(world, _body(DEMO_REALM_ID, "Customer", customer_id, "Delete"))

    assert await _customer_status(world) == (None if active else "deleted")
