"""Benchmark: Intuit's per-realm limits across a fleet of QBO send workers (PostgreSQL).

Several worker processes (real OS processes, each with its own realm limiter) send orders of many
realms to the Intuit sandbox, which runs as a process of its own and enforces Intuit's limits. One
worker at a time owns a realm (realm leases, taken in the claim), so each realm's requests all pass
one limiter. Prints, per run:

- how many requests Intuit throttled (429s; must be 0);
- each realm's utilisation while it had work: its steady request rate (after its first minute, to
  its last request) as a share of the limit that binds it — requests a minute or batch requests a
  minute, whichever it used more of (see `utilisation`) — and when each realm was first served;
- whether every order landed exactly once (one invoice per order number in each realm's books; as
  many payments, bills and purchase orders as the orders asked for) and every job succeeded;
- wall time.

A second run SIGKILLs one worker a third of the way through: its job leases expire, its jobs are
requeued, its realms lapse one rate window later and the other workers finish them — every order
still exactly once.

``--time-scale`` scales ALL of Intuit's counts (requests a minute and a second, batch requests a
minute) down by one factor in the sandbox and in the limiters alike (10 requests at once stays): 50
realms at 10 requests a second is more than a 2-core machine serves with Python processes, and the
point is the pacing, not the CPU. The default, 0.1, is what this machine carries. Each worker runs 40
sends at once and owns at most 20 realms (``--concurrency``, ``--max-realms``): two sends in flight per
realm keep a realm's next request waiting at the limiter while the previous order is written down.
Both runs together take about nine minutes (``--skip-kill``: under four).

    .tools/bin/uv run python bench/qbo_fleet.py                       # 3 workers, 50 realms, 2,000 orders
    .tools/bin/uv run python bench/qbo_fleet.py --time-scale 0.2 --skip-kill
    .tools/bin/uv run python bench/qbo_fleet.py --database-url postgresql://postgres@127.0.0.1:5432/fleet
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this directory comes first on sys.path, and bench/queue.py would stand in for the
# standard library's `queue`: leave it out, but keep the bench helpers importable.
BENCH = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0]).resolve() == BENCH:
    sys.path.pop(0)
sys.path.append(str(BENCH))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import _qbo_setup as setup_  # noqa: E402
import httpx  # noqa: E402
import structlog  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from espqb.config import Settings  # noqa: E402
from espqb.db import Database  # noqa: E402
from espqb.db.migrate import upgrade  # noqa: E402
from espqb.db.models import SendJob  # noqa: E402
from espqb.queue import BackoffPolicy, enqueue_send  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/qbo_fleet_bench"
STEADY_SECONDS = 60.0  # a realm's steady pace is measured over at least this long (after its first minute)
LEASE_SECONDS = 10.0  # job lease of the bench's workers: a killed worker's jobs come back soon


# ------------------------------------------------------------------------------------------ a worker


async def run_worker(args: argparse.Namespace) -> None:
    """One worker process: the real sender and worker, its own limiter, realm leases on."""
    from qbo_gateway.client import QboClientSettings, RealmLimiter, RetryPolicy
    from qbo_gateway.worker import build_sending, realm_leases

    quiet()
    db = Database.from_url(
        args.database_url, pool_size=5
    )  # 3 workers and the bench stay well under max_connections
    async with httpx.AsyncClient(timeout=30) as plain:
        setup = (await plain.get(f"{args.sandbox_url}/_bench/setup")).json()
    async with db.sessions() as session:
        from espqb.db.models import QboConnection

        rows = await session.execute(select(QboConnection.company_id, QboConnection.realm_id))
        company_realms = {str(c): str(r) for c, r in rows.all()}
    tokens = setup_.FixedTokens(company_realms, {realm: v["token"] for realm, v in setup.items()})
    limiter = RealmLimiter(setup_.limiter_limits(args.time_scale))
    http = httpx.AsyncClient(
        headers={setup_.WORKER_HEADER: args.worker_id},
        timeout=httpx.Timeout(60.0, connect=10.0),
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=200),
    )
    runtime = build_sending(
        db,
        Settings(env="development", database_url=args.database_url),
        tokens,
        http=http,
        limiter=limiter,
        client_settings=QboClientSettings(base_url=args.sandbox_url, retry=RetryPolicy(max_attempts=8)),
        worker_options={
            "worker_id": args.worker_id,
            "concurrency": args.concurrency,
            "lease_seconds": LEASE_SECONDS,
            "poll_seconds": 0.5,
            "backoff": BackoffPolicy(base_seconds=1.0, max_seconds=5.0),
            "groups": realm_leases(limiter, max_groups=args.max_realms),
        },
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print("READY", flush=True)
    try:
        await runtime.worker.run(stop)
    finally:
        await runtime.aclose()
        await http.aclose()
        await db.dispose()


def quiet() -> None:
    logging.basicConfig(level=logging.WARNING)
    for name in ("httpx", "espqb", "qbo_gateway"):
        logging.getLogger(name).setLevel(logging.ERROR)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))


# ------------------------------------------------------------------------------------------ a run


@dataclass
class RunResult:
    label: str
    wall_seconds: float
    statuses: Counter[str]
    throttled: int
    throttled_by: dict[str, int]
    realm_workers: Counter[int]
    requests: int
    utilisations: dict[str, float]
    first_served: float
    pacing: tuple[float, float, float]
    exactly_once: bool
    problems: list[str]
    killed: str | None


async def fresh_database(url: str) -> None:
    """Drop and create the bench's database, then migrate it."""
    import asyncpg

    parsed = make_url(url)
    name = parsed.database
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    await asyncio.to_thread(upgrade, url)


