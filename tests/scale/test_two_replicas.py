"""Two instances of each gateway on one PostgreSQL, behind one address: the gateways are stateless.

Each gateway runs as two real uvicorn processes on the test's own PostgreSQL database; a round-robin
load balancer (``RoundRobin``) sends each request to the next live process. What is proved, as a
distributor would notice it:

- qbwc-gateway: a Web Connector session whose calls alternate between the two processes completes,
  and every queued order reaches the company file exactly once. A process killed (SIGKILL) at the
  worst moments — right after it handed out a request, while answering the request, with QuickBooks'
  response in its hands — loses nothing: the Web Connector's calls (or its next update) go to the
  survivor, and every order is in the company file exactly once, every job succeeded.
- qbo-gateway: with the worker in each process (RUN_WORKER_IN_PROCESS), sends spread over both reach
  the Intuit sandbox once each; a process killed while sending an order leaves it to the survivor
  (after the job's lease lapses) and nothing is written twice; the connection's scheduled reminders,
  run by both processes at start, reach the company once.

PostgreSQL only: two processes on one SQLite file is not a supported deployment.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from espqb.db.types import utcnow
from espqb.orders import a7102_request
from qb_sandbox.desktop import CompanyFile
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox, create_intuit_app
from qb_sandbox.webconnector import SessionOutcome, SessionReport, WebConnectorSimulator
from tests.conftest import TEST_DATABASE_URL, truncate_all
from tests.qbo.client.support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, new_sandbox
from tests.qbo.sending.harness import company_settings
from tests.qbwc.harness import ACCOUNTS, renumbered
from tests.scale.replicas import APPS, Call, Replica, RoundRobin, start_all
from tests.support.api import auth
from tests.support.servers import serve_in_thread

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        not TEST_DATABASE_URL,
        reason="replicas share one PostgreSQL database (TEST_DATABASE_URL); SQLite serves one process",
    ),
]

DESKTOP_DOCUMENTS = ("Invoice", "ReceivePayment", "PurchaseOrder", "Bill")
FINAL = {"succeeded", "partially_succeeded", "failed", "cancelled"}


def _sync_url(url: str) -> str:
    return url.replace("+asyncpg", "+psycopg")


def _base_env(database_url: str, logs: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INTUIT_", "QBO_", "QBWC_", "ESPQB_", "NOTIFY_", "JOB_")) and k != "DATABASE_URL"
    }
    return env | {
        "ENV": "development",
        "DATABASE_URL": database_url,
        "LOG_DIR": str(logs),
        "LOG_FORMAT": "console",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="module")
def database(postgres_url: str) -> str:
    truncate_all(postgres_url)
    return postgres_url


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("replicas")


@pytest.fixture(scope="module")
def qbwc_replicas(database: str, logs: Path) -> Iterator[list[Replica]]:
    env = _base_env(database, logs)
    replicas = [Replica(f"qbwc-{n}", APPS["qbwc"], env, logs / f"qbwc-{n}.log") for n in range(2)]
    try:
        start_all(replicas)
        yield replicas
    finally:
        for replica in replicas:
            replica.stop()


def _revive(replicas: list[Replica]) -> None:
    """A test that killed one starts it again (on the same port) for the next test."""
    dead = [r for r in replicas if not r.alive]
    start_all(dead)


@asynccontextmanager
async def balanced(replicas: list[Replica]) -> AsyncIterator[tuple[RoundRobin, httpx.AsyncClient]]:
    _revive(replicas)
    transport = RoundRobin(replicas)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://gateway.internal", timeout=30
    ) as client:
        yield transport, client


# ------------------------------------------------------------------------------ QuickBooks Desktop
@dataclass
class Desk:
    company: str
    http: httpx.AsyncClient
    books: CompanyFile
    username: str = ""
    password: str = ""
    jobs: tuple[str, ...] = ()
    orders: tuple[str, ...] = ()

    async def install(self) -> None:
        headers = auth(company=self.company)
        answer = await self.http.post("/v1/integration/install", headers=headers, json={"product": "qbd"})
        assert answer.status_code == 200, answer.text
        answer = await self.http.put("/v1/settings", headers=headers, json={"default_accounts": ACCOUNTS})
        assert answer.status_code == 200, answer.text
        answer = await self.http.post("/v1/qbwc/password", headers=headers)
        assert answer.status_code == 200, answer.text
        self.username, self.password = answer.json()["username"], answer.json()["password"]

    async def send(self, first: int, count: int) -> None:
        jobs, orders = [], []
        for n in range(first, first + count):
            body = renumbered(str(n), customer_id=f"C{n % 2}")
            answer = await self.http.post(
                f"/v1/orders/{n}/send", headers=auth(company=self.company), json=body
            )
            assert answer.status_code in (200, 202), answer.text
            jobs.append(answer.json()["id"])
            orders.append(str(n))
        self.jobs, self.orders = tuple(jobs), tuple(orders)

    def web_connector(self) -> WebConnectorSimulator:
        return WebConnectorSimulator(
            "http://gateway.internal/qbwc",
            username=self.username,
            password=self.password,
            company=self.books,
            http_client=self.http,
            noop_pause_seconds=0,
        )

    async def update(self) -> SessionReport:
        return await self.web_connector().run_once()

    async def statuses(self) -> list[str]:
        headers = auth(company=self.company)
        return [
            (await self.http.get(f"/v1/jobs/{job}", headers=headers)).json()["status"] for job in self.jobs
        ]

    def documents(self) -> Counter[str]:
        return Counter({kind: len(self.books.documents(kind)) for kind in DESKTOP_DOCUMENTS})

    def assert_each_order_once(self, before: Counter[str]) -> None:
        for number in self.orders:
            assert len(self.books.find("Invoice", RefNumber=number)) == 1, number
        written = self.documents() - before
        assert written == Counter({kind: len(self.orders) for kind in DESKTOP_DOCUMENTS}), written


async def _desk(http: httpx.AsyncClient, company: str, first_order: int, orders: int = 3) -> Desk:
    desk = Desk(company, http, CompanyFile(seed_demo=True))
    await desk.install()
    await desk.send(first_order, orders)
    return desk


def _soap(calls: list[Call]) -> list[Call]:
    return [call for call in calls if call.soap_action]


async def test_a_web_connector_session_alternating_between_two_replicas_completes(
    qbwc_replicas: list[Replica],
) -> None:
    async with balanced(qbwc_replicas) as (balancer, http):
        desk = await _desk(http, "scale-alternating", 41000)
        before = desk.documents()
        balancer.calls.clear()

        report = await desk.update()

        assert report.outcome is SessionOutcome.COMPLETED, report.last_error
        soap = _soap(balancer.calls)
        # Every call went to the other replica than the one before: authenticate's ticket issued by
        # one, the requests handed out and the responses taken by both.
        assert all(a.replica != b.replica for a, b in itertools.pairwise(soap)), soap
        assert {c.soap_action for c in soap if c.replica == 0} & {"sendRequestXML", "receiveResponseXML"}
        assert {c.soap_action for c in soap if c.replica == 1} & {"sendRequestXML", "receiveResponseXML"}
        assert await desk.statuses() == ["succeeded"] * 3
        desk.assert_each_order_once(before)


async def test_a_replica_killed_after_handing_out_the_orders_loses_nothing(
    qbwc_replicas: list[Replica],
) -> None:
    """It dies the moment its answer left: QuickBooks writes the orders; the response goes to the
    survivor, and the session completes without the Web Connector noticing anything."""
    async with balanced(qbwc_replicas) as (balancer, http):
        desk = await _desk(http, "scale-killed-after", 42000)
        before = desk.documents()
        killed: list[int] = []

        async def kill_after_the_orders(call: Call, response: httpx.Response) -> None:
            if not killed and call.soap_action == "sendRequestXML" and b"InvoiceAddRq" in response.content:
                qbwc_replicas[call.replica].kill()
                killed.append(call.replica)

        balancer.after = kill_after_the_orders
        report = await desk.update()

        assert killed and not qbwc_replicas[killed[0]].alive
        assert report.outcome is SessionOutcome.COMPLETED, report.last_error
        assert await desk.statuses() == ["succeeded"] * 3
        desk.assert_each_order_once(before)


async def test_a_replica_killed_while_answering_loses_nothing(qbwc_replicas: list[Replica]) -> None:
    """It dies handing out the orders: the Web Connector never gets them and gives up this update;
    its next update, on the survivor, sends them once."""
    async with balanced(qbwc_replicas) as (balancer, http):
        desk = await _desk(http, "scale-killed-answering", 43000)
        before = desk.documents()
        killed: list[int] = []

        async def die_before_the_answer_arrives(call: Call, response: httpx.Response) -> None:
            if not killed and call.soap_action == "sendRequestXML" and b"InvoiceAddRq" in response.content:
                qbwc_replicas[call.replica].kill()
                killed.append(call.replica)
                raise httpx.ReadError("the replica died before its answer was sent")

        balancer.after = die_before_the_answer_arrives
        first = await desk.update()
        assert first.outcome is SessionOutcome.HTTP_ERROR, first.outcome
        assert desk.documents() == before  # QuickBooks never saw the orders

        second = await desk.update()

        assert second.outcome is SessionOutcome.COMPLETED, second.last_error
        assert {call.replica for call in _soap(balancer.calls)[-3:]} == {1 - killed[0]}
        assert await desk.statuses() == ["succeeded"] * 3
        desk.assert_each_order_once(before)


async def test_a_replica_killed_holding_quickbooks_response_loses_nothing(
    qbwc_replicas: list[Replica],
) -> None:
    """QuickBooks wrote the orders; the replica that receives its response hangs and is killed before
    it reads it. The next update, on the survivor, finds the documents instead of writing them again."""
    async with balanced(qbwc_replicas) as (balancer, http):
        desk = await _desk(http, "scale-killed-holding", 44000)
        before = desk.documents()
        killed: list[int] = []

        async def hang_then_die(call: Call, request: httpx.Request) -> None:
            if not killed and call.soap_action == "receiveResponseXML" and b"InvoiceAddRs" in request.content:
                replica = qbwc_replicas[call.replica]
                replica.freeze()  # the request still gets in: the kernel accepts the connection
                asyncio.get_running_loop().call_later(0.3, replica.kill)
                killed.append(call.replica)

        balancer.before = hang_then_die
        first = await desk.update()
        assert killed and first.outcome is SessionOutcome.HTTP_ERROR, first.outcome
        assert len(desk.books.documents("Invoice")) > before["Invoice"]  # QuickBooks wrote them

        second = await desk.update()

        assert second.outcome is SessionOutcome.COMPLETED, second.last_error
        assert await desk.statuses() == ["succeeded"] * 3
        desk.assert_each_order_once(before)


# ------------------------------------------------------------------------------ QuickBooks Online
@dataclass
class Hooks:
    """ESP's webhook receiver: every notification the gateways deliver."""

    received: list[dict[str, Any]]

    async def endpoint(self, request: Request) -> PlainTextResponse:
        self.received.append(json.loads(await request.body()))
        return PlainTextResponse("ok")


