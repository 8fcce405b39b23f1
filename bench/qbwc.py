"""How cheap is an idle Web Connector poll, and how many round trips do queued orders take?

    .tools/bin/uv run python bench/qbwc.py [--database-url URL] [--orders 1,10,100] [--idle-polls 500]

Everything runs in this process: the real qbwc-gateway app (its lifespan, its database), the zeep
Web Connector simulator built from Intuit's WSDL (vendored in qb_sandbox.contracts) talking to it over
``httpx.ASGITransport``, and a simulated QuickBooks company file. The default database is a fresh
SQLite file; pass a PostgreSQL URL to measure on PostgreSQL.

Server time is measured apart from the simulator: the gateway app is wrapped (``ServerClock``) and
the time spent inside it answering ``POST /qbwc`` (envelope parsing, the handler and its database
work, rendering) is added up; the rest of the wall time is the simulator's (zeep, the simulated
QuickBooks, the HTTP client).

Printed:

- idle poll (authenticate → "none" → closeConnection): the time per poll at the handler (the
  database work), the server time through the whole SOAP stack in the app, and the same with the
  HTTP client's side; idle polls per second of server time for one process; SQL statements per
  idle poll;
- for 1, 10 and 100 queued A7102 orders: the round trips and SOAP calls of one Web Connector
  update, the SQL statements its calls issued, its server time (and per order) and wall time,
  next to the round trips a one-request-per-round-trip design (common in open-source Web
  Connector servers, docs/web-connector.md §5.2) needs for the same qbXML requests, and the ratio.

Targets (issue 15): idle poll p50 ≤ 2 ms of server time through the SOAP stack; 100 queued orders
≤ 2 s of server time in one update; one round trip per order alone; ≥ 10 orders per round trip when
queued together.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on sys.path, and bench/queue.py there would shadow
# the standard library's `queue` module. Drop it before importing anything else.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import argparse
import asyncio
import copy
import re
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import Engine, event

from espqb.api.deps import gateway_state
from espqb.config import DEV_JWT_SECRET, Settings
from espqb.db.migrate import upgrade
from espqb.orders.examples import a7102_request
from espqb.security.jwt import mint_token
from qb_sandbox.desktop import CompanyFile
from qb_sandbox.webconnector import SessionOutcome, WebConnectorSimulator
from qbwc_gateway.app import create_app
from qbwc_gateway.session import DesktopWebConnector
from qbwc_gateway.state import DesktopState

SOAP_URL = "http://bench/qbwc"
ACCOUNTS = {
    "ar": {"name": "Accounts Receivable"},
    "income": {"name": "Sales"},
    "ap": {"name": "Accounts Payable"},
    "cogs": {"name": "Cost of Goods Sold"},
}
IDLE_TARGET_MS = 2.0  # p50 of an idle poll's server time through the SOAP stack
BATCH_ORDERS, BATCH_TARGET_S = 100, 2.0  # server time of one update sending 100 queued orders
RUN = f"{int(time.time()):x}"  # company ids of this run: a reused database keeps earlier runs' rows
ORDERS_PER_ROUND_TRIP_TARGET = 10
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
    '<soap:Body><{method} xmlns="http://developer.intuit.com/">{params}</{method}></soap:Body></soap:Envelope>'
)


def headers(company: str) -> dict[str, str]:
    token = mint_token(
        DEV_JWT_SECRET, company_id=company, user_id="bench", roles=["admin"], teams=[], ttl_seconds=3600
    )
    return {"Authorization": f"Bearer {token}"}


class ServerClock:
    """ASGI wrapper around the gateway: adds up the time spent inside the app answering the Web
    Connector's SOAP calls (``POST /qbwc``: envelope parsing, the handler and its database work,
    rendering) — server time, apart from the simulator's side (zeep, the simulated QuickBooks) —
    and the SQL statements those calls issued (transaction control left out)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seconds = 0.0
        self.calls = 0
        self.statements = 0
        self._inside = False
        event.listen(Engine, "before_cursor_execute", self._count)

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._count)

    def reset(self) -> None:
        self.seconds, self.calls, self.statements = 0.0, 0, 0

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self._inside and not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.statements += 1

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/qbwc" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        self._inside = True
        try:
            await self.app(scope, receive, send)
        finally:
            self._inside = False
            self.seconds += time.perf_counter() - started
            self.calls += 1


@dataclass
class Gateway:
    app: Any
    http: httpx.AsyncClient
    clock: ServerClock


