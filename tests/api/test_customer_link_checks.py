"""The CRM "QB" link is checked against QuickBooks before it is kept: an id QuickBooks does not have
(or an inactive customer) is refused with a 422 problem, on QuickBooks Online (read from QBO) and on
QuickBooks Desktop (the list cache the Web Connector keeps)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from espqb.db import Database
from espqb.db.models import QbwcCredential
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qbo_gateway.app import create_app as create_qbo_app
from qbo_gateway.lookups import QboLookups
from qbwc_gateway.listcache.repository import LISTS_REQUESTED
from tests.api.conftest import desktop_lists_read
from tests.qbo.client.support import FakeTime, SandboxTokens, new_sandbox, sandbox_client
from tests.support.api import auth, running, service_settings

URL = "/v1/crm/customers/C1001/quickbooks-link"
UNKNOWN = "https://esp-quickbooks.dev/problems/quickbooks-record-unknown"
DESKTOP_ID = "80000001-1700000000"


async def _mappings(http: httpx.AsyncClient) -> list[tuple[str, str]]:
    items = (await http.get("/v1/mappings", headers=auth())).json()["items"]
    return [(m["esp_key"], m["qb_id"]) for m in items]


@pytest.fixture
async def online(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, IntuitSandbox]]:
    time = FakeTime()
    sandbox = new_sandbox(time)
    async with running(create_qbo_app, service_settings(database_url)) as (app, http):
        client = sandbox_client(sandbox, SandboxTokens(sandbox), time=time)
        # The app's lookups and link checks, on the sandbox.
        app.state.ctx.lookups = app.state.ctx.records = QboLookups(client)
        installed = await http.post("/v1/integration/install", headers=auth(), json={"product": "qbo"})
        assert installed.status_code == 200
        try:
            yield http, sandbox
        finally:
            await client.http.aclose()


async def test_online_a_link_to_an_id_quickbooks_does_not_have_is_refused(
    online: tuple[httpx.AsyncClient, IntuitSandbox],
) -> None:
    http, _sandbox = online
    response = await http.put(URL, headers=auth(), json={"quickbooks_id": "987654"})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == UNKNOWN
    assert "no customer with id 987654" in response.json()["detail"]
    assert await _mappings(http) == []


async def test_online_a_link_to_an_existing_customer_is_kept(
    online: tuple[httpx.AsyncClient, IntuitSandbox],
) -> None:
    http, sandbox = online
    customer = sandbox.company(DEMO_REALM_ID).create("Customer", {"DisplayName": "Lakeside Dental Group"})

    response = await http.put(URL, headers=auth(), json={"quickbooks_id": customer["Id"]})

    assert response.status_code == 200, response.text
    assert await _mappings(http) == [("C1001", customer["Id"])]


async def test_online_a_link_to_an_inactive_customer_is_refused(
    online: tuple[httpx.AsyncClient, IntuitSandbox],
) -> None:
    http, sandbox = online
    company = sandbox.company(DEMO_REALM_ID)
    customer = company.create("Customer", {"DisplayName": "Closed Account Co"})
    company.update(
        "Customer",
        {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "Active": False},
    )

    response = await http.put(URL, headers=auth(), json={"quickbooks_id": customer["Id"]})

    assert response.status_code == 422
    assert "inactive" in response.json()["detail"]
    assert await _mappings(http) == []


async def test_desktop_a_link_to_a_listid_the_lists_do_not_have_is_refused(
    desktop_client: httpx.AsyncClient, database_url: str
) -> None:
    await desktop_lists_read(database_url, {DESKTOP_ID: "Lakeside Dental Group"})

    refused = await desktop_client.put(URL, headers=auth(), json={"quickbooks_id": "8000FFFF-1700000000"})
    kept = await desktop_client.put(URL, headers=auth(), json={"quickbooks_id": DESKTOP_ID})

    assert refused.status_code == 422
    assert refused.json()["type"] == UNKNOWN
    assert kept.status_code == 200, kept.text
    assert await _mappings(desktop_client) == [("C1001", DESKTOP_ID)]


async def test_desktop_lists_never_read_cannot_check_and_ask_the_web_connector_to_read_them(
    desktop_client: httpx.AsyncClient, database_url: str
) -> None:
    response = await desktop_client.put(URL, headers=auth(), json={"quickbooks_id": DESKTOP_ID})

    assert response.status_code == 409
    assert "Web Connector" in response.json()["detail"]
    assert await _mappings(desktop_client) == []
    db = Database.from_url(database_url)
    try:
        async with db.sessions() as session:
            pinned = await session.scalar(
                select(QbwcCredential.pinned_company).where(QbwcCredential.company_id == "acme")
            )
    finally:
        await db.dispose()
    assert LISTS_REQUESTED in (pinned or {})


async def test_a_service_cannot_check_the_other_products_ids(database_url: str) -> None:
    async with running(create_qbo_app, service_settings(database_url)) as (_app, http):
        assert (
            await http.post("/v1/integration/install", headers=auth(), json={"product": "qbd"})
        ).status_code == 200
        response = await http.put(URL, headers=auth(), json={"quickbooks_id": DESKTOP_ID})

    assert response.status_code == 409
    assert "qbwc-gateway" in response.json()["detail"]