SCRIPT = str(Path(__file__).resolve())


async def spawn(*argv: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        SCRIPT,
        *argv,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "ENV": "development", "LOG_LEVEL": "ERROR"},
    )


async def read_line(process: asyncio.subprocess.Process, prefix: str, wait_seconds: float = 120) -> str:
    assert process.stdout is not None
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), wait_seconds)).decode()
        if not line:
            raise SystemExit(f"a bench process stopped before saying {prefix!r}")
        if line.startswith(prefix):
            return line[len(prefix) :].strip()


async def one_run(args: argparse.Namespace, *, kill: bool) -> RunResult:
    label = "one worker SIGKILLed mid-run" if kill else "all workers to the end"
    await fresh_database(args.database_url)
    sandbox = await spawn(
        "--role", "sandbox", "--realms", str(args.realms), "--time-scale", str(args.time_scale)
    )
    workers: list[asyncio.subprocess.Process] = []
    db = Database.from_url(args.database_url)
    try:
        port = await read_line(sandbox, "PORT ")
        sandbox_url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(timeout=60) as plain:
            for _ in range(200):
                with contextlib.suppress(httpx.TransportError):
                    setup = (await plain.get(f"{sandbox_url}/_bench/setup")).json()
                    break
                await asyncio.sleep(0.1)
            companies = await setup_.connect_companies(db, setup, "fleet")
            per_company = args.orders // len(companies)
            requests = {c: setup_.fleet_orders(c, per_company, seed=n) for n, c in enumerate(companies)}
            await enqueue_all(db, requests)

            for n in range(args.workers):
                workers.append(
                    await spawn(
                        "--role",
                        "worker",
                        "--worker-id",
                        f"fleet-worker-{n}",
                        "--database-url",
                        args.database_url,
                        "--sandbox-url",
                        sandbox_url,
                        "--time-scale",
                        str(args.time_scale),
                        "--concurrency",
                        str(args.concurrency),
                        "--max-realms",
                        str(args.max_realms),
                    )
                )
            await asyncio.gather(*(read_line(w, "READY") for w in workers))
            started = time.monotonic()
            killed = None
            total = sum(len(r) for r in requests.values())
            deadline = started + args.timeout
            while time.monotonic() < deadline:
                statuses = await job_statuses(db)
                finished = sum(n for s, n in statuses.items() if s not in ("queued", "running"))
                if kill and killed is None and finished >= total // 3:
                    workers[0].send_signal(signal.SIGKILL)
                    await workers[0].wait()
                    killed = f"fleet-worker-0 after {finished} of {total} orders, {time.monotonic() - started:.0f} s in"
                if finished == total:
                    break
                await asyncio.sleep(0.5)
            wall = time.monotonic() - started
            statuses = await job_statuses(db)
            answer = (await plain.get(f"{sandbox_url}/_bench/log")).json()
            log, throttled_by = answer["rows"], answer["throttled"]
            problems = await check_books(plain, sandbox_url, companies, requests)
        return RunResult(
            label=label,
            wall_seconds=wall,
            statuses=statuses,
            throttled=sum(1 for row in log if row[3] == 429),
            throttled_by=throttled_by,
            realm_workers=realm_workers(log),
            requests=len(log),
            utilisations=utilisation(log, args.time_scale),
            first_served=first_served(log),
            pacing=pacing(log),
            exactly_once=not problems,
            problems=problems,
            killed=killed,
        )
    finally:
        for process in [*workers, sandbox]:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in [*workers, sandbox]:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
        await db.dispose()