@asynccontextmanager
async def gateway(database_url: str) -> AsyncIterator[Gateway]:
    settings = Settings(
        env="development", database_url=database_url, run_worker_in_process=False, log_level="WARNING"
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        clock = ServerClock(app)
        transport = httpx.ASGITransport(app=clock)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as http:
                yield Gateway(app, http, clock)
        finally:
            clock.close()


@dataclass
class Company:
    id: str
    username: str
    password: str
    books: CompanyFile


async def set_up(http: httpx.AsyncClient, company_id: str) -> Company:
    auth = headers(company_id)
    for method, path, body in (
        ("POST", "/v1/integration/install", {"product": "qbd"}),
        ("PUT", "/v1/settings", {"default_accounts": ACCOUNTS}),
    ):
        response = await http.request(method, path, headers=auth, json=body)
        response.raise_for_status()
    response = await http.post("/v1/qbwc/password", headers=auth)
    response.raise_for_status()
    company = Company(
        company_id, response.json()["username"], response.json()["password"], CompanyFile(seed_demo=True)
    )
    # Someone opens a drop-down, so the next update reads QuickBooks' lists; everything measured
    # comes after it.
    (await http.get("/v1/quickbooks/accounts", headers=auth)).raise_for_status()
    report = await simulator(http, company).run_once()
    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    return company


def simulator(http: httpx.AsyncClient, company: Company) -> WebConnectorSimulator:
    return WebConnectorSimulator(
        SOAP_URL,
        username=company.username,
        password=company.password,
        company=company.books,
        http_client=http,
    )


def order(number: int) -> dict[str, Any]:
    body = a7102_request().model_dump(mode="json")
    body = copy.deepcopy(body)
    body["order"]["order_number"] = f"B{number:05d}"
    return body


# ------------------------------------------------------------------------------- idle polls


def ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


async def handler_poll(handler: DesktopWebConnector, company: Company) -> None:
    answer = await handler.authenticate(company.username, company.password)
    assert answer[1] == "none", answer
    await handler.close_connection(answer[0])


async def soap_poll(http: httpx.AsyncClient, company: Company) -> None:
    def envelope(method: str, **params: str) -> str:
        body = "".join(f"<{k}>{v}</{k}>" for k, v in params.items())
        return ENVELOPE.format(method=method, params=body)

    soap_headers = {"Content-Type": "text/xml; charset=utf-8"}
    response = await http.post(
        "/qbwc",
        content=envelope("authenticate", strUserName=company.username, strPassword=company.password),
        headers={**soap_headers, "SOAPAction": '"http://developer.intuit.com/authenticate"'},
    )
    strings = re.findall(r"<string>([^<]*)</string>", response.text)
    assert strings[1] == "none", response.text
    await http.post(
        "/qbwc",
        content=envelope("closeConnection", ticket=strings[0]),
        headers={**soap_headers, "SOAPAction": '"http://developer.intuit.com/closeConnection"'},
    )


async def timed(
    call: Callable[[], Awaitable[None]], count: int, clock: ServerClock
) -> tuple[list[float], list[float]]:
    """Wall time per call and, for calls through the SOAP stack, the server time inside the app."""
    for _ in range(20):  # warm the connection pool and the statement caches
        await call()
    wall: list[float] = []
    server: list[float] = []
    for _ in range(count):
        clock.reset()
        started = time.perf_counter()
        await call()
        wall.append(time.perf_counter() - started)
        server.append(clock.seconds)
    return wall, server


async def idle(gw: Gateway, polls: int) -> None:
    company = await set_up(gw.http, f"bench-idle-{RUN}")
    handler: DesktopWebConnector = gateway_state(gw.app.state.ctx, DesktopState).handler
    at_handler, _ = await timed(lambda: handler_poll(handler, company), polls, gw.clock)
    with_client, through_soap = await timed(lambda: soap_poll(gw.http, company), polls, gw.clock)
    statements = gw.clock.statements  # of the last poll
    handler_p50, handler_p95 = ms(at_handler)
    soap_p50, soap_p95 = ms(through_soap)
    client_p50, client_p95 = ms(with_client)
    per_second = len(through_soap) / sum(through_soap)
    verdict = "meets" if soap_p50 <= IDLE_TARGET_MS else "MISSES"
    print("Idle poll: authenticate → none → closeConnection (two SOAP calls)")
    print(
        f"  at the handler (database work only):            p50 {handler_p50:6.2f} ms   p95 {handler_p95:6.2f} ms"
    )
    print(
        f"  server time through the SOAP stack (in the app): p50 {soap_p50:6.2f} ms   p95 {soap_p95:6.2f} ms"
    )
    print(
        f"  the same with the HTTP client's side too:        p50 {client_p50:6.2f} ms   p95 {client_p95:6.2f} ms"
    )
    print(f"  idle polls per second of server time, one process: {per_second:6.0f}")
    print(f"  SQL statements per idle poll:                    {statements:6d}")
    print(f"  idle poll p50 through SOAP: {soap_p50:.2f} ms (target ≤ {IDLE_TARGET_MS:.0f} ms): {verdict}")
    print()


# --------------------------------------------------------------------------- queued orders


@dataclass
class OrdersRun:
    orders: int
    round_trips: int
    seconds: float  # wall time of the update: server and simulator
    server_seconds: float  # inside the gateway app (every SOAP call of the update)
    soap_calls: int
    statements: int  # SQL statements of the update's SOAP calls
    requests: int  # qbXML write requests the orders needed

    @property
    def per_round_trip(self) -> float:
        return self.orders / self.round_trips


async def orders_run(gw: Gateway, count: int) -> OrdersRun:
    company = await set_up(gw.http, f"bench-orders-{count}-{RUN}")
    auth = headers(company.id)
    for n in range(count):
        body = order(n)
        response = await gw.http.post(
            f"/v1/orders/{body['order']['order_number']}/send", headers=auth, json=body
        )
        response.raise_for_status()
    gw.clock.reset()
    started = time.perf_counter()
    report = await simulator(gw.http, company).run_once()
    seconds = time.perf_counter() - started
    server, calls, statements = gw.clock.seconds, gw.clock.calls, gw.clock.statements
    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    invoices = company.books.documents("Invoice")
    assert len(invoices) == count and all(i["BalanceRemaining"] == "118.50" for i in invoices)
    writes = sum(len(re.findall(r"<\w+(?:Add|Mod)Rq requestID=", e.request_xml)) for e in report.exchanges)
    return OrdersRun(count, report.round_trips, seconds, server, calls, statements, writes)


async def orders(gw: Gateway, counts: list[int]) -> None:
    runs = [await orders_run(gw, count) for count in counts]
    print("Queued A7102 orders, one Web Connector update (after the first update read the lists)")
    print(
        "  orders  round trips  orders/trip  SOAP calls  SQL statements  server time  per order"
        "  wall (with simulator)  one-request-per-trip design  ratio"
    )
    for run in runs:
        print(
            f"  {run.orders:6d}  {run.round_trips:11d}  {run.per_round_trip:11.1f}  {run.soap_calls:10d}"
            f"  {run.statements:14d}  {run.server_seconds:9.2f} s  {run.server_seconds / run.orders * 1000:6.1f} ms"
            f"  {run.seconds:19.2f} s  {run.requests:15d} round trips  {run.requests / run.round_trips:4.0f}×"
        )
    alone = next((r for r in runs if r.orders == 1), None)
    together = max(runs, key=lambda r: r.orders)
    if alone is not None:
        print(
            f"  target one round trip for an order alone: {'meets' if alone.round_trips == 1 else 'MISSES'}"
        )
    if together.orders >= ORDERS_PER_ROUND_TRIP_TARGET:
        met = together.per_round_trip >= ORDERS_PER_ROUND_TRIP_TARGET
        print(
            f"  target ≥ {ORDERS_PER_ROUND_TRIP_TARGET} orders per round trip when queued together: "
            f"{'meets' if met else 'MISSES'} ({together.per_round_trip:.0f} with {together.orders} queued)"
        )
    hundred = next((r for r in runs if r.orders == BATCH_ORDERS), None)
    if hundred is not None:
        met = hundred.server_seconds <= BATCH_TARGET_S
        print(
            f"  {BATCH_ORDERS} queued orders: {hundred.server_seconds:.2f} s server time "
            f"(target ≤ {BATCH_TARGET_S:.0f} s): {'meets' if met else 'MISSES'}"
        )


async def main(database_url: str, counts: list[int], polls: int) -> None:
    async with gateway(database_url) as gw:
        await idle(gw, polls)
        await orders(gw, counts)


def ensure_postgres_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database when it is missing (SQLite files create themselves)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql")
    if parsed.get_backend_name() != "postgresql":
        return

    async def create() -> None:
        admin = await asyncpg.connect(parsed.set(database="postgres").render_as_string(hide_password=False))
        try:
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", parsed.database):
                await admin.execute(f'CREATE DATABASE "{parsed.database}"')
        finally:
            await admin.close()

    asyncio.run(create())


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--orders", default="1,10,100", help="comma-separated queue sizes")
    parser.add_argument("--idle-polls", type=int, default=500)
    return parser.parse_args()


if __name__ == "__main__":
    args = parse()
    os.environ.setdefault("ENV", "development")
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='espqb-bench-')}/bench.sqlite3"
    if url.startswith("postgres"):
        ensure_postgres_database(url)
    upgrade(url)  # synchronous (Alembic), before the event loop starts
    print(f"database: {url.split('@')[-1]}  python {sys.version.split()[0]}\n")
    asyncio.run(main(url, [int(n) for n in args.orders.split(",")], args.idle_polls))
