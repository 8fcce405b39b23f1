"""Benchmark: the QBO sender against a naive one-call-per-entity sender, through the Intuit sandbox.

Prints three figures, each for our sender and the naive one side by side, with the ratio:

1. HTTP calls per order, the first time (new customer, supplier, product) and when everything but the
   order's own documents is already mapped: for one order sent alone, and for orders sent together
   (ours shares batch calls between them);
2. orders per second through the sandbox at zero latency, Intuit's limits off (what the code costs);
3. 2,000 orders for one realm with the sandbox enforcing Intuit's limits (500 requests/min, 10/s,
   10 at once, 40 batch requests/min): how many 429s, and the throughput reached as a share of the
   most those limits allow for the calls each sender makes.

The naive sender is the same pipeline (plan, persistence, worker) with batching switched off, so the
difference is only how the writes travel: one call per customer, vendor, item and document.

Part 3 runs on a virtual clock shared by the limiter, the client's shared batches and the sandbox: time
moves on only while every send attempt waits for Intuit's limits (at the limiter, or for a batch) and
nothing is on its way to Intuit, so it measures the pacing against Intuit's limits with infinitely fast
servers and database, not the speed of this machine (that is part 2). Our sender shares batch requests
between the orders in flight (docs/quickbooks-online.md §2.7a): part 3 runs 100 of its sends at once.

    .tools/bin/uv run python bench/qbo_send.py                 # all three, SQLite in a temp dir
    .tools/bin/uv run python bench/qbo_send.py --limited-orders 500 --database-url postgresql://…
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this directory comes first on sys.path, and bench/queue.py would stand in for the
# standard library's `queue` (which asyncio's dependencies import): leave it out, but keep the bench
# helpers importable.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
sys.path.append(str(Path(__file__).resolve().parent))

import argparse
import asyncio
import contextlib
import logging
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import structlog
from _qbo_setup import orders
from sqlalchemy import func, select

from espqb.config import Settings
from espqb.db import Database
from espqb.db.migrate import upgrade
from espqb.db.models import SendJob
from espqb.integration import service as integration_service
from espqb.integration.schemas import SettingsBody
from espqb.orders import OrderSnapshot, SendRequest
from espqb.orders.choices import SendChoices
from espqb.queue import BackoffPolicy, enqueue_send
from qb_sandbox.intuit import IntuitSandbox, ThrottleLimits, create_intuit_app
from qbo_gateway.client import QboClientSettings, RealmLimiter, RealmLimits, RetryPolicy
from qbo_gateway.sender import SenderSettings
from qbo_gateway.worker import SendingRuntime, build_sending

CLIENT_ID, CLIENT_SECRET, REDIRECT = "bench-client", "bench-secret", "https://bench.example/v1/qbo/callback"
BASE_URL = "https://intuit.bench"
NO_LIMITS = RealmLimits(per_minute=None, per_second=None, concurrent=None, batch_per_minute=None)
NO_THROTTLE = ThrottleLimits(
    per_minute_realm=None,
    concurrent_app=None,
    batch_per_minute_app=None,
    batch_per_minute_realm=None,
    per_second_app=None,
)
INTUITS_LIMITS = ThrottleLimits(per_second_app=10)  # the sandbox's defaults plus the published 10/s
OURS = SenderSettings()
NAIVE = SenderSettings(batch_min_items=10**9)  # never batch: one call per entity
# The naive sender gains nothing from more sends at once (it is bound by 500 requests a minute) and loses
# to name races between first sends of one customer: it runs 10 at once, its best.
NAIVE_CONCURRENCY = 10


# ------------------------------------------------------------------------------------------ clocks


class VirtualClock:
    """Seconds that pass only when every waiter sleeps and no request is in flight (see the docstring)."""

    def __init__(self) -> None:
        self.start = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
        self.seconds = 0.0
        self.busy: Callable[[], bool] = lambda: False
        self._wakes: list[float] = []

    def monotonic(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)

    async def sleep(self, seconds: float) -> None:
        wake = self.seconds + max(0.0, seconds)
        self._wakes.append(wake)
        try:
            while self.seconds < wake:
                for _ in range(5):
                    await asyncio.sleep(0)
                if self.busy():
                    await asyncio.sleep(0.0005)
                    continue
                self.seconds = max(self.seconds, min(self._wakes))
        finally:
            self._wakes.remove(wake)


class QueueClock:
    """The queue's clock: real time plus what was skipped, so backed-off retries come due at once."""

    def __init__(self) -> None:
        self.skipped = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.skipped


