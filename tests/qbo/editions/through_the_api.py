"""The qbo-gateway app, as ESP uses it, against the Intuit sandbox on a loopback port: install
QuickBooks Online, fill in the accounts, connect a chosen sandbox company through Intuit's consent
page, send orders with POST /v1/orders/{number}/send and let the gateway's worker run them.

Follows tests/qbo/e2e/test_a7102_through_the_api.py, with the company (realm) to connect as a
parameter, so each edition's company can be connected."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from espqb.api.deps import gateway_state
from espqb.config import Settings
from espqb.orders import SendRequest
from qb_sandbox.intuit import IntuitSandbox, create_intuit_app
from qbo_gateway.app import create_app
from qbo_gateway.state import QboState
from tests.qbo.client.support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI
from tests.qbo.sending.harness import company_settings
from tests.support.api import auth, running, service_settings
from tests.support.servers import serve_in_thread


def gateway_settings(database_url: str, intuit_url: str, **overrides: object) -> Settings:
    return service_settings(
        database_url,
        intuit_client_id=CLIENT_ID,
        intuit_client_secret=CLIENT_SECRET,
        intuit_redirect_uri=REDIRECT_URI,
        intuit_discovery_url=f"{intuit_url}/.well-known/openid-configuration",
        intuit_api_base_url=intuit_url,
        **overrides,
    )


@dataclass
class Books:
    """The gateway (``api``, ``app``) and the sandbox company it is connected to (``realm_id``)."""

    app: FastAPI
    api: httpx.AsyncClient
    sandbox: IntuitSandbox
    realm_id: str
    intuit_url: str

    async def connection(self) -> dict[str, Any]:
        answer = await self.api.get("/v1/qbo/connection", headers=auth())
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    async def send(self, request: SendRequest) -> httpx.Response:
        """POST /v1/orders/{number}/send; a 202 is run by the worker before returning."""
        number = request.order.order_number
        sent = await self.api.post(
            f"/v1/orders/{number}/send", json=request.model_dump(mode="json"), headers=auth()
        )
        if sent.status_code == 202:
            await gateway_state(self.app.state.ctx, QboState).sending.run_once()
        return sent

    async def job(self, sent: httpx.Response) -> dict[str, Any]:
        answer = await self.api.get(f"/v1/jobs/{sent.json()['id']}", headers=auth())
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def entities(self, kind: str) -> list[dict[str, Any]]:
        return self.sandbox.entities(self.realm_id, kind)

    def written(self) -> dict[str, int]:
        """How many records of each kind our sends could have written."""
        kinds = ("Customer", "Vendor", "Item", "Invoice", "Payment", "PurchaseOrder", "Bill")
        return {kind: len(self.entities(kind)) for kind in kinds}


async def connect(
    api: httpx.AsyncClient, intuit_url: str, realm_id: str, *, confirm_realm_change: bool = False
) -> httpx.Response:
    """Connect → Intuit's consent page → choose the company → back to our callback."""
    started = await api.post(
        "/v1/qbo/connect", json={"confirm_realm_change": confirm_realm_change}, headers=auth()
    )
    assert started.status_code == 200, started.text
    async with httpx.AsyncClient() as browser:
        page = await browser.get(started.json()["authorization_url"])
        match = re.search(r'name="request_id" value="([^"]+)"', page.text)
        assert match, page.text
        consent = await browser.post(
            f"{intuit_url}/connect/oauth2",
            data={"request_id": match.group(1), "action": "connect", "realm_id": realm_id},
        )
    assert consent.status_code == 302
    callback = httpx.URL(consent.headers["location"])
    assert str(callback).startswith(REDIRECT_URI)
    landed = await api.get("/v1/qbo/callback", params=dict(callback.params))
    assert landed.status_code == 200, landed.text
    return landed


@asynccontextmanager
async def connected_books(
    database_url: str, sandbox: IntuitSandbox, realm_id: str, *, settings: dict[str, Any] | None = None
) -> AsyncIterator[Books]:
    """The gateway, installed, with Settings → Accounts (and ``settings``), connected to ``realm_id``."""
    with serve_in_thread(create_intuit_app(sandbox)) as intuit_url:
        async with running(create_app, gateway_settings(database_url, intuit_url)) as (app, api):
            installed = await api.post("/v1/integration/install", json={"product": "qbo"}, headers=auth())
            assert installed.status_code == 200, installed.text
            body = company_settings(sandbox, realm_id).model_dump(mode="json")
            body.update(settings or {})
            saved = await api.put("/v1/settings", json=body, headers=auth())
            assert saved.status_code == 200, saved.text
            await connect(api, intuit_url, realm_id)
            yield Books(app, api, sandbox, realm_id, intuit_url)