@dataclass
class Online:
    sandbox: IntuitSandbox
    intuit_url: str
    hooks: Hooks
    replicas: list[Replica]


@pytest.fixture(scope="module")
def online(database: str, logs: Path) -> Iterator[Online]:
    sandbox = new_sandbox()
    hooks = Hooks([])
    receiver = Starlette(routes=[Route("/esp/hooks", hooks.endpoint, methods=["POST"])])
    with serve_in_thread(create_intuit_app(sandbox)) as intuit_url, serve_in_thread(receiver) as hooks_url:
        env = _base_env(database, logs) | {
            "INTUIT_CLIENT_ID": CLIENT_ID,
            "INTUIT_CLIENT_SECRET": CLIENT_SECRET,
            "INTUIT_REDIRECT_URI": REDIRECT_URI,
            "INTUIT_DISCOVERY_URL": f"{intuit_url}/.well-known/openid-configuration",
            "INTUIT_API_BASE_URL": intuit_url,
            "RUN_WORKER_IN_PROCESS": "true",
            "JOB_LEASE_SECONDS": "2",
            "JOB_POLL_SECONDS": "0.2",
            "NOTIFY_WEBHOOK_URL": f"{hooks_url}/esp/hooks",
        }
        replicas = [Replica(f"qbo-{n}", APPS["qbo"], env, logs / f"qbo-{n}.log") for n in range(2)]
        try:
            start_all(replicas)
            yield Online(sandbox, intuit_url, hooks, replicas)
        finally:
            for replica in replicas:
                replica.stop()