# ------------------------------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class Creds:
    realm_id: str
    access_token: str = field(repr=False)


class SandboxTokens:
    """Tokens straight from the sandbox's OAuth server, one grant per company."""

    def __init__(self, sandbox: IntuitSandbox, realms: dict[str, str]) -> None:
        self.sandbox, self.realms, self.tokens = sandbox, realms, {}  # type: ignore[var-annotated]

    def _grant(self, company_id: str) -> str:
        self.tokens[company_id] = str(
            self.sandbox.connect(CLIENT_ID, self.realms[company_id])["access_token"]
        )
        return str(self.tokens[company_id])

    async def credentials(self, company_id: str) -> Creds:
        return Creds(self.realms[company_id], self.tokens.get(company_id) or self._grant(company_id))

    async def after_unauthorized(self, company_id: str, rejected_access_token: str) -> Creds:
        return Creds(self.realms[company_id], self._grant(company_id))

    async def mark_needs_reauthorization(self, company_id: str, reason: str) -> None:
        raise RuntimeError(f"{company_id}: {reason}")


# ------------------------------------------------------------------------------------------ orders


def a7102_like(number: str, prefix: str, entity: int) -> SendRequest:
    """One line, a discount and a payment, a bill and a PO: the help article's shape."""
    order = OrderSnapshot.model_validate(
        {
            "order_number": number,
            "order_date": "2026-03-02",
            "customer": {"esp_id": f"{prefix}C{entity}", "company_name": f"{prefix} Dental {entity}"},
            "lines": [
                {
                    "product_number": f"{prefix}A{entity}",
                    "product_name": "Tote Bag",
                    "quantity": "100",
                    "unit_price": "2.30",
                    "unit_cost": "1.15",
                    "supplier_id": f"{prefix}S{entity}",
                }
            ],
            "discount": {"amount": "11.50"},
            "payments": [{"id": "P1", "date": "2026-03-02", "amount": "100.00"}],
            "suppliers": [{"esp_id": f"{prefix}S{entity}", "name": f"{prefix} Promo Supplier {entity}"}],
            "total": "218.50",
        }
    )
    choices = {f"{prefix}S{entity}": {"send_bill": True, "send_purchase_order": True}}
    return SendRequest(order=order, choices=SendChoices.model_validate({"tax": "item", "suppliers": choices}))


# ------------------------------------------------------------------------------------------ a run


@dataclass
class Lane:
    """One sender for one company (realm) over a shared database."""

    company_id: str
    realm_id: str
    runtime: SendingRuntime
    queue_clock: QueueClock

    @property
    def calls(self) -> int:
        return self.runtime.client.calls


async def open_lane(
    db: Database,
    sandbox: IntuitSandbox,
    tokens: SandboxTokens,
    http: httpx.AsyncClient,
    company_id: str,
    sender: SenderSettings,
    *,
    limits: RealmLimits,
    clock: VirtualClock | None = None,
    concurrency: int = 10,
) -> Lane:
    realm_id = sandbox.add_company(f"Books of {company_id}", sample_names=False)
    tokens.realms[company_id] = realm_id
    defaults = sandbox.company(realm_id).defaults
    async with db.transaction() as session:
        await integration_service.install(session, company_id, "qbo", "bench")
        accounts = {
            role: {"id": defaults[key]}
            for role, key in (("ar", "ar"), ("income", "income"), ("ap", "ap"), ("cogs", "cogs"))
        }
        await integration_service.update_settings(
            session, company_id, SettingsBody.model_validate({"default_accounts": accounts}), "bench"
        )
    limiter = RecordingLimiter(limits, clock) if clock else RealmLimiter(limits)
    queue_clock = QueueClock()
    runtime = build_sending(
        db,
        Settings(env="development", database_url="sqlite://"),
        tokens,
        http=http,
        limiter=limiter,
        client_settings=QboClientSettings(base_url=BASE_URL, retry=RetryPolicy(max_attempts=8)),
        sender_settings=sender,
        sleep=clock.sleep if clock else asyncio.sleep,
        clock=queue_clock,
        worker_options={
            "concurrency": concurrency,
            "lease_seconds": 600.0,
            "backoff": BackoffPolicy(base_seconds=1.0, max_seconds=5.0),
        },
    )
    if isinstance(limiter, RecordingLimiter) and clock is not None:
        coalescer = runtime.client.coalescer

        def busy() -> bool:
            """A request on its way, or an attempt at work (not waiting at the limiter or for a batch)."""
            waiting = limiter.waiting + coalescer.tickets_waiting()
            return limiter.busy() or coalescer.attempts_under_way() > waiting

        clock.busy = busy
    return Lane(company_id, realm_id, runtime, queue_clock)


