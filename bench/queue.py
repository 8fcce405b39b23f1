"""How fast is the send-job queue on PostgreSQL, next to procrastinate on the same database?

    .tools/bin/uv run python bench/queue.py [--jobs 20000] [--workers 4] [--concurrency 100]
        [--latency-samples 200] [--database-url postgresql://postgres@127.0.0.1:5432/espqb_bench]

Two measurements, made the same way for both queues (all workers in this one process, each with its
own connection pool, handlers that do nothing):

- throughput: enqueue N jobs (one per transaction, as the JSON API does per request: each in its own
  ``request_session``, where a new send is one statement; as many concurrent writers as workers), then let the workers drain them; the
  drain ends when the database shows N jobs completed. Reported: enqueue jobs/s, claim→complete
  jobs/s, and end to end (N over both phases).
- pickup latency: with the workers idle and listening, enqueue one job at a time; the time from the
  enqueuing transaction's commit to the handler starting. Reported: p50 and p95 in ms.
- batch enqueue: N jobs, BATCH_SIZE (100) per transaction, as `espqb backfill` queues them
  (`enqueue_batch`), beside procrastinate's `batch_defer_async` of as many.

The last line says whether issue 15's targets hold: enqueue ≥ 1.5×, end to end ≥ 2× and claim →
complete ≥ 5× procrastinate, in this run.

The database is created and migrated if missing; procrastinate gets its own PostgreSQL schema
(`procrastinate_bench`) and its tables are created there if missing. Targets for this queue on a
2-core machine: ≥ 2,000 jobs/s claim→complete and p50 pickup ≤ 50 ms.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on sys.path, where this file would shadow the
# standard library's `queue` module (which asyncio and logging import). Drop it before importing.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import argparse
import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from espqb.db import Database
from espqb.db.migrate import upgrade
from espqb.db.models import Company
from espqb.ops.backfill import BATCH_SIZE
from espqb.queue import ClaimedJob, JobOutcome, JobWaker, Worker, enqueue_send
from espqb.queue.enqueue import enqueue_batch, request_session

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/espqb_bench"
COMPANY = "bench-queue"
PROCRASTINATE_SCHEMA = "procrastinate_bench"
PROCRASTINATE_QUEUE = "bench"
POLL_SECONDS = 1.0  # both queues: the fallback poll when no notification arrives


@dataclass
class Figures:
    enqueue_per_s: float
    drain_per_s: float
    end_to_end_per_s: float
    p50_ms: float
    p95_ms: float
    batch_per_s: float = 0.0


# ---------------------------------------------------------------------------------- set-up


def libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def ensure_database(url: str) -> None:
    parsed = make_url(libpq_url(url))
    admin = await asyncpg.connect(parsed.set(database="postgres").render_as_string(hide_password=False))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", parsed.database)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await admin.close()


async def reset_espqb(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM send_jobs WHERE company_id = :c"), {"c": COMPANY})
        exists = await conn.execute(text("SELECT 1 FROM companies WHERE id = :c"), {"c": COMPANY})
        if exists.first() is None:
            await conn.execute(Company.__table__.insert().values(id=COMPANY, name="Queue benchmark"))
    async with db.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE send_jobs"))


async def analyze_espqb(db: Database) -> None:
    # Fresh planner statistics after the bulk enqueue, as autovacuum would soon give a real
    # database; done for both queues and left out of the timings.
    async with db.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE send_jobs"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def wait_until(count: Callable[[], Awaitable[int]], target: int) -> None:
    # Polling the database on purpose: "done" means committed, whichever queue did the work.
    while await count() < target:  # noqa: ASYNC110
        await asyncio.sleep(0.02)


# ---------------------------------------------------------------------------------- espqb


async def enqueue_concurrently(
    enqueue_one: Callable[[str], Awaitable[None]], orders: list[str], writers: int
) -> None:
    """Each job in its own transaction, as the JSON API enqueues one send per request."""
    pending = iter(orders)

    async def writer() -> None:
        for order in pending:
            await enqueue_one(order)

    await asyncio.gather(*(writer() for _ in range(writers)))


async def espqb_figures(url: str, jobs: int, workers: int, concurrency: int, samples: int) -> Figures:
    db = Database.from_url(url, pool_size=8)
    await reset_espqb(db)
    started_at: dict[str, float] = {}
    picked: asyncio.Queue[str] = asyncio.Queue()

    async def handler(job: ClaimedJob) -> JobOutcome:
        started_at[job.order_number] = time.perf_counter()
        picked.put_nowait(job.order_number)
        return JobOutcome.succeeded()

    async def enqueue_one(order: str) -> None:
        # As POST /v1/orders/{n}/send does: its own session (espqb.queue.enqueue.request_session),
        # where a new send is one statement, committed by itself.
        async with request_session(db) as session:
            await enqueue_send(
                session,
                company_id=COMPANY,
                order_number=order,
                target="qbo",
                payload={},
                requested_by="bench",
            )

    async def succeeded() -> int:
        async with db.engine.connect() as conn:
            result = await conn.execute(
                text("SELECT count(*) FROM send_jobs WHERE company_id = :c AND status = 'succeeded'"),
                {"c": COMPANY},
            )
            return int(result.scalar_one())

    pools = [Database.from_url(url, pool_size=4) for _ in range(workers)]
    try:
        # (a) throughput
        orders = [f"T{i}" for i in range(jobs)]
        t0 = time.perf_counter()
        await enqueue_concurrently(enqueue_one, orders, writers=workers)
        t1 = time.perf_counter()
        await analyze_espqb(db)
        t2 = time.perf_counter()
        stop = asyncio.Event()
        fleet = [
            Worker(pool, target="qbo", handler=handler, concurrency=concurrency, poll_seconds=POLL_SECONDS)
            for pool in pools
        ]
        runs = [asyncio.create_task(worker.run(stop)) for worker in fleet]
        await wait_until(succeeded, jobs)
        t3 = time.perf_counter()
        stop.set()
        await asyncio.gather(*runs)

        # (b) pickup latency: idle, listening workers; one job per transaction
        await reset_espqb(db)
        while not picked.empty():
            picked.get_nowait()
        stop = asyncio.Event()
        wakers = [JobWaker(pool, targets={"qbo"}, poll_seconds=POLL_SECONDS) for pool in pools]
        for waker in wakers:
            await waker.start()
            await asyncio.wait_for(waker.wait_until_listening(), 10)
        fleet = [
            Worker(pool, target="qbo", handler=handler, concurrency=concurrency, waker=waker)
            for pool, waker in zip(pools, wakers, strict=True)
        ]
        runs = [asyncio.create_task(worker.run(stop)) for worker in fleet]
        await asyncio.sleep(0.5)
        latencies = []
        for i in range(samples):
            order = f"L{i}"
            await enqueue_one(order)
            committed = time.perf_counter()
            while await asyncio.wait_for(picked.get(), 30) != order:
                pass
            latencies.append((started_at[order] - committed) * 1000)
            await asyncio.sleep(0.005)
        stop.set()
        await asyncio.gather(*runs)
        for waker in wakers:
            await waker.stop()

        # (c) batch enqueue, as `espqb backfill` queues: BATCH_SIZE sends per transaction and statement
        await reset_espqb(db)
        t4 = time.perf_counter()
        for start in range(0, jobs, BATCH_SIZE):
            async with db.transaction() as session:
                await enqueue_batch(
                    session,
                    [
                        {"company_id": COMPANY, "order_number": f"B{i}", "target": "qbo", "payload": {}}
                        for i in range(start, min(jobs, start + BATCH_SIZE))
                    ],
                )
        t5 = time.perf_counter()
    finally:
        for pool in pools:
            await pool.dispose()
        await db.dispose()
    return Figures(
        enqueue_per_s=jobs / (t1 - t0),
        drain_per_s=jobs / (t3 - t2),
        end_to_end_per_s=jobs / ((t1 - t0) + (t3 - t2)),
        p50_ms=percentile(latencies, 0.50),
        p95_ms=percentile(latencies, 0.95),
        batch_per_s=jobs / (t5 - t4),
    )


# ---------------------------------------------------------------------------------- procrastinate


async def procrastinate_figures(url: str, jobs: int, workers: int, concurrency: int, samples: int) -> Figures:
    import procrastinate

    conninfo = libpq_url(url)
    admin = await asyncpg.connect(conninfo)
    await admin.execute(f'CREATE SCHEMA IF NOT EXISTS "{PROCRASTINATE_SCHEMA}"')
    has_schema = await admin.fetchval("SELECT to_regclass($1)", f"{PROCRASTINATE_SCHEMA}.procrastinate_jobs")

    started_at: dict[str, float] = {}
    picked: asyncio.Queue[str] = asyncio.Queue()

    def make_app() -> procrastinate.App:
        connector = procrastinate.PsycopgConnector(
            conninfo=conninfo,
            kwargs={"options": f"-c search_path={PROCRASTINATE_SCHEMA}"},
            min_size=1,
            max_size=4,
        )
        app = procrastinate.App(connector=connector)

        @app.task(name="bench_send", queue=PROCRASTINATE_QUEUE)
        async def bench_send(order: str) -> None:
            started_at[order] = time.perf_counter()
            picked.put_nowait(order)

        return app

    async def succeeded() -> int:
        return int(
            await admin.fetchval(
                f"SELECT count(*) FROM {PROCRASTINATE_SCHEMA}.procrastinate_jobs "
                "WHERE queue_name = $1 AND status = 'succeeded'",
                PROCRASTINATE_QUEUE,
            )
        )

    def run_workers(apps: list[procrastinate.App]) -> list[asyncio.Task[None]]:
        return [
            asyncio.create_task(
                app.run_worker_async(
                    queues=[PROCRASTINATE_QUEUE],
                    concurrency=concurrency,
                    wait=True,
                    listen_notify=True,
                    fetch_job_polling_interval=POLL_SECONDS,
                    install_signal_handlers=False,
                    delete_jobs="never",
                )
            )
            for app in apps
        ]

    async def stop_workers(tasks: list[asyncio.Task[None]]) -> None:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    producer = make_app()
    apps = [make_app() for _ in range(workers)]
    try:
        await producer.open_async()
        for app in apps:
            await app.open_async()
        if has_schema is None:
            await producer.schema_manager.apply_schema_async()
        await admin.execute(f"TRUNCATE {PROCRASTINATE_SCHEMA}.procrastinate_jobs CASCADE")
        task = producer.tasks["bench_send"]

        async def enqueue_one(order: str) -> None:
            await task.defer_async(order=order)

        # (a) throughput
        t0 = time.perf_counter()
        await enqueue_concurrently(enqueue_one, [f"T{i}" for i in range(jobs)], writers=workers)
        t1 = time.perf_counter()
        await admin.execute(f"ANALYZE {PROCRASTINATE_SCHEMA}.procrastinate_jobs")
        t2 = time.perf_counter()
        running = run_workers(apps)
        await wait_until(succeeded, jobs)
        t3 = time.perf_counter()
        await stop_workers(running)

        # (b) pickup latency
        await admin.execute(f"TRUNCATE {PROCRASTINATE_SCHEMA}.procrastinate_jobs CASCADE")
        while not picked.empty():
            picked.get_nowait()
        running = run_workers(apps)
        await asyncio.sleep(1.0)  # let the workers start listening
        latencies = []
        for i in range(samples):
            order = f"L{i}"
            await enqueue_one(order)
            committed = time.perf_counter()
            while await asyncio.wait_for(picked.get(), 30) != order:
                pass
            latencies.append((started_at[order] - committed) * 1000)
            await asyncio.sleep(0.005)
        await stop_workers(running)

        # (c) batch enqueue: BATCH_SIZE jobs per call (procrastinate's batch_defer_async)
        await admin.execute(f"TRUNCATE {PROCRASTINATE_SCHEMA}.procrastinate_jobs CASCADE")
        t4 = time.perf_counter()
        for start in range(0, jobs, BATCH_SIZE):
            batch: list[dict[str, Any]] = [
                {"order": f"B{i}"} for i in range(start, min(jobs, start + BATCH_SIZE))
            ]
            await task.batch_defer_async(*batch)
        t5 = time.perf_counter()
    finally:
        for app in [producer, *apps]:
            await app.close_async()
        await admin.close()
    return Figures(
        enqueue_per_s=jobs / (t1 - t0),
        drain_per_s=jobs / (t3 - t2),
        end_to_end_per_s=jobs / ((t1 - t0) + (t3 - t2)),
        p50_ms=percentile(latencies, 0.50),
        p95_ms=percentile(latencies, 0.95),
        batch_per_s=jobs / (t5 - t4),
    )


# ---------------------------------------------------------------------------------- report


# Issue 15's targets, as espqb.queue ÷ procrastinate in the same run.
RATIO_TARGETS = (
    ("enqueue", "enqueue_per_s", 1.5),
    ("end to end", "end_to_end_per_s", 2.0),
    ("claim → complete", "drain_per_s", 5.0),
)


def report(ours: Figures, theirs: Figures | None) -> None:
    rows = [
        ("enqueue (jobs/s)", ours.enqueue_per_s, theirs and theirs.enqueue_per_s, True),
        ("claim → complete (jobs/s)", ours.drain_per_s, theirs and theirs.drain_per_s, True),
        ("end to end (jobs/s)", ours.end_to_end_per_s, theirs and theirs.end_to_end_per_s, True),
        ("pickup latency p50 (ms)", ours.p50_ms, theirs and theirs.p50_ms, False),
        ("pickup latency p95 (ms)", ours.p95_ms, theirs and theirs.p95_ms, False),
        (f"batch enqueue, {BATCH_SIZE}/tx (jobs/s)", ours.batch_per_s, theirs and theirs.batch_per_s, True),
    ]
    print(f"{'':34}{'espqb.queue':>14}{'procrastinate':>16}{'espqb advantage':>18}")
    for label, mine, other, higher_is_better in rows:
        if other:
            advantage = mine / other if higher_is_better else other / mine
            print(f"{label:34}{mine:>14,.1f}{other:>16,.1f}{advantage:>17.2f}×")
        else:
            print(f"{label:34}{mine:>14,.1f}{'-':>16}{'-':>18}")
    print("(advantage: how many times better espqb.queue is; below 1 means procrastinate is better)")
    print(
        "(enqueue: one send per transaction as POST /v1/orders/{n}/send does it, "
        "one statement on PostgreSQL; batch enqueue: as `espqb backfill` queues)"
    )
    print(
        f"targets: claim → complete ≥ 2,000 jobs/s: {'met' if ours.drain_per_s >= 2000 else 'NOT met'}; "
        f"p50 pickup ≤ 50 ms: {'met' if ours.p50_ms <= 50 else 'NOT met'}"
    )
    if theirs is not None:
        verdicts = []
        for label, field, target in RATIO_TARGETS:
            ratio = getattr(ours, field) / getattr(theirs, field)
            verdicts.append(
                f"{label} {ratio:.2f}× (≥ {target:g}×: {'met' if ratio >= target else 'NOT met'})"
            )
        print("issue 15 targets vs procrastinate: " + "; ".join(verdicts))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=100, help="jobs in flight per worker")
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--skip-procrastinate", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("procrastinate").setLevel(logging.ERROR)  # its per-app start-up warnings
    os.environ.setdefault("ENV", "development")

    asyncio.run(ensure_database(args.database_url))
    upgrade(args.database_url)
    print(
        f"{args.jobs:,} jobs, {args.workers} workers × {args.concurrency} in flight, "
        f"{args.latency_samples} latency samples, PostgreSQL at {make_url(args.database_url).host}"
    )
    ours = asyncio.run(
        espqb_figures(args.database_url, args.jobs, args.workers, args.concurrency, args.latency_samples)
    )
    theirs = None
    if not args.skip_procrastinate:
        theirs = asyncio.run(
            procrastinate_figures(
                args.database_url, args.jobs, args.workers, args.concurrency, args.latency_samples
            )
        )
    report(ours, theirs)


if __name__ == "__main__":
    main()