async def enqueue_all(db: Database, requests: dict[str, list[Any]]) -> None:
    """Round-robin over the companies, as orders of many companies arrive; a transaction per 100."""
    interleaved = [
        (company, batch[n])
        for n in range(max(map(len, requests.values())))
        for company, batch in requests.items()
    ]
    for start in range(0, len(interleaved), 100):
        async with db.transaction() as session:
            for company, request in interleaved[start : start + 100]:
                await enqueue_send(
                    session,
                    company_id=company,
                    order_number=request.order.order_number,
                    target="qbo",
                    payload=request.model_dump(mode="json"),
                    requested_by="bench",
                )


async def job_statuses(db: Database) -> Counter[str]:
    async with db.sessions() as session:
        rows = await session.execute(select(SendJob.status, func.count()).group_by(SendJob.status))
        return Counter({str(status): int(count) for status, count in rows.all()})


async def check_books(
    http: httpx.AsyncClient, base: str, companies: dict[str, str], requests: dict[str, list[Any]]
) -> list[str]:
    """Every order exactly once in its realm's books: one invoice per order number, and as many
    payments, bills and purchase orders as the orders asked for."""
    problems = []
    for company, realm in companies.items():
        expected = setup_.expected_documents(requests[company])
        for kind, count in expected.items():
            found = (await http.get(f"{base}/_sandbox/realms/{realm}/entities/{kind}")).json()
            if kind == "Invoice":
                numbers = Counter(str(e.get("DocNumber")) for e in found)
                if numbers != Counter(r.order.order_number for r in requests[company]):
                    twice = sorted(n for n, c in numbers.items() if c > 1)
                    problems.append(f"{company}: invoices {len(found)} of {count}, twice: {twice[:5]}")
            elif len(found) != count:
                problems.append(f"{company}: {kind} {len(found)} of {count}")
    return problems


def pacing(log: list[list[Any]]) -> tuple[float, float, float]:
    """The sandbox's answer time (p50), the spacing of a realm's consecutive requests (p50), and the
    share of gaps over two seconds (a realm waiting for work rather than for its limits)."""
    if not log:
        return 0.0, 0.0, 0.0
    latency = statistics.median(row[2] - row[1] for row in log)
    per_realm: dict[str, list[float]] = defaultdict(list)
    for row in log:
        per_realm[row[0]].append(row[1])
    gaps = [
        b - a
        for starts in per_realm.values()
        for a, b in zip(sorted(starts), sorted(starts)[1:], strict=False)
    ]
    if not gaps:
        return latency, 0.0, 0.0
    return latency, statistics.median(gaps), sum(1 for g in gaps if g > 2.0) / len(gaps)


def first_served(log: list[list[Any]]) -> float:
    """Seconds from the fleet's first request to the last realm's first: no realm waited for a worker."""
    if not log:
        return 0.0
    firsts: dict[str, float] = {}
    for row in log:
        firsts[row[0]] = min(firsts.get(row[0], row[1]), row[1])
    return max(firsts.values()) - min(firsts.values())


def realm_workers(log: list[list[Any]]) -> Counter[int]:
    """How many realms were sent to by one worker, by two…"""
    senders: dict[str, set[str]] = defaultdict(set)
    for row in log:
        senders[row[0]].add(row[5])
    return Counter(len(s) for s in senders.values())


def utilisation(log: list[list[Any]], scale: float) -> dict[str, float]:
    """Per realm: its steady request rate as a share of the limit that binds it.

    As in bench/qbo_send.py: a sliding one-minute window lets a realm with empty windows send a
    minute's worth at once, a one-off allowance rather than a pace, so the rate is taken after the
    realm's first minute of work, up to its last request: requests a minute against Intuit's
    requests a minute, batch requests a minute against its batch requests a minute, whichever share
    is larger (the binding limit). A realm whose work lasted under two minutes has no steady pace and
    is left out (`steady_seconds` below).
    """
    per_realm: dict[str, list[list[Any]]] = defaultdict(list)
    for row in log:
        if row[3] != 429:
            per_realm[row[0]].append(row)
    per_minute = setup_.scaled(setup_.PER_MINUTE, scale)
    batch_per_minute = setup_.scaled(setup_.BATCH_PER_MINUTE, scale)
    shares = {}
    for realm, rows in per_realm.items():
        starts = sorted(row[1] for row in rows)
        steady_from = starts[0] + 60.0
        after = [(row[1], row[4]) for row in rows if row[1] >= steady_from]
        span = starts[-1] - steady_from
        if span < STEADY_SECONDS:
            continue
        requests = 60 * len(after) / span / per_minute
        batches = 60 * sum(1 for _, batch in after if batch) / span / batch_per_minute
        shares[realm] = max(requests, batches)
    return shares