async def send_all(db: Database, lane: Lane, requests: list[SendRequest]) -> None:
    async with db.transaction() as session:
        for request in requests:
            await enqueue_send(
                session,
                company_id=lane.company_id,
                order_number=request.order.order_number,
                target="qbo",
                payload=request.model_dump(mode="json"),
                requested_by="bench",
                clock=lane.queue_clock,
            )
    while True:
        async with db.sessions() as session:
            waiting = await session.scalar(
                select(func.count())
                .select_from(SendJob)
                .where(SendJob.company_id == lane.company_id, SendJob.status.in_(["queued", "running"]))
            )
        if not waiting:
            break
        if await lane.runtime.run_once() == 0:
            lane.queue_clock.skipped += timedelta(hours=1)
    async with db.sessions() as session:
        statuses = Counter(
            (
                await session.execute(select(SendJob.status).where(SendJob.company_id == lane.company_id))
            ).scalars()
        )
    if set(statuses) != {"succeeded"}:
        raise SystemExit(f"{lane.company_id}: not every send succeeded: {dict(statuses)}")


# ------------------------------------------------------------------------------------------ parts


@dataclass
class World:
    db: Database
    sandbox: IntuitSandbox
    tokens: SandboxTokens
    http: httpx.AsyncClient


def new_world(db: Database, *, throttle: ThrottleLimits, clock: VirtualClock | None = None) -> World:
    sandbox = IntuitSandbox(now=clock.now if clock else None, demo_company=False, throttle_limits=throttle)
    sandbox.register_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT])
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_intuit_app(sandbox)))
    return World(db, sandbox, SandboxTokens(sandbox, {}), http)


async def calls_per_order(
    world: World, name: str, sender: SenderSettings, samples: int
) -> tuple[float, float, float, float]:
    """(first time, everything mapped) for A7102-shaped orders sent together (``samples`` of them, 10 at
    once: ours shares batches between them), then the same for one order sent alone."""
    lane = await open_lane(
        world.db, world.sandbox, world.tokens, world.http, f"calls-{name}", sender, limits=NO_LIMITS
    )
    first = [a7102_like(f"{name}F{n}", f"{name}f", n) for n in range(samples)]
    before = lane.calls
    await send_all(world.db, lane, first)
    first_time = (lane.calls - before) / samples
    mapped = [a7102_like(f"{name}M{n}", f"{name}f", n) for n in range(samples)]  # same parties and products
    before = lane.calls
    await send_all(world.db, lane, mapped)
    mapped_time = (lane.calls - before) / samples
    alone = []
    for number in (f"{name}A", f"{name}B"):  # a new customer, supplier and product; then the same again
        before = lane.calls
        await send_all(world.db, lane, [a7102_like(number, f"{name}a", 0)])
        alone.append(float(lane.calls - before))
    return first_time, mapped_time, alone[0], alone[1]


async def orders_per_second(
    world: World, name: str, sender: SenderSettings, count: int
) -> tuple[float, float]:
    lane = await open_lane(
        world.db, world.sandbox, world.tokens, world.http, f"speed-{name}", sender, limits=NO_LIMITS
    )
    requests = orders(count, prefix=f"{name}x", customers=40, suppliers=8, products=25)
    started, before = time.perf_counter(), lane.calls
    await send_all(world.db, lane, requests)
    return count / (time.perf_counter() - started), (lane.calls - before) / count


