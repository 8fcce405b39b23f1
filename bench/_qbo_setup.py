"""Shared set-up for the QBO benches that run the sender in separate processes against the Intuit
sandbox in a process of its own (bench/qbo_fleet.py): the sandbox's entry point (with a log of every
API request), tokens from the sandbox, companies connected to realms, and orders.

Intuit's limits can be scaled down by one factor (``--time-scale``) in the sandbox and in the limiter
alike, so a bench measures the pacing rather than how much Python this machine can run at once.
"""

from __future__ import annotations

import asyncio
import random
import socket
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from espqb.db import Database
from espqb.db.models import QboConnection
from espqb.integration import service as integration_service
from espqb.integration.schemas import SettingsBody
from espqb.orders import OrderSnapshot, SendRequest
from espqb.orders.choices import SendChoices
from qb_sandbox.intuit import IntuitSandbox, ThrottleLimits, create_intuit_app
from qb_sandbox.intuit.throttle import Throttled
from qbo_gateway.client import RealmLimits

WORKER_HEADER = "x-bench-worker"  # which worker process sent a request (the request log notes it)
CLIENT_ID, CLIENT_SECRET, REDIRECT = "bench-client", "bench-secret", "https://bench.example/v1/qbo/callback"

# Intuit's published limits (docs/quickbooks-online.md §2.11).
PER_MINUTE, PER_SECOND, CONCURRENT, BATCH_PER_MINUTE, BATCH_PER_MINUTE_REALM = 500, 10, 10, 40, 120


def scaled(value: int, scale: float) -> int:
    return max(1, round(value * scale))


def sandbox_limits(scale: float) -> ThrottleLimits:
    """What the sandbox enforces: every count of Intuit's limits times `scale` (10 at once stays)."""
    return ThrottleLimits(
        per_minute_realm=scaled(PER_MINUTE, scale),
        concurrent_app=CONCURRENT,
        batch_per_minute_app=scaled(BATCH_PER_MINUTE, scale),
        batch_per_minute_realm=scaled(BATCH_PER_MINUTE_REALM, scale),
        per_second_app=scaled(PER_SECOND, scale),
    )


def limiter_limits(scale: float) -> RealmLimits:
    """The limiter's side of the same scaled limits."""
    return RealmLimits(
        per_minute=scaled(PER_MINUTE, scale),
        per_second=scaled(PER_SECOND, scale),
        concurrent=CONCURRENT,
        batch_per_minute=scaled(BATCH_PER_MINUTE, scale),
    )


# ------------------------------------------------------------------------------------------ the sandbox


@dataclass
class RequestLog:
    """Every /v3 request the sandbox answered: (realm, start, end, status, is_batch, worker), wall-clock
    seconds; and for each throttled one, which of Intuit's limits refused it."""

    rows: list[tuple[str, float, float, int, bool, str]] = field(default_factory=list)
    throttled: Counter[str] = field(default_factory=Counter)


class LoggingApp:
    """ASGI middleware that writes each /v3/company/<realm>/… request into a `RequestLog`."""

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app, self.log = app, log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        parts = path.split("/")
        if len(parts) < 5 or parts[1] != "v3" or parts[2] != "company":
            await self.app(scope, receive, send)
            return
        started, status = time.time(), 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        worker = dict(scope.get("headers") or []).get(WORKER_HEADER.encode(), b"").decode()
        try:
            await self.app(scope, receive, sending)
        finally:
            self.log.rows.append((parts[3], started, time.time(), status, parts[4] == "batch", worker))


def run_sandbox(realms: int, scale: float) -> None:
    """The sandbox's process: `realms` companies, each with a live grant; prints its port, then serves.

    Besides Intuit's API and the sandbox's control API it answers ``GET /_bench/setup`` (realm →
    access token and default accounts) and ``GET /_bench/log`` (the request log)."""
    sandbox = IntuitSandbox(demo_company=False, throttle_limits=sandbox_limits(scale))
    sandbox.register_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT])
    setup: dict[str, dict[str, Any]] = {}
    for n in range(realms):
        realm_id = sandbox.add_company(f"Fleet books {n}", sample_names=False)
        token = str(sandbox.connect(CLIENT_ID, realm_id)["access_token"])
        setup[realm_id] = {"token": token, "defaults": dict(sandbox.company(realm_id).defaults)}
    log = RequestLog()
    admit = sandbox.throttle.admit

    @contextmanager
    def noting_admit(realm_id: str, app: str, *, is_batch: bool) -> Iterator[None]:
        try:
            with admit(realm_id, app, is_batch=is_batch):
                yield
        except Throttled as refused:
            log.throttled[refused.limit] += 1
            raise

    sandbox.throttle.admit = noting_admit  # type: ignore[method-assign]
    api = create_intuit_app(sandbox)
    bench = FastAPI()

    @bench.get("/_bench/setup")
    def _setup() -> dict[str, dict[str, Any]]:
        return setup

    @bench.get("/_bench/log")
    def _log() -> dict[str, Any]:
        return {"rows": log.rows, "throttled": dict(log.throttled)}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith("/_bench/"):
            await bench(scope, receive, send)
        else:
            await logged(scope, receive, send)

    logged = LoggingApp(api, log)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", ws="none", access_log=False, backlog=2048
    )
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))
    sys.exit(0)