def report(args: argparse.Namespace, run: RunResult) -> None:
    total = args.orders // args.realms * args.realms
    shares = sorted(run.utilisations.values())
    print(f"\n== {run.label}")
    if run.killed:
        print(f"killed:                 {run.killed}")
        print(
            "                        (its realms wait for their leases to lapse: a job lease, "
            f"{LEASE_SECONDS:.0f} s, and a minute window; their utilisation shows that pause)"
        )
    print(f"wall time:              {run.wall_seconds:.1f} s")
    print(f"jobs:                   {dict(sorted(run.statuses.items()))}")
    print(f"requests to Intuit:     {run.requests}  ({run.requests / max(total, 1):.2f} an order)")
    print(f"429s:                   {run.throttled}  {run.throttled_by or ''}")
    spread = ", ".join(f"{n} realm(s) by {k} worker(s)" for k, n in sorted(run.realm_workers.items()))
    print(f"realms sent to:         {spread}")
    if shares:
        below = sum(1 for s in shares if s < 0.95)
        print(
            f"realm utilisation:      min {shares[0]:.1%}  median {statistics.median(shares):.1%}  "
            f"max {shares[-1]:.1%}  ({below} of {len(shares)} realms under 95 %; "
            f"{args.realms - len(shares)} left out: under {STEADY_SECONDS + 60:.0f} s of work)"
        )
    print(f"first request of a realm: at most {run.first_served:.1f} s after the fleet's first")
    latency, spacing, idle = run.pacing
    print(
        f"pacing:                 answer time at the sandbox p50 {latency * 1000:.0f} ms; a realm's "
        f"requests {spacing:.2f} s apart (p50); {idle:.0%} of a realm's gaps over 2 s"
    )
    every_job = run.statuses.get("succeeded", 0) == total
    print(f"every job succeeded:    {'yes' if every_job else 'NO'}")
    print(f"every order once:       {'yes' if run.exactly_once else 'NO'}")
    for problem in run.problems[:10]:
        print(f"  {problem}")


async def main(args: argparse.Namespace) -> None:
    print(
        f"{args.workers} worker processes (concurrency {args.concurrency}, at most {args.max_realms} realms each), "
        f"{args.realms} realms, {args.orders // args.realms * args.realms} orders, PostgreSQL"
    )
    limits = setup_.limiter_limits(args.time_scale)
    print(
        f"time scale {args.time_scale:g}: Intuit's limits as enforced by the sandbox and the limiters: "
        f"{limits.per_minute}/min, {limits.per_second}/s, {limits.concurrent} at once, "
        f"{limits.batch_per_minute} batch/min per realm"
    )
    if not args.only_kill:
        report(args, await one_run(args, kill=False))
    if not args.skip_kill:
        report(args, await one_run(args, kill=True))


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("FLEET_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--realms", type=int, default=50)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--time-scale", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=40, help="jobs in flight per worker")
    parser.add_argument("--max-realms", type=int, default=20, help="realms one worker owns at once")
    # The run that kills a worker takes longer: its realms wait for their leases to lapse, and the
    # survivors hold at most --max-realms each, so they take the dead worker's realms as theirs empty.
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a run may take")
    parser.add_argument("--skip-kill", action="store_true", help="leave out the run that kills a worker")
    parser.add_argument("--only-kill", action="store_true", help="only the run that kills a worker")
    parser.add_argument(
        "--role", choices=("bench", "sandbox", "worker"), default="bench", help=argparse.SUPPRESS
    )
    parser.add_argument("--worker-id", help=argparse.SUPPRESS)
    parser.add_argument("--sandbox-url", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse(sys.argv[1:])
    if arguments.role == "sandbox":
        setup_.run_sandbox(arguments.realms, arguments.time_scale)
    elif arguments.role == "worker":
        asyncio.run(run_worker(arguments))
    else:
        asyncio.run(main(arguments))
