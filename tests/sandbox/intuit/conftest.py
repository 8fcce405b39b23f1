"""Fixtures for the Intuit sandbox tests: a fresh sandbox per test, driven over ASGI like the gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox, create_intuit_app
from tests.sandbox.intuit.intuit_helpers import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, START, QboApi


@pytest.fixture
def sandbox() -> IntuitSandbox:
    sandbox = IntuitSandbox(now=lambda: START)
    sandbox.register_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])
    return sandbox


@pytest.fixture
async def http(sandbox: IntuitSandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_intuit_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url="https://intuit.test") as client:
        yield client


@pytest.fixture
def qbo(http: httpx.AsyncClient, sandbox: IntuitSandbox) -> QboApi:
    tokens = sandbox.connect(CLIENT_ID, DEMO_REALM_ID)
    return QboApi(http, DEMO_REALM_ID, tokens["access_token"])