QBO_COMPANY = "scale-online"


async def _connected(http: httpx.AsyncClient, online: Online, balancer: RoundRobin) -> None:
    """Install, the accounts, and Intuit's sign-in; the callback lands on the other replica than the
    one that started it (the OAuth state is in the database)."""
    headers = auth(company=QBO_COMPANY)
    if (await http.get("/v1/qbo/connection", headers=headers)).json().get("status") == "connected":
        return
    answer = await http.post("/v1/integration/install", json={"product": "qbo"}, headers=headers)
    assert answer.status_code == 200, answer.text
    accounts = company_settings(online.sandbox).model_dump(mode="json")
    assert (await http.put("/v1/settings", json=accounts, headers=headers)).status_code == 200
    started = await http.post("/v1/qbo/connect", headers=headers)
    assert started.status_code == 200, started.text
    connect_replica = balancer.calls[-1].replica
    async with httpx.AsyncClient() as browser:
        page = await browser.get(started.json()["authorization_url"])
        match = re.search(r'name="request_id" value="([^"]+)"', page.text)
        assert match, page.text
        consent = await browser.post(
            f"{online.intuit_url}/connect/oauth2",
            data={"request_id": match.group(1), "action": "connect", "realm_id": DEMO_REALM_ID},
        )
    assert consent.status_code == 302
    landed = await http.get("/v1/qbo/callback", params=dict(httpx.URL(consent.headers["location"]).params))
    assert landed.status_code == 200, landed.text
    assert balancer.calls[-1].replica != connect_replica


