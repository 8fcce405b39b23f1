"""/docs and /redoc render on an intranet. Both services are served on loopback ports and read in
Debian's headless Chromium, which cannot reach any host but 127.0.0.1 (every other name resolves to
nothing, and everything else goes through a proxy on a closed port). Swagger UI must list the
operations, ReDoc must show its operation menu, and no page may ask another host for anything."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI

from espqb.config import Settings
from qbo_gateway.app import create_app as create_qbo_app
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.support.api import service_settings
from tests.support.browser import chromium
from tests.support.servers import serve_in_thread

pytestmark = pytest.mark.browser

SEND = "/v1/orders/{order_number}/send"
RENDER_WAIT_SECONDS = 15

# Each service, with one path only it serves.
SERVICES: dict[str, tuple[Callable[[Settings], FastAPI], str]] = {
    "qbo-gateway": (create_qbo_app, "/v1/qbo/connect"),
    "qbwc-gateway": (create_qbwc_app, "/v1/qbwc/qwc"),
}

# What the page asked the network for: the document itself and every resource it loaded or tried to.
REQUESTED_URLS = """
return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
    .map(entry => entry.name);
"""
# A cross-origin fetch in no-cors mode fails only when the request cannot be made at all.
FETCH_OUTCOME = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {mode: 'no-cors', cache: 'no-store'}).then(() => done('loaded'), () => done('failed'));
"""


@pytest.fixture(scope="module")
def offline_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile: Path = tmp_path_factory.mktemp("chromium-profile")
    intranet = (
        f"--user-data-dir={profile}",
        # The intranet: no name but 127.0.0.1 resolves, and anything not for loopback goes to a
        # proxy on the discard port, where nothing listens.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1;localhost",
    )
    with chromium(intranet) as driver:
        yield driver


def other_hosts(browser: Any) -> set[str]:
    """Hosts other than 127.0.0.1 the page asked for something (data: and blob: URLs carry their
    content within and reach no host)."""
    urls = [urlsplit(url) for url in browser.execute_script(REQUESTED_URLS)]
    return {url.netloc for url in urls if url.scheme not in ("data", "blob") and url.hostname != "127.0.0.1"}


def test_the_browser_reaches_no_host_but_loopback(offline_browser: Any) -> None:
    """FastAPI's stock /docs page loads Swagger UI from a CDN: in this browser it gets nothing."""
    with serve_in_thread(FastAPI(title="stock")) as url:
        offline_browser.get(f"{url}/docs")
        page = offline_browser.page_source
        cdn_script = next(part.split('"')[0] for part in page.split('<script src="')[1:])
        assert urlsplit(cdn_script).hostname not in (None, "127.0.0.1"), cdn_script
        assert offline_browser.execute_script("return typeof window.SwaggerUIBundle") == "undefined"
        assert urlsplit(cdn_script).netloc in other_hosts(offline_browser)
        assert offline_browser.execute_async_script(FETCH_OUTCOME, cdn_script) == "failed"
        assert offline_browser.execute_async_script(FETCH_OUTCOME, f"{url}/openapi.json") == "loaded"


@pytest.mark.parametrize("service", SERVICES)
def test_docs_and_redoc_render_with_the_network_blocked(
    offline_browser: Any, sqlite_template: Path, tmp_path: Path, service: str
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    create_app, own_path = SERVICES[service]
    database = tmp_path / "docs.sqlite3"
    shutil.copyfile(sqlite_template, database)
    app = create_app(service_settings(f"sqlite+aiosqlite:///{database}"))
    send_summary = app.openapi()["paths"][SEND]["post"]["summary"]
    wait = WebDriverWait(offline_browser, RENDER_WAIT_SECONDS)

    with serve_in_thread(app) as url:
        offline_browser.get(f"{url}/docs")
        assert other_hosts(offline_browser) == set()
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, ".opblock .opblock-summary-path"))
        paths = {
            element.get_attribute("data-path")
            for element in offline_browser.find_elements(By.CSS_SELECTOR, ".opblock .opblock-summary-path")
        }
        assert {SEND, own_path} <= paths, sorted(p or "" for p in paths)
        assert other_hosts(offline_browser) == set()

        offline_browser.get(f"{url}/redoc")
        assert other_hosts(offline_browser) == set()
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, ".menu-content li[data-item-id*='operation/']"))
        menu = [
            element.get_attribute("textContent") or ""
            for element in offline_browser.find_elements(
                By.CSS_SELECTOR, ".menu-content li[data-item-id*='operation/']"
            )
        ]
        assert any(send_summary in entry for entry in menu), menu
        assert other_hosts(offline_browser) == set()