class RecordingLimiter(RealmLimiter):
    """The limiter, noting when (virtual time) each request was let through and whether it was a batch,
    and how many callers are waiting for a slot."""

    def __init__(self, limits: RealmLimits, clock: VirtualClock) -> None:
        super().__init__(limits, clock=clock.monotonic, sleep=clock.sleep)
        self.virtual = clock
        self.admissions: list[tuple[float, bool]] = []
        self.waiting = 0

    @asynccontextmanager
    async def slot(self, realm_id: str, *, batch: bool = False) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            self.waiting += 1
            try:
                await stack.enter_async_context(super().slot(realm_id, batch=batch))
            finally:
                self.waiting -= 1
            self.admissions.append((self.virtual.seconds, batch))
            yield


@dataclass
class LimitedRun:
    orders: int
    throttled: int
    virtual_seconds: float
    wall_seconds: float
    admissions: list[tuple[float, bool]]
    batch_sizes: list[int]
    exactly_once: bool

    @property
    def items_per_batch(self) -> float:
        return sum(self.batch_sizes) / len(self.batch_sizes) if self.batch_sizes else 0.0

    @property
    def calls(self) -> int:
        return len(self.admissions)

    @property
    def orders_per_minute(self) -> float:
        return 60 * self.orders / self.virtual_seconds

    def steady_rates(self) -> tuple[float, float]:
        """Requests and batch requests a minute after the first minute (whose empty windows are a
        one-off allowance, not a pace)."""
        after = [(t, batch) for t, batch in self.admissions if t >= 60.0]
        span = after[-1][0] - 60.0 if len(after) > 1 else 0.0
        if span <= 0:
            return 0.0, 0.0
        return 60 * len(after) / span, 60 * sum(1 for _, b in after if b) / span

    @property
    def share_of_limit(self) -> float:
        """How close the steady pace is to the limit that binds it: 500 requests or 40 batches a minute."""
        requests, batches = self.steady_rates()
        return max(requests / 500, batches / 40)


async def under_intuits_limits(
    db: Database, name: str, sender: SenderSettings, count: int, concurrency: int
) -> LimitedRun:
    clock = VirtualClock()
    world = new_world(db, throttle=INTUITS_LIMITS, clock=clock)
    try:
        lane = await open_lane(
            db,
            world.sandbox,
            world.tokens,
            world.http,
            f"limits-{name}",
            sender,
            limits=RealmLimits(),
            clock=clock,
            concurrency=concurrency,
        )
        requests = orders(count, prefix=f"{name}l", customers=60, suppliers=10, products=40)
        started = time.perf_counter()
        await send_all(db, lane, requests)
        limiter = lane.runtime.client.limiter
        assert isinstance(limiter, RecordingLimiter)
        return LimitedRun(
            orders=count,
            throttled=world.sandbox.status_counts.get(429, 0),
            virtual_seconds=clock.seconds,
            wall_seconds=time.perf_counter() - started,
            admissions=limiter.admissions,
            batch_sizes=list(world.sandbox.counters.batch_items[lane.realm_id]),
            exactly_once=every_document_once(world.sandbox, lane.realm_id, requests),
        )
    finally:
        await world.http.aclose()


def every_document_once(sandbox: IntuitSandbox, realm_id: str, requests: list[SendRequest]) -> bool:
    """Each order's invoice exactly once, and as many bills and purchase orders as the orders asked for."""
    numbers = Counter(str(i.get("DocNumber")) for i in sandbox.entities(realm_id, "Invoice"))
    if numbers != Counter(r.order.order_number for r in requests):
        return False
    bills = sum(1 for r in requests for c in r.choices.suppliers.values() if c.send_bill)
    pos = sum(1 for r in requests for c in r.choices.suppliers.values() if c.send_purchase_order)
    payments = sum(len(r.order.payments) for r in requests)
    return (
        len(sandbox.entities(realm_id, "Bill")) == bills
        and len(sandbox.entities(realm_id, "PurchaseOrder")) == pos
        and len(sandbox.entities(realm_id, "Payment")) == payments
    )


