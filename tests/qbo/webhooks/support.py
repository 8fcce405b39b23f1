"""The webhook tests' world: the qbo-gateway on the test database, one company connected to the Intuit
sandbox's demo realm, one mapped invoice its succeeded send job wrote; and helpers to post notices."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from espqb.api.deps import gateway_state
from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import AuditEntry, Company, Mapping, Notification, QboConnection, SendJob
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qb_sandbox.intuit.webhooks import ChangeEvent, encode
from qbo_gateway.app import create_app
from qbo_gateway.client import QboClient
from qbo_gateway.state import QboState
from qbo_gateway.webhooks import SIGNATURE_HEADER, sign
from tests.qbo.client.support import FakeTime, SandboxTokens, new_sandbox, sandbox_client
from tests.support.api import running, service_settings

VERIFIER = "dev-verifier-token"  # service_settings' development default
URL = "/v1/qbo/webhooks"


@dataclass
class World:
    http: httpx.AsyncClient
    db: Database
    sandbox: IntuitSandbox
    invoice: dict[str, Any]
    job_id: str  # the succeeded send job that wrote the invoice
    settings: Settings
    client: QboClient  # the app's QBO client, pointed at the sandbox
    tokens: SandboxTokens
    state: QboState


@asynccontextmanager
async def open_world(database_url: str) -> AsyncIterator[World]:
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
        tokens = SandboxTokens(sandbox)
        client = sandbox_client(sandbox, tokens, time=time)
        state = gateway_state(ctx, QboState)
        state.sending.client = client  # the app's client, pointed at the sandbox
        try:
            yield World(http, ctx.db, sandbox, invoice, str(job_id), ctx.settings, client, tokens, state)
        finally:
            await client.http.aclose()


def notice_body(realm: str, entity: str, entity_id: str, operation: str, fmt: str = "cloudevents") -> bytes:
    event = ChangeEvent(entity, entity_id, operation, datetime(2026, 3, 2, 17, 5, tzinfo=UTC))
    return encode(realm, [event], fmt, source="intuit.test")  # type: ignore[arg-type]


async def post_notice(world: World, body: bytes, signature: str | None = None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    headers[SIGNATURE_HEADER] = signature if signature is not None else sign(VERIFIER, body)
    return await world.http.post(URL, content=body, headers=headers)


async def invoice_mapping(world: World) -> Mapping:
    async with world.db.sessions() as session:
        row = await session.scalar(select(Mapping).where(Mapping.kind == "invoice"))
        assert row is not None
        return row


async def outbox(world: World) -> list[Notification]:
    async with world.db.sessions() as session:
        return list(await session.scalars(select(Notification).order_by(Notification.id)))


async def intuit_audit(world: World) -> list[str]:
    async with world.db.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.actor == "intuit").order_by(AuditEntry.id)
        )
        return [row.event for row in rows]


def pay_invoice(world: World, amount: str) -> None:
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


def in_quickbooks(world: World, operation: str) -> None:
    """Someone voids or deletes the invoice in QuickBooks Online."""
    company = world.sandbox.company(DEMO_REALM_ID)
    current = company.read("Invoice", world.invoice["Id"])
    reference = {"Id": current["Id"], "SyncToken": current["SyncToken"]}
    if operation == "Void":
        company.void("Invoice", reference)
    else:
        company.delete("Invoice", reference)