async def _send(http: httpx.AsyncClient, numbers: range) -> list[str]:
    jobs = []
    for n in numbers:
        body = a7102_request().model_dump(mode="json")
        body["order"]["order_number"] = str(n)
        answer = await http.post(f"/v1/orders/{n}/send", json=body, headers=auth(company=QBO_COMPANY))
        assert answer.status_code == 202, answer.text
        jobs.append(answer.json()["id"])
    return jobs


async def _settled(http: httpx.AsyncClient, jobs: list[str], within: float = 30) -> list[str]:
    deadline = time.monotonic() + within
    while True:
        statuses = [
            (await http.get(f"/v1/jobs/{job}", headers=auth(company=QBO_COMPANY))).json()["status"]
            for job in jobs
        ]
        if set(statuses) <= FINAL or time.monotonic() > deadline:
            return statuses
        await asyncio.sleep(0.2)


def _invoices(sandbox: IntuitSandbox) -> Counter[str]:
    return Counter(str(invoice.get("DocNumber")) for invoice in sandbox.entities(DEMO_REALM_ID, "Invoice"))


async def test_sends_spread_over_two_qbo_replicas_reach_quickbooks_once(online: Online) -> None:
    async with balanced(online.replicas) as (balancer, http):
        await _connected(http, online, balancer)
        balancer.calls.clear()

        jobs = await _send(http, range(51000, 51006))

        assert {call.replica for call in balancer.calls} == {0, 1}
        assert await _settled(http, jobs) == ["succeeded"] * 6
        invoices = _invoices(online.sandbox)
        assert all(invoices[str(n)] == 1 for n in range(51000, 51006)), invoices


