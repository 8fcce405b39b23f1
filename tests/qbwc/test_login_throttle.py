"""Wrong Web Connector passwords are slowed down per source address; nobody can lock a company out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from espqb.api.deps import gateway_state
from espqb.db.types import utcnow
from qb_sandbox.desktop import CompanyFile
from qb_sandbox.webconnector import WebConnectorSimulator
from qbwc_gateway.app import create_app
from qbwc_gateway.session import login
from qbwc_gateway.session.login_throttle import LoginThrottle, source_key
from qbwc_gateway.state import DesktopState
from tests.qbwc.harness import SOAP_URL, Office
from tests.support.api import auth, service_settings
from tests.support.servers import serve_in_thread

STRANGER = "203.0.113.66"


@asynccontextmanager
async def calling_from(desk: Office, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=desk.app, client=(address, 40123))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def stranger_web_connector(desk: Office, http: httpx.AsyncClient, *, username: str | None = None):
    return WebConnectorSimulator(
        SOAP_URL,
        username=username or desk.username,
        password="guess-" + "x" * 26,
        company=desk.company,
        http_client=http,
        noop_pause_seconds=0,
    )


@dataclass
class FrozenClock:
    """The Web Connector handler's clock, moved only by the test: the throttle's delays are exact."""

    at: datetime

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def frozen(desk: Office) -> FrozenClock:
    clock = FrozenClock(utcnow())
    gateway_state(desk.app.state.ctx, DesktopState).handler.clock = clock
    return clock


def throttled_polls() -> float:
    return REGISTRY.get_sample_value("espqb_qbwc_polls_total", {"answer": "throttled"}) or 0.0


@pytest.fixture
def checked_passwords(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password the gateway hashed to compare with the stored hash."""
    seen: list[str] = []
    verify: Callable[..., bool] = login.verify_password

    def spy(password: str, *args: Any) -> bool:
        seen.append(password)
        return verify(password, *args)

    monkeypatch.setattr(login, "verify_password", spy)
    return seen


async def test_a_stranger_guessing_never_stops_the_real_web_connector(
    desk: Office, checked_passwords: list[str]
) -> None:
    clock, throttled_before = frozen(desk), throttled_polls()
    stranger_answers, real_answers = [], []
    async with calling_from(desk, STRANGER) as http:
        stranger = stranger_web_connector(desk, http)
        for attempt in range(200):
            stranger_answers.append((await stranger.run_once()).authenticate_status)
            clock.advance(seconds=1)
            if attempt % 10 == 9:
                real_answers.append((await desk.update()).authenticate_status)
    status = await desk.status()

    assert stranger_answers == ["nvu"] * 200
    assert real_answers == ["none"] * 20  # authenticated every time; nothing to send
    guesses_hashed = sum(1 for p in checked_passwords if p.startswith("guess-"))
    assert guesses_hashed <= 20  # the rest were refused before any query or hash
    assert throttled_polls() - throttled_before >= 180
    assert status["web_connector"]["failed_logins"] == 0  # the last good poll reset the count


async def test_a_stranger_trying_many_user_names_is_refused_without_a_lookup(
    desk: Office, checked_passwords: list[str]
) -> None:
    frozen(desk)
    throttled_before = throttled_polls()
    async with calling_from(desk, STRANGER) as http:
        answers = [
            (
                await stranger_web_connector(desk, http, username=f"esp-guess{n}").run_once()
            ).authenticate_status
            for n in range(40)
        ]
        # The right name from that address now waits too; from anywhere else it is answered.
        late = (await stranger_web_connector(desk, http).run_once()).authenticate_status
    real = (await desk.update()).authenticate_status

    assert answers == ["nvu"] * 40 and late == "nvu" and real == "none"
    assert throttled_polls() - throttled_before >= 20
    assert not any(p.startswith("guess-") for p in checked_passwords)  # unknown names: no hash ever