# ------------------------------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class Creds:
    realm_id: str
    access_token: str = field(repr=False)


class FixedTokens:
    """The grants the sandbox process made at start (an hour's worth: more than a bench run)."""

    def __init__(self, company_realms: dict[str, str], tokens: dict[str, str]) -> None:
        self.company_realms, self.tokens = company_realms, tokens

    async def credentials(self, company_id: str) -> Creds:
        realm_id = self.company_realms[company_id]
        return Creds(realm_id, self.tokens[realm_id])

    async def after_unauthorized(self, company_id: str, rejected_access_token: str) -> Creds:
        return await self.credentials(company_id)

    async def mark_needs_reauthorization(self, company_id: str, reason: str) -> None:
        raise RuntimeError(f"{company_id}: {reason}")


# ------------------------------------------------------------------------------------------ companies


async def connect_companies(db: Database, setup: dict[str, dict[str, Any]], prefix: str) -> dict[str, str]:
    """One company of ours per realm, QBO installed with the realm's default accounts and a
    connection row (the realm leases group jobs by it). Returns company → realm."""
    companies = {f"{prefix}{n:03d}": realm for n, realm in enumerate(sorted(setup))}
    async with db.transaction() as session:
        for company_id, realm_id in companies.items():
            defaults = setup[realm_id]["defaults"]
            await integration_service.install(session, company_id, "qbo", "bench")
            accounts = {
                role: {"id": defaults[key]}
                for role, key in (("ar", "ar"), ("income", "income"), ("ap", "ap"), ("cogs", "cogs"))
            }
            await integration_service.update_settings(
                session, company_id, SettingsBody.model_validate({"default_accounts": accounts}), "bench"
            )
            session.add(QboConnection(company_id=company_id, realm_id=realm_id, company_name=company_id))
    return companies


# ------------------------------------------------------------------------------------------ orders


def orders(
    count: int,
    *,
    prefix: str,
    customers: int,
    suppliers: int,
    products: int,
    seed: int = 1,
    discounts: bool = True,
) -> list[SendRequest]:
    """Orders of 1–2 lines, a discount on some (``discounts``), a payment on a third, a bill for each
    supplier and a purchase order on every other order; customers, suppliers and products repeat."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        lines = []
        for product in rng.sample(range(products), min(products, rng.choice((1, 2)))):
            price = Decimal(rng.randint(50, 900)) / 100
            lines.append(
                {
                    "product_number": f"{prefix}P{product}",
                    "product_name": f"Product {product}",
                    "quantity": str(rng.randint(10, 200)),
                    "unit_price": str(price),
                    "unit_cost": str((price / 2).quantize(Decimal("0.01"))),
                    "supplier_id": f"{prefix}S{product % suppliers}",
                }
            )
        subtotal = sum((Decimal(x["quantity"]) * Decimal(x["unit_price"]) for x in lines), Decimal(0))
        discount = Decimal(rng.choice((0, 0, 5))) if discounts else Decimal(0)
        total = subtotal - discount
        customer = n % customers
        order = OrderSnapshot.model_validate(
            {
                "order_number": f"{prefix}{n}",
                "order_date": "2026-03-02",
                "customer": {
                    "esp_id": f"{prefix}C{customer}",
                    "company_name": f"{prefix} Customer {customer}",
                },
                "lines": lines,
                "discount": {"amount": str(discount)} if discount else None,
                "payments": [
                    {"id": "P1", "date": "2026-03-02", "amount": str((total / 2).quantize(Decimal("0.01")))}
                ]
                if n % 3 == 0
                else [],
                "suppliers": [
                    {"esp_id": s, "name": f"{prefix} Supplier {s}"}
                    for s in sorted({x["supplier_id"] for x in lines})
                ],
                "total": str(total),
            }
        )
        choices = {s.esp_id: {"send_bill": True, "send_purchase_order": n % 2 == 0} for s in order.suppliers}
        out.append(
            SendRequest(
                order=order, choices=SendChoices.model_validate({"tax": "item", "suppliers": choices})
            )
        )
    return out


def fleet_orders(company_id: str, count: int, *, seed: int) -> list[SendRequest]:
    """`count` orders of one company, without discounts: 8 customers, 4 suppliers, 12 products."""
    return orders(
        count, prefix=f"{company_id}-", customers=8, suppliers=4, products=12, seed=seed, discounts=False
    )


def expected_documents(requests: list[SendRequest]) -> dict[str, int]:
    """How many of each document the orders ask for."""
    return {
        "Invoice": len(requests),
        "Payment": sum(len(r.order.payments) for r in requests),
        "Bill": sum(1 for r in requests for c in r.choices.suppliers.values() if c.send_bill),
        "PurchaseOrder": sum(
            1 for r in requests for c in r.choices.suppliers.values() if c.send_purchase_order
        ),
    }