async def test_a_qbo_replica_killed_while_sending_loses_nothing(online: Online, database: str) -> None:
    async with balanced(online.replicas) as (balancer, http):
        await _connected(http, online, balancer)
        online.sandbox.configure_faults(latency_s=0.25)  # each of Intuit's answers takes a while
        try:
            jobs = await _send(http, range(52000, 52006))
            owner = await _a_running_jobs_owner(database, jobs)
            [victim] = [r for r in online.replicas if f":{r.pid}:" in owner]
            victim.kill()
            _a_minute_passes_for_the_realm(database, owner)
            statuses = await _settled(http, jobs)
        finally:
            online.sandbox.configure_faults(latency_s=0.0)

        assert statuses == ["succeeded"] * 6
        invoices = _invoices(online.sandbox)
        assert all(invoices[str(n)] == 1 for n in range(52000, 52006)), invoices
        for kind in ("Payment", "Bill", "PurchaseOrder"):
            assert len(online.sandbox.entities(DEMO_REALM_ID, kind)) == len(
                online.sandbox.entities(DEMO_REALM_ID, "Invoice")
            ), kind


def _a_minute_passes_for_the_realm(database: str, owner: str) -> None:
    """A worker that dies holding a realm keeps it a rate window (a minute) past its last job, so what
    it sent still counts when the next worker takes over (``qbo_realm_leases``, when the queue has
    realm leases). The test does not wait that minute out: the dead worker's realm leases lapse now.
    Its jobs' own leases still run out first (JOB_LEASE_SECONDS) and the jobs are rescued as usual."""
    engine = create_engine(_sync_url(database), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            if conn.scalar(text("SELECT to_regclass('qbo_realm_leases') IS NOT NULL")):
                conn.execute(
                    text(
                        "UPDATE qbo_realm_leases SET expires_at = now() - interval '1 second' "
                        "WHERE owner = :owner"
                    ),
                    {"owner": owner},
                )
    finally:
        engine.dispose()


async def _a_running_jobs_owner(database: str, jobs: list[str], within: float = 10) -> str:
    engine = create_engine(_sync_url(database), poolclass=NullPool)
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                owner = conn.scalar(
                    text(
                        "SELECT lease_owner FROM send_jobs WHERE status = 'running' "
                        "AND lease_owner IS NOT NULL AND id = ANY(CAST(:ids AS uuid[])) LIMIT 1"
                    ),
                    {"ids": jobs},
                )
            if owner:
                return str(owner)
            await asyncio.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError("no replica started sending")


async def test_both_replicas_schedule_reminders_and_the_company_hears_once(
    online: Online, database: str
) -> None:
    """Each process runs the connection's scheduler and runs its reminders at start; the company's
    re-authorisation reminder is written and delivered once."""
    async with balanced(online.replicas) as (balancer, http):
        await _connected(http, online, balancer)
    engine = create_engine(_sync_url(database), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            # The six-month re-authorisation falls due in three days: a reminder is due.
            conn.execute(
                text("UPDATE qbo_connections SET reauthorized_at = :at WHERE company_id = :company"),
                {"at": utcnow() - timedelta(days=177), "company": QBO_COMPANY},
            )
        for replica in online.replicas:
            replica.kill()
        start_all(online.replicas)  # both start their scheduler, which runs the reminders at once

        for _ in range(125):  # deliveries run every 10 s: wait for one, up to 25 s
            if _reminders(online.hooks):
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # a second delivery, if there were one, would come now

        with engine.connect() as conn:
            rows = conn.scalar(
                text("SELECT count(*) FROM reauth_reminders WHERE company_id = :c"), {"c": QBO_COMPANY}
            )
    finally:
        engine.dispose()
    assert rows == 1
    assert len(_reminders(online.hooks)) == 1, online.hooks.received


def _reminders(hooks: Hooks) -> list[dict[str, Any]]:
    return [event for event in hooks.received if event.get("event") == "qbo.reauth_due"]
