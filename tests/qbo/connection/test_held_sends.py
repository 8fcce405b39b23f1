"""Sends while QuickBooks Online is not usable: refused when never connected, held while it needs
re-authorisation, released by reconnecting."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from espqb.api.deps import gateway_state
from espqb.db import Database
from espqb.db.models import QboConnection
from espqb.db.types import utcnow
from espqb.orders.examples import a7102_request
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qbo_gateway.connection import NeedsReauthorization, TokenProvider
from qbo_gateway.state import QboState
from tests.notifications.outbox_support import outbox
from tests.qbo.connection.connection_support import install_qbo, job_status, outcome, queue_qbo_send, sign_in
from tests.support.api import auth


def _order(order_number: str) -> dict[str, Any]:
    body = a7102_request().model_dump(mode="json")
    body["order"]["order_number"] = order_number
    body["choices"]["income_account"] = {"id": "1"}  # else refused for that first (send-time check)
    return body


async def _send(client: httpx.AsyncClient, order_number: str) -> httpx.Response:
    return await client.post(f"/v1/orders/{order_number}/send", headers=auth(), json=_order(order_number))


async def test_a_company_that_never_connected_cannot_send(client: httpx.AsyncClient) -> None:
    await install_qbo(client)
    response = await _send(client, "10245")
    assert response.status_code == 409
    assert response.json()["type"].endswith("/qbo-not-connected")
    assert "connect" in response.json()["detail"].lower()


async def test_invalid_grant_holds_sends_and_reconnecting_releases_them(
    gateway: tuple[FastAPI, httpx.AsyncClient],
    intuit: httpx.AsyncClient,
    db: Database,
    live_sandbox: IntuitSandbox,
) -> None:
    app, client = gateway
    await install_qbo(client)
    assert outcome(await sign_in(client, intuit)) == "connected"
    queued = await queue_qbo_send(db, order_number="10244")

    # The user disconnects the app inside QuickBooks; the next refresh is refused.
    live_sandbox.disconnect(DEMO_REALM_ID)
    async with db.transaction() as session:
        await session.execute(update(QboConnection).values(access_expires_at=utcnow() - timedelta(seconds=1)))
    tokens: TokenProvider = gateway_state(app.state.ctx, QboState).connection.tokens
    with pytest.raises(NeedsReauthorization):
        await tokens.credentials("acme")

    assert (await job_status(db, queued))[0] == "held"
    assert {n.kind for n in await outbox(db, "acme")} == {"qbo.reauth_required"}
    shown = (await client.get("/v1/qbo/connection", headers=auth())).json()
    assert shown["status"] == "needs_reauth" and "invalid_grant" in shown["last_error"]

    # A new send while it needs re-authorisation is accepted and held, with the reason in words.
    sent = await _send(client, "10245")
    assert sent.status_code == 202, sent.text
    new_job = uuid.UUID(sent.json()["id"])
    status, reason = await job_status(db, new_job)
    assert status == "held" and "re-authorised" in (reason or "")

    # Reconnecting (same books) releases both, by itself.
    page = await sign_in(client, intuit)
    assert outcome(page) == "connected"
    assert "2 order sends that were waiting" in page.text
    assert [(await job_status(db, job))[0] for job in (queued, new_job)] == ["queued", "queued"]
    assert (await client.get("/v1/qbo/connection", headers=auth())).json()["status"] == "connected"
    assert (await tokens.credentials("acme")).realm_id == DEMO_REALM_ID


async def test_disconnecting_holds_queued_sends_and_refuses_new_ones(
    client: httpx.AsyncClient, intuit: httpx.AsyncClient, db: Database
) -> None:
    await install_qbo(client)
    assert outcome(await sign_in(client, intuit)) == "connected"
    queued = await queue_qbo_send(db)
    assert (await client.post("/v1/qbo/disconnect", headers=auth())).status_code == 200
    status, reason = await job_status(db, queued)
    assert status == "held" and "disconnected" in (reason or "")
    refused = await _send(client, "10246")
    assert refused.status_code == 409 and "disconnected" in refused.json()["detail"]
    assert outcome(await sign_in(client, intuit)) == "connected"
    assert (await job_status(db, queued))[0] == "queued"
