"""The admin's path, in a real headless Chromium (Debian's chromium + chromidriver; no download):
connect through the Intuit sandbox's consent page by clicking "Connect", land on our callback page,
then press "QB" on the A7102 example and find it in the sandbox's books."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from espqb.orders import a7102_request
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox, create_intuit_app
from qbo_gateway.app import create_app
from tests.qbo.sending.harness import company_settings
from tests.support.api import auth, service_settings
from tests.support.browser import chromium
from tests.support.servers import free_port, serve_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser() -> Iterator[object]:
    with chromium() as driver:
        yield driver


def test_connect_by_clicking_then_send_the_a7102_example(browser, database_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    sandbox = IntuitSandbox()
    qbo_port = free_port()
    redirect = f"http://127.0.0.1:{qbo_port}/v1/qbo/callback"
    sandbox.register_client("espqb-browser", "browser-secret", [redirect])
    with serve_in_thread(create_intuit_app(sandbox)) as intuit_url:
        settings = service_settings(
            database_url,
            run_worker_in_process=True,
            job_poll_seconds=0.2,
            intuit_client_id="espqb-browser",
            intuit_client_secret="browser-secret",
            intuit_redirect_uri=redirect,
            intuit_discovery_url=f"{intuit_url}/.well-known/openid-configuration",
            intuit_api_base_url=intuit_url,
        )
        with (
            serve_in_thread(create_app(settings), qbo_port) as qbo_url,
            httpx.Client(base_url=qbo_url, headers=auth(), timeout=30) as api,
        ):
            assert api.post("/v1/integration/install", json={"product": "qbo"}).status_code == 200
            assert (
                api.put("/v1/settings", json=company_settings(sandbox).model_dump(mode="json")).status_code
                == 200
            )
            authorization_url = api.post("/v1/qbo/connect").json()["authorization_url"]

            browser.get(authorization_url)
            button = WebDriverWait(browser, 20).until(
                expected_conditions.element_to_be_clickable((By.ID, "connect"))
            )
            button.click()
            WebDriverWait(browser, 20).until(lambda d: d.current_url.startswith(redirect))
            body = browser.find_element(By.TAG_NAME, "body")
            assert body.get_attribute("data-outcome") == "connected", browser.page_source[:2000]

            connection = api.get("/v1/qbo/connection").json()
            assert connection["status"] == "connected" and connection["realm_id"] == DEMO_REALM_ID

            job = api.post("/v1/orders/10245/send", json=a7102_request().model_dump(mode="json")).json()
            deadline = time.monotonic() + 60
            while (status := api.get(f"/v1/jobs/{job['id']}").json()["status"]) not in (
                "succeeded",
                "failed",
            ):
                assert time.monotonic() < deadline, f"job still {status}"
                time.sleep(0.2)
            assert status == "succeeded", api.get(f"/v1/jobs/{job['id']}").json()

    (invoice,) = sandbox.entities(DEMO_REALM_ID, "Invoice")
    assert Decimal(str(invoice["TotalAmt"])) == Decimal("218.50")
    assert Decimal(str(invoice["Balance"])) == Decimal("118.50")
    discount = [line for line in invoice["Line"] if line.get("DetailType") == "DiscountLineDetail"]
    assert [Decimal(str(line["Amount"])) for line in discount] == [Decimal("11.50")]
    (payment,) = sandbox.entities(DEMO_REALM_ID, "Payment")
    assert Decimal(str(payment["TotalAmt"])) == Decimal("100.00")
    assert len(sandbox.entities(DEMO_REALM_ID, "Bill")) == 1
    assert len(sandbox.entities(DEMO_REALM_ID, "PurchaseOrder")) == 1
    assert "Lakeside Dental Group" in [c["DisplayName"] for c in sandbox.entities(DEMO_REALM_ID, "Customer")]
    assert "A7102" in [i["Name"] for i in sandbox.entities(DEMO_REALM_ID, "Item")]