async def test_a_stale_password_in_the_web_connector_slows_it_down_but_never_locks_it_out(
    desk: Office,
) -> None:
    clock = frozen(desk)
    for _ in range(5):
        assert (await desk.update(password="old-password")).authenticate_status == "nvu"
    status = await desk.status()
    at_once = (await desk.update()).authenticate_status  # the right password pasted, a moment later
    clock.advance(seconds=2)
    later = (await desk.update()).authenticate_status

    assert "wrong Web Connector password from 127.0.0.1" in status["web_connector"]["last_session_outcome"]
    assert status["web_connector"]["failed_logins"] == 5
    assert at_once == "nvu"  # inside the one-second delay after five failures in a row
    assert later == "none"
    assert (await desk.status())["web_connector"]["failed_logins"] == 0


async def test_user_names_are_random_not_derived_from_the_company_id(desk: Office) -> None:
    await desk.http.post("/v1/integration/install", headers=auth(company="globex"), json={"product": "qbd"})
    other = (await desk.http.post("/v1/qbwc/password", headers=auth(company="globex"))).json()["username"]

    for name, company in ((desk.username, "acme"), (other, "globex")):
        assert company not in name and name.startswith("esp-") and len(name) >= 30
    assert other != desk.username


def test_the_delay_doubles_up_to_its_maximum_and_a_good_login_clears_the_pair() -> None:
    throttle, now = LoginThrottle(), datetime(2026, 12, 2, 12, 0)
    for _ in range(5):
        assert not throttle.refused(STRANGER, "esp-a", now)
        throttle.failed(STRANGER, "esp-a", now)
    waits = []
    for _ in range(10):
        seconds = 0
        while throttle.refused(STRANGER, "esp-a", now + timedelta(seconds=seconds)):
            seconds += 1
        waits.append(seconds)
        now += timedelta(seconds=seconds)
        throttle.failed(STRANGER, "esp-a", now)

    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    assert not throttle.refused("198.51.100.7", "esp-a", now)  # another address is not affected
    throttle.succeeded(STRANGER, "esp-a")
    assert not throttle.refused(STRANGER, "esp-a", now)


def test_ipv6_sources_count_per_64_and_the_table_stays_bounded() -> None:
    assert source_key("2001:db8:1:2::5") == source_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert source_key("::ffff:203.0.113.66") == STRANGER
    throttle, now = LoginThrottle(capacity=100), datetime(2026, 12, 2, 12, 0)
    for n in range(1000):
        throttle.failed(f"198.51.{n // 256}.{n % 256}", "esp-a", now)
    assert len(throttle._records) <= 100


async def test_behind_a_proxy_the_forwarded_address_is_the_one_throttled(database_url: str) -> None:
    """uvicorn with --proxy-headers: the address of the Web Connector is the proxy's X-Forwarded-For."""
    app = create_app(service_settings(database_url))
    with serve_in_thread(app, proxy_headers=True, forwarded_allow_ips="127.0.0.1") as url:
        # A clock that stands still: the stranger's delay cannot run out while a slow machine polls.
        gateway_state(app.state.ctx, DesktopState).handler.clock = FrozenClock(utcnow())
        async with httpx.AsyncClient(base_url=url, timeout=30) as api:
            await api.post("/v1/integration/install", headers=auth(), json={"product": "qbd"})
            login = (await api.post("/v1/qbwc/password", headers=auth())).json()

            async def poll(address: str, password: str) -> str:
                async with httpx.AsyncClient(timeout=30, headers={"X-Forwarded-For": address}) as http:
                    connector = WebConnectorSimulator(
                        f"{url}/qbwc",
                        username=login["username"],
                        password=password,
                        company=CompanyFile(seed_demo=True),
                        http_client=http,
                        noop_pause_seconds=0,
                    )
                    return (await connector.run_once()).authenticate_status

            guesses = [await poll(STRANGER, "guess-" + "x" * 26) for _ in range(8)]
            real = await poll("198.51.100.7", login["password"])
            from_stranger = await poll(STRANGER, login["password"])  # that address must wait now
            outcome = (await api.get("/v1/qbwc/status", headers=auth())).json()["web_connector"]

    assert guesses == ["nvu"] * 8
    assert real == "none" and from_stranger == "nvu"
    assert "wrong Web Connector password from 203.0.113.66" in outcome["last_session_outcome"]