# ------------------------------------------------------------------------------------------ main


async def main(args: argparse.Namespace, url: str) -> None:
    db = Database.from_url(url)
    try:
        world = new_world(db, throttle=NO_THROTTLE)
        try:
            ours_first, ours_mapped, ours_alone, ours_alone_mapped = await calls_per_order(
                world, "ours", OURS, args.samples
            )
            naive_first, naive_mapped, naive_alone, naive_alone_mapped = await calls_per_order(
                world, "naive", NAIVE, args.samples
            )
            ours_speed, ours_mix = await orders_per_second(world, "ours", OURS, args.orders)
            naive_speed, naive_mix = await orders_per_second(world, "naive", NAIVE, args.orders)
        finally:
            await world.http.aclose()
        print(f"database: {url.split(':')[0]}; A7102-shaped orders (invoice, discount, payment, bill, PO)")
        print()
        print("1. HTTP calls per order                ours   naive   naive/ours")
        for label, ours_value, naive_value in (
            ("one order alone, first time", ours_alone, naive_alone),
            ("one order alone, mapped", ours_alone_mapped, naive_alone_mapped),
            (f"{args.samples} sent together, first time", ours_first, naive_first),
            (f"{args.samples} sent together, mapped", ours_mapped, naive_mapped),
            (f"mixed workload ({args.orders} orders)", ours_mix, naive_mix),
        ):
            print(
                f"   {label:32}   {ours_value:5.2f}   {naive_value:5.2f}   {naive_value / ours_value:5.2f}x"
            )
        print()
        print(f"2. orders/s at zero latency, limits off ({args.orders} orders, 10 at once)")
        print(
            f"   ours {ours_speed:6.1f}   naive {naive_speed:6.1f}   ours/naive {ours_speed / naive_speed:4.2f}x"
        )
        print()
        print(f"3. {args.limited_orders} orders for one realm, the sandbox enforcing Intuit's limits")
        print(
            "   (500 requests/min, 10/s, 10 at once, 40 batch requests/min of up to 30 items; virtual clock;"
        )
        print(
            f"   sends at once: ours {args.concurrency}, naive {NAIVE_CONCURRENCY}; rates after the first minute)"
        )
        print(
            "          429s  orders/min  requests/min (of 500)  batch/min (of 40)  items/batch"
            "  binding limit  calls/order  each order once"
        )
        runs = {}
        for name, sender, concurrency in (
            ("ours", OURS, args.concurrency),
            ("naive", NAIVE, NAIVE_CONCURRENCY),
        ):
            run = runs[name] = await under_intuits_limits(db, name, sender, args.limited_orders, concurrency)
            requests, batches = run.steady_rates()
            print(
                f"   {name:5} {run.throttled:5d}  {run.orders_per_minute:10.1f}"
                f"  {requests:7.1f} ({requests / 500:6.1%})  {batches:5.1f} ({batches / 40:6.1%})"
                f"  {run.items_per_batch:11.1f}  {run.share_of_limit:13.1%}  {run.calls / run.orders:11.2f}"
                f"  {'yes' if run.exactly_once else 'NO':>15}"
                f"   ({run.virtual_seconds / 60:.1f} virtual min in {run.wall_seconds:.0f} s)"
            )
        ratio = runs["ours"].orders_per_minute / runs["naive"].orders_per_minute
        print(f"   ours/naive orders/min under the limits: {ratio:4.2f}x")
    finally:
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20, help="orders per calls-per-order measurement")
    parser.add_argument("--orders", type=int, default=300, help="orders for the speed measurement")
    parser.add_argument("--limited-orders", type=int, default=2000, help="orders sent under Intuit's limits")
    parser.add_argument("--concurrency", type=int, default=100, help="sends at once under Intuit's limits")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary directory")
    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    arguments = parser.parse_args()
    database_url = (
        arguments.database_url
        or f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp(prefix='qbo-bench-')) / 'bench.sqlite3'}"
    )
    upgrade(database_url)  # alembic runs its own event loop: before ours starts
    asyncio.run(main(arguments, database_url))
