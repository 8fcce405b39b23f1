"""Is the dialog's customer search fast enough for a type-ahead? QuickBooks Desktop lookups, answered
from the lists the Web Connector read, with a small and a large customer list side by side.

    .tools/bin/uv run python bench/lookups.py [--customers 20000] [--queries 300]
        [--database-url postgresql://postgres@127.0.0.1:5432/espqb_bench]

For each list size: the company's cache holds that many customers; then `--queries` searches as a
person types them (`GET /v1/quickbooks/customers?q=<2–5 letters>&limit=20`, through the whole JSON API
in this process) are timed. Prints p50/p95/p99 in ms per size and the large list's ratio to the small
one. A type-ahead feels immediate under about 100 ms a keystroke, network included; the target here is
p95 ≤ 50 ms at 20,000 customers. QuickBooks Online's search is Intuit's query, kept a minute per
company (qbo_gateway.lookups), so it is not measured here.
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
import random
import statistics
import string
import tempfile
import time
from datetime import UTC, datetime

import httpx
from sqlalchemy import insert, update

from espqb.config import DEV_JWT_SECRET, Settings
from espqb.db.migrate import upgrade
from espqb.db.models import QbdListEntry, QbwcCredential
from espqb.security.jwt import mint_token
from qbwc_gateway.app import create_app

WORDS = [
    "Lake",
    "Harbor",
    "North",
    "Shore",
    "Dental",
    "Realty",
    "Events",
    "Promo",
    "Supply",
    "Group",
    "Partners",
    "Coffee",
    "Design",
    "Studio",
    "Bay",
    "Pine",
    "Ridge",
    "Summit",
    "Valley",
    "River",
    "Metro",
    "Prairie",
    "Coastal",
    "Granite",
    "Maple",
    "Cedar",
    "Union",
    "Central",
    "Pioneer",
]
SMALL = 200


def _headers(company: str) -> dict[str, str]:
    token = mint_token(DEV_JWT_SECRET, company_id=company, user_id="bench", roles=["admin"], ttl_seconds=3600)
    return {"Authorization": f"Bearer {token}"}


def _names(count: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add(f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(string.ascii_uppercase)}{len(names)}")
    return sorted(names)


async def _company(
    http: httpx.AsyncClient, app: object, company: str, count: int, rng: random.Random
) -> None:
    auth = _headers(company)
    (await http.post("/v1/integration/install", headers=auth, json={"product": "qbd"})).raise_for_status()
    (await http.post("/v1/qbwc/password", headers=auth)).raise_for_status()
    db = app.state.ctx.db  # type: ignore[attr-defined]
    async with db.transaction() as session:
        rows = [
            {
                "company_id": company,
                "list_type": "Customer",
                "list_id": f"8000{n:04X}-1733400000",
                "full_name": name,
                "is_active": True,
                "data": {"CompanyName": name},
            }
            for n, name in enumerate(_names(count, rng))
        ]
        for start in range(0, len(rows), 1000):
            await session.execute(insert(QbdListEntry), rows[start : start + 1000])
        await session.execute(
            update(QbwcCredential)
            .where(QbwcCredential.company_id == company)
            .values(cache_refreshed_at=datetime.now(UTC))
        )


async def _searches(http: httpx.AsyncClient, company: str, queries: list[str]) -> list[float]:
    auth = _headers(company)
    timings = []
    for q in queries:
        started = time.perf_counter()
        response = await http.get("/v1/quickbooks/customers", headers=auth, params={"q": q, "limit": 20})
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return timings


def _row(label: str, timings: list[float]) -> tuple[float, float, float]:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(f"{label:<28} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   p99 {p99:7.2f} ms")
    return p50, p95, p99


async def main(customers: int, queries: int, url: str) -> None:
    settings = Settings(env="development", database_url=url, run_worker_in_process=False, log_level="WARNING")
    app = create_app(settings)
    rng = random.Random(7)
    run = f"{int(time.time()):x}"
    typed = [
        word[: rng.randint(2, 5)].lower() if rng.random() < 0.8 else rng.choice(string.ascii_lowercase) * 1
        for word in (rng.choice(WORDS) for _ in range(queries))
    ]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60) as http:
            small, large = f"lookups-small-{run}", f"lookups-large-{run}"
            await _company(http, app, small, SMALL, rng)
            await _company(http, app, large, customers, rng)
            await _searches(http, large, typed[:20])  # warm-up
            print(f"database: {url.split('@')[-1]}; {queries} searches each, 20 results a page")
            base = _row(f"{SMALL:,} customers", await _searches(http, small, typed))
            big = _row(f"{customers:,} customers", await _searches(http, large, typed))
    print(
        f"ratio {customers:,} / {SMALL:,}: p50 {big[0] / base[0]:.2f}×, p95 {big[1] / base[1]:.2f}× "
        f"(target: p95 ≤ 50 ms at {customers:,})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    database = (
        args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='espqb-bench-')}/bench.sqlite3"
    )
    upgrade(database)  # outside the event loop: the migrations run their own
    asyncio.run(main(args.customers, args.queries, database))
