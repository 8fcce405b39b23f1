"""The whole way, as the product is used: install QuickBooks Online, set the accounts, connect through
Intuit's sign-in (the sandbox on a loopback port), press "QB" on the A7102 example order, let the
worker run, and find the help article's figures in the sandbox's books."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from espqb.api.deps import gateway_state
from espqb.config import Settings
from espqb.orders import A7102_SUPPLIER_ID, a7102_request
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox, create_intuit_app
from qbo_gateway.app import create_app
from qbo_gateway.state import QboState
from tests.qbo.client.support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, new_sandbox
from tests.qbo.sending.harness import company_settings
from tests.support.api import auth, running, service_settings
from tests.support.servers import serve_in_thread


@pytest.fixture
def sandbox() -> IntuitSandbox:
    return new_sandbox()


@pytest.fixture
def intuit_url(sandbox: IntuitSandbox) -> Iterator[str]:
    with serve_in_thread(create_intuit_app(sandbox)) as url:
        yield url


async def _connect(api: httpx.AsyncClient, intuit_url: str) -> None:
    """Connect → Intuit's consent page → choose the company → back to our callback."""
    started = await api.post("/v1/qbo/connect", headers=auth())
    assert started.status_code == 200, started.text
    async with httpx.AsyncClient() as browser:
        page = await browser.get(started.json()["authorization_url"])
        match = re.search(r'name="request_id" value="([^"]+)"', page.text)
        assert match, page.text
        consent = await browser.post(
            f"{intuit_url}/connect/oauth2",
            data={"request_id": match.group(1), "action": "connect", "realm_id": DEMO_REALM_ID},
        )
    assert consent.status_code == 302
    callback = httpx.URL(consent.headers["location"])
    assert str(callback).startswith(REDIRECT_URI)
    landed = await api.get("/v1/qbo/callback", params=dict(callback.params))
    assert landed.status_code == 200, landed.text


def _settings(database_url: str, intuit_url: str, **overrides: object) -> Settings:
    return service_settings(
        database_url,
        intuit_client_id=CLIENT_ID,
        intuit_client_secret=CLIENT_SECRET,
        intuit_redirect_uri=REDIRECT_URI,
        intuit_discovery_url=f"{intuit_url}/.well-known/openid-configuration",
        intuit_api_base_url=intuit_url,
        **overrides,
    )


async def _install_and_connect(api: httpx.AsyncClient, sandbox: IntuitSandbox, intuit_url: str) -> None:
    installed = await api.post("/v1/integration/install", json={"product": "qbo"}, headers=auth())
    assert installed.status_code == 200
    accounts = company_settings(sandbox).model_dump(mode="json")
    assert (await api.put("/v1/settings", json=accounts, headers=auth())).status_code == 200
    await _connect(api, intuit_url)


async def test_the_a7102_example_from_install_to_the_books(
    database_url: str, sandbox: IntuitSandbox, intuit_url: str
) -> None:
    async with running(create_app, _settings(database_url, intuit_url)) as (app, api):
        await _install_and_connect(api, sandbox, intuit_url)

        sent = await api.post(
            "/v1/orders/10245/send", json=a7102_request().model_dump(mode="json"), headers=auth()
        )
        assert sent.status_code == 202, sent.text
        assert await gateway_state(app.state.ctx, QboState).sending.run_once() == 1

        job = (await api.get(f"/v1/jobs/{sent.json()['id']}", headers=auth())).json()
        assert job["status"] == "succeeded", job

    books = {
        kind: sandbox.entities(DEMO_REALM_ID, kind)
        for kind in ("Customer", "Item", "Invoice", "Payment", "Vendor", "Bill", "PurchaseOrder")
    }
    assert "Lakeside Dental Group" in [c["DisplayName"] for c in books["Customer"]]
    assert "A7102" in [i["Name"] for i in books["Item"]]
    (invoice,) = books["Invoice"]
    assert invoice["TotalAmt"] == Decimal("218.50")
    assert [line["Amount"] for line in invoice["Line"] if line["DetailType"] == "DiscountLineDetail"] == [
        Decimal("11.50")
    ]
    (payment,) = books["Payment"]
    assert payment["TotalAmt"] == Decimal("100.00")
    assert invoice["Balance"] == Decimal("118.50")
    vendor = next(v for v in books["Vendor"] if v["DisplayName"] == "Hit Promotional Products")
    (bill,) = books["Bill"]
    (po,) = books["PurchaseOrder"]
    assert bill["VendorRef"]["value"] == po["VendorRef"]["value"] == vendor["Id"]
    assert bill["LinkedTxn"] == [{"TxnId": po["Id"], "TxnType": "PurchaseOrder"}]
    assert A7102_SUPPLIER_ID in {
        step["key"].split(":")[-1] for step in job["steps"] if step["key"].startswith("bill")
    }


async def test_the_gateways_own_worker_sends_without_being_asked(
    database_url: str, sandbox: IntuitSandbox, intuit_url: str
) -> None:
    settings = _settings(database_url, intuit_url, run_worker_in_process=True)
    async with running(create_app, settings) as (_app, api):
        await _install_and_connect(api, sandbox, intuit_url)
        sent = await api.post(
            "/v1/orders/10245/send", json=a7102_request().model_dump(mode="json"), headers=auth()
        )
        assert sent.status_code == 202, sent.text
        status = sent.json()["status"]
        for _ in range(150):
            status = (await api.get(f"/v1/jobs/{sent.json()['id']}", headers=auth())).json()["status"]
            if status not in ("queued", "running"):
                break
            await asyncio.sleep(0.1)
        assert status == "succeeded"
    assert len(sandbox.entities(DEMO_REALM_ID, "Invoice")) == 1
