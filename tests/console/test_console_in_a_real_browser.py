"""The reference ESP console (console/, docs/console.md) in a real headless Chromium (Debian's
chromium + chromedriver): the browser calls both gateways over CORS, as ESP's front end would.

QuickBooks Online: an admin installs it, connects on the Intuit sandbox's consent page, lets only the
"sales" team send and fills the Accounts tab; a "sales" user opens the QB dialog on A7102, sees the
preview's figures, sends and watches the job succeed, with the link to the invoice; a user of another
team gets no QB button and a 403 from the API; the admin links an ESP customer through the CRM search.
QuickBooks Desktop: the same with the Web Connector password and .qwc download, and a simulated Web
Connector update. Every screen is saved as a PNG (under pytest's tmp, and in
ESPQB_CONSOLE_SCREENSHOTS when set: docs/images/console-*.png come from there)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from espqb_console.app import ConsoleConfig, create_app
from qb_sandbox.desktop import CompanyFile
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox, create_intuit_app
from qb_sandbox.webconnector import WebConnectorSimulator
from qbo_gateway.app import create_app as create_qbo_app
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.support.api import auth, service_settings
from tests.support.browser import chromium
from tests.support.servers import free_port, serve_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

QBO_ACCOUNTS = {
    "ar": "Accounts Receivable (A/R)",
    "income": "Sales of Product Income",
    "ap": "Accounts Payable (A/P)",
    "cogs": "Cost of Goods Sold",
}
# The demo company file's accounts (tests/qbwc/harness.py ACCOUNTS).
QBD_ACCOUNTS = {
    "ar": "Accounts Receivable",
    "income": "Sales",
    "ap": "Accounts Payable",
    "cogs": "Cost of Goods Sold",
}
A7102_FIGURES = {
    "subtotal": "230.00",
    "discount": "-11.50",
    "total": "218.50",
    "payments_applied": "100.00",
    "balance_due": "118.50",
}


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium(["--window-size=1280,1000"], console_log=True) as driver:
        yield driver


class Screens:
    """One PNG per screen, numbered in the order they were seen."""

    def __init__(self, driver: Any, folder: Path) -> None:
        self.driver = driver
        self.folders = [folder]
        extra = os.environ.get("ESPQB_CONSOLE_SCREENSHOTS")
        if extra:
            self.folders.append(Path(extra))
        for f in self.folders:
            f.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def __call__(self, name: str, scroll_to: str | None = None) -> None:
        if scroll_to:
            self.driver.execute_script("document.querySelector(arguments[0]).scrollIntoView()", scroll_to)
        self.count += 1
        for folder in self.folders:
            assert self.driver.save_screenshot(str(folder / f"{self.count:02d}-{name}.png"))


class Console:
    """The console's pages, as a person uses them."""

    def __init__(self, driver: Any, url: str, failures: Path | None = None) -> None:
        self.driver = driver
        self.url = url
        self.failures = failures

    def wait(self, condition: Callable[[Any], Any], timeout: float = 20, message: str = "") -> Any:
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(condition, message)
        except TimeoutException:
            if self.failures:
                self.driver.save_screenshot(str(self.failures / "failure.png"))
            logs = [entry["message"] for entry in self.driver.get_log("browser")]
            raise AssertionError(f"{message}; the browser's console: {logs[-10:]}") from None

    def find(self, css: str, timeout: float = 20) -> Any:
        from selenium.common.exceptions import NoSuchElementException
        from selenium.webdriver.common.by import By

        def present(d: Any) -> Any:
            try:
                return d.find_element(By.CSS_SELECTOR, css)
            except NoSuchElementException:
                return False

        return self.wait(present, timeout, f"no {css}: {self.error_text()}")

    def click(self, css: str) -> None:
        """Click the element, looking it up again if the console redrew it meanwhile."""
        from selenium.common.exceptions import StaleElementReferenceException

        def clicked(d: Any) -> bool:
            try:
                self.find(css).click()
            except StaleElementReferenceException:
                return False
            return True

        self.wait(clicked, message=f"could not click {css}")

    def all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def error_text(self) -> str:
        found: str = self.driver.execute_script(
            "return [...document.querySelectorAll('.error')].map((e) => e.innerText).join(' | ')"
        )
        return found[:1000]

    def text(self, css: str) -> str | None:
        """The first match's text, read in the page (the console redraws, so elements go stale)."""
        found: str | None = self.driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null", css
        )
        return found

    def text_becomes(self, css: str, text: str, timeout: float = 20) -> None:
        self.wait(
            lambda d: self.text(css) == text,
            timeout,
            f"{css} is not {text!r} but {self.text(css)!r} {self.error_text()}",
        )

    def fill(self, css: str, value: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(value)

    def sign_in(self, company: str, user: str, role: str, teams: str = "") -> None:
        from selenium.webdriver.support.ui import Select

        self.driver.get(f"{self.url}/")
        self.driver.execute_script("sessionStorage.clear()")
        self.driver.get(f"{self.url}/#/signin")
        self.driver.refresh()
        self.fill("#signin-form [name=company]", company)
        self.fill("#signin-form [name=user]", user)
        Select(self.find("#signin-form [name=role]")).select_by_value(role)
        self.fill("#signin-form [name=teams]", teams)
        self.click("#sign-in")
        self.text_becomes("#signed-in", f"{company} · {user} ({role}{'; ' + teams if teams else ''})")

    def save(self) -> None:
        self.click("#save")
        self.find("#saved")

    def fill_accounts(self, names: dict[str, str]) -> None:
        self.click("#tab-button-accounts")
        self.find("#tab-accounts [name=account-ar]")
        for key, name in names.items():
            self.fill(f"[name=account-{key}]", name)
        self.save()

    def open_dialog(self, sample: str) -> None:
        self.driver.get(f"{self.url}/#/orders")
        self.click(f"#qb-{sample}")
        self.find("#send-form")
        self.text_becomes("[data-total=total]", A7102_FIGURES["total"])
        for key, figure in A7102_FIGURES.items():
            assert self.find(f"[data-total={key}]").text == figure, key
        assert self.find("#preview > div").get_attribute("data-sendable") == "true", self.error_text()


def _settings(api: httpx.Client) -> dict[str, Any]:
    response = api.get("/v1/settings")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_the_console_on_both_products(browser: Any, database_url: str, tmp_path: Path) -> None:
    screens = Screens(browser, tmp_path / "screens")
    sandbox = IntuitSandbox()
    qbo_port, console_port = free_port(), free_port()
    redirect = f"http://127.0.0.1:{qbo_port}/v1/qbo/callback"
    sandbox.register_client("espqb-console", "console-secret", [redirect])
    origin = f"http://127.0.0.1:{console_port}"
    with serve_in_thread(create_intuit_app(sandbox)) as intuit_url:
        qbo_settings = service_settings(
            database_url,
            run_worker_in_process=True,
            job_poll_seconds=0.2,
            cors_allowed_origins=origin,
            intuit_client_id="espqb-console",
            intuit_client_secret="console-secret",
            intuit_redirect_uri=redirect,
            intuit_discovery_url=f"{intuit_url}/.well-known/openid-configuration",
            intuit_api_base_url=intuit_url,
        )
        qbwc_settings = service_settings(database_url, cors_allowed_origins=origin)
        with (
            serve_in_thread(create_qbo_app(qbo_settings), qbo_port) as qbo_url,
            serve_in_thread(create_qbwc_app(qbwc_settings)) as qbwc_url,
            serve_in_thread(create_app(ConsoleConfig(qbo_url=qbo_url, qbwc_url=qbwc_url)), console_port),
        ):
            console = Console(browser, origin, tmp_path)
            _quickbooks_online(console, screens, qbo_url, intuit_url, redirect, sandbox)
            _quickbooks_desktop(console, screens, qbwc_url)


def _quickbooks_online(
    console: Console, screens: Screens, qbo_url: str, intuit_url: str, redirect: str, sandbox: IntuitSandbox
) -> None:
    from selenium.webdriver.common.by import By

    driver = console.driver
    company = "online-co"
    admin = httpx.Client(base_url=qbo_url, headers=auth(company, "ada"), timeout=30)

    # Admin → Integrations: choose QuickBooks Online and press Install
    console.sign_in(company, "ada", "admin")
    console.find("#install-qbo")
    screens("integrations-choose")
    console.click("#install-qbo")
    console.find("#tab-details")
    console.text_becomes("#connection-status", "not_connected")

    # Connect: Intuit's sign-in and consent page in its own window, then our callback page
    console.click("#connect")
    console.wait(lambda d: len(d.window_handles) == 2, message="the sign-in window did not open")
    console_window = driver.current_window_handle
    [intuit_window] = [w for w in driver.window_handles if w != console_window]
    driver.switch_to.window(intuit_window)
    console.click("#connect")
    console.wait(lambda d: d.current_url.startswith(redirect), message="no callback")
    assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-outcome") == "connected"
    screens("qbo-connected-callback")
    driver.close()
    driver.switch_to.window(console_window)
    console.text_becomes("#connection-status", "connected")
    assert console.find("#connection").text.count(DEMO_REALM_ID) == 1

    # Details: "Visible to: Teams or Individuals" — the sales team
    console.click("[name=who_may_send][value=selected]")
    console.fill("[name=allowed_teams]", "sales")
    console.save()
    screens("integrations-details-qbo")
    assert _settings(admin)["allowed_teams"] == ["sales"]

    # Accounts: the company's QuickBooks accounts, by name (the console finds their ids)
    console.fill_accounts(QBO_ACCOUNTS)
    screens("integrations-accounts-qbo")
    defaults = sandbox.company(DEMO_REALM_ID).defaults
    saved = _settings(admin)["default_accounts"]
    assert {k: saved[k] for k in QBO_ACCOUNTS} == {
        k: {"id": defaults[k], "name": name} for k, name in QBO_ACCOUNTS.items()
    }

    # A user of the sales team: the QB button on A7102, the preview, Send, the job, the link
    console.sign_in(company, "sam", "user", "sales")
    console.open_dialog("a7102")
    screens("send-dialog-qbo")
    console.click("#send")
    console.text_becomes("#job-status", "succeeded", timeout=60)
    screens("send-succeeded-qbo", scroll_to="#job")
    link = console.find("#steps tr[data-kind=invoice] a.qb-link").get_attribute("href")
    (invoice,) = sandbox.entities(DEMO_REALM_ID, "Invoice")
    assert link == f"{intuit_url}/app/invoice?txnId={invoice['Id']}"
    assert str(invoice["TotalAmt"]) in ("218.5", "218.50") and str(invoice["Balance"]) in ("118.5", "118.50")
    # Following it opens the invoice in QuickBooks Online (the local sandbox answers the app's paths).
    console.driver.get(link)
    page = console.driver.find_element("tag name", "body").text
    assert "Invoice 10245" in page and "Lakeside Dental Group" in page and "118.5" in page, page
    screens("invoice-in-quickbooks-online")
    # Reopened, the dialog shows the order's latest send, with its steps and links.
    console.open_dialog("a7102")
    console.text_becomes("#previous-send #job-status", "succeeded")
    again = console.find("#previous-send #steps tr[data-kind=invoice] a.qb-link").get_attribute("href")
    assert again == link

    # A user of another team: no QB button, and the API refuses them too
    console.sign_in(company, "wes", "user", "warehouse")
    console.find("#orders tr[data-order='10245']")
    assert console.all("#orders button.qb") == []
    screens("orders-no-qb-button")
    with httpx.Client(base_url=qbo_url, headers=auth(company, "wes", ("user",), ("warehouse",))) as wes:
        body = httpx.get(f"{console.url}/console/orders").json()[0]["request"]
        assert wes.post("/v1/orders/10245/preview", json=body).status_code == 403
        assert wes.post("/v1/orders/10245/send", json=body).status_code == 403

    # CRM → a customer → QB: search QuickBooks customers and link one
    console.sign_in(company, "ada", "admin")
    driver.get(f"{console.url}/#/crm")
    console.click("#crm-customers tr[data-customer=C2044] button.qb")
    console.fill("#link-search", "Bayside")
    console.click("#link-search-button")
    pick = console.find("#link-results button.pick")
    assert pick.text == "Bayside Events"
    screens("crm-link-search")
    pick.click()
    console.wait(lambda d: "Bayside Events" in console.find("tr[data-customer=C2044] .linked").text)
    screens("crm-linked")
    mappings = admin.get("/v1/mappings", params={"kind": "customer"}).json()["items"]
    assert {m["esp_key"]: m["qb_name"] for m in mappings}["C2044"] == "Bayside Events"
    admin.close()


def _quickbooks_desktop(console: Console, screens: Screens, qbwc_url: str) -> None:
    company = "desktop-co"

    # Admin → Integrations → QuickBooks Desktop: the .qwc file and the Web Connector's password
    console.sign_in(company, "dora", "admin")
    console.click("#install-qbd")
    console.find("#tab-details")
    console.click("#download-qwc")
    assert console.find("#qwc-link").get_attribute("download") == "esp-quickbooks.qwc"
    console.click("#generate-password")
    username = console.find("#qbwc-username").text
    password = console.find("#qbwc-password").text
    assert username and len(password) >= 12
    screens("integrations-details-qbd")
    console.fill_accounts(QBD_ACCOUNTS)
    screens("integrations-accounts-qbd")

    # A user (the Details tab lets everyone send): the dialog, Send, then the Web Connector's update
    console.sign_in(company, "uli", "user")
    console.open_dialog("a7102")
    screens("send-dialog-qbd")
    console.click("#send")
    console.find("#job-status")
    company_file = CompanyFile(seed_demo=True)

    async def web_connector_update() -> None:
        async with WebConnectorSimulator(
            f"{qbwc_url}/qbwc",
            username=username,
            password=password,
            company=company_file,
            noop_pause_seconds=0,
        ) as wc:
            await wc.run_once()

    deadline = time.monotonic() + 60
    while console.find("#job-status").text != "succeeded":
        assert time.monotonic() < deadline, f"the Desktop job is {console.find('#job-status').text}"
        asyncio.run(web_connector_update())
        time.sleep(1.5)
    screens("send-succeeded-qbd", scroll_to="#job")
    [invoice] = company_file.documents("Invoice")
    reference = console.find("#steps tr[data-kind=invoice] .qb-ref").text
    assert invoice["TxnID"] in reference and str(invoice["RefNumber"]) in reference
