"""Fixtures for the QuickBooks Online connection tests.

Two ways to reach the Intuit sandbox:

- `gateway`: the qbo-gateway app (its real lifespan) talking to the sandbox served by uvicorn on a
  loopback port, as in production; the sandbox runs on real time;
- `provider`: a `TokenProvider` over the sandbox in-process (ASGI), on the sandbox's clock, which a
  test moves forward with `sandbox.advance()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from espqb.config import DEV_ENCRYPTION_KEY, Settings
from espqb.db import Database
from espqb.security.crypto import SecretBox
from qb_sandbox.intuit import IntuitSandbox, create_intuit_app
from qbo_gateway.app import create_app
from qbo_gateway.connection.oauth import IntuitOAuth
from qbo_gateway.connection.tokens import TokenProvider
from tests.notifications.receivers import serve_asgi
from tests.qbo.connection.connection_support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI
from tests.support.api import running, service_settings

START = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
INTUIT_TEST_URL = "https://intuit.test"


def intuit_settings(database_url: str, intuit_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "intuit_client_id": CLIENT_ID,
        "intuit_client_secret": CLIENT_SECRET,
        "intuit_redirect_uri": REDIRECT_URI,
        "intuit_discovery_url": f"{intuit_url}/.well-known/openid-configuration",
        "intuit_api_base_url": intuit_url,
        "notify_webhook_url": "http://127.0.0.1:9/esp/hooks",
    }
    values.update(overrides)
    return service_settings(database_url, **values)


# -- the gateway over a loopback sandbox ---------------------------------------------------------------


@pytest.fixture
def live_sandbox() -> IntuitSandbox:
    sandbox = IntuitSandbox()
    sandbox.register_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])
    return sandbox


@pytest.fixture
async def intuit_url(live_sandbox: IntuitSandbox) -> AsyncIterator[str]:
    async with serve_asgi(create_intuit_app(live_sandbox)) as base:
        yield base


@pytest.fixture
async def intuit(intuit_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The admin's browser at Intuit."""
    async with httpx.AsyncClient(base_url=intuit_url) as browser:
        yield browser


@pytest.fixture
async def gateway(database_url: str, intuit_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running(create_app, intuit_settings(database_url, intuit_url)) as (app, client):
        yield app, client


@pytest.fixture
def client(gateway: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return gateway[1]


# -- a token provider over the in-process sandbox, on the sandbox's clock ------------------------------


@pytest.fixture
def sandbox() -> IntuitSandbox:
    sandbox = IntuitSandbox(now=lambda: START)
    sandbox.register_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])
    return sandbox


@pytest.fixture
def box() -> SecretBox:
    return SecretBox([DEV_ENCRYPTION_KEY])


@pytest.fixture
def settings(database_url: str) -> Settings:
    return intuit_settings(database_url, INTUIT_TEST_URL)


@pytest.fixture
async def oauth(sandbox: IntuitSandbox, settings: Settings) -> AsyncIterator[IntuitOAuth]:
    client = IntuitOAuth(settings, transport=httpx.ASGITransport(app=create_intuit_app(sandbox)))
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def provider(
    db: Database, settings: Settings, box: SecretBox, oauth: IntuitOAuth, sandbox: IntuitSandbox
) -> TokenProvider:
    return TokenProvider(db, settings, box, oauth, sandbox.now)
