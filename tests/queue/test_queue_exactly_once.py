"""Four concurrent workers, each with its own connection pool as if in its own process, complete
every job exactly once. On PostgreSQL: 4 × 10,000 jobs."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

from sqlalchemy import func, select

from espqb.db import Database
from espqb.db.models import SendJob
from espqb.queue import ClaimedJob, Handler, JobOutcome, Worker
from tests.queue.queue_support import seed_queued_jobs

WORKERS = 4


async def test_four_concurrent_workers_complete_every_job_exactly_once(
    db: Database, database_url: str, company_id: str
) -> None:
    jobs_per_worker = 10_000 if db.is_postgres else 150
    ids = await seed_queued_jobs(db, company_id, WORKERS * jobs_per_worker)
    handled = Counter[uuid.UUID]()
    handled_by: dict[str, int] = Counter()
    all_done = asyncio.Event()

    def make_handler(worker_id: str) -> Handler:
        async def handler(job: ClaimedJob) -> JobOutcome:
            handled[job.id] += 1
            handled_by[worker_id] += 1
            if len(handled) == len(ids):
                all_done.set()
            # Let the other workers interleave. On SQLite a handler takes a moment, as a real send
            # does: a worker whose handlers return at once takes the database's one write lock again
            # before the others' busy waits (1, 2, 5 … ms) come round, and can starve them.
            await asyncio.sleep(0 if db.is_postgres else 0.005)
            return JobOutcome.succeeded()

        return handler

    databases = [Database.from_url(database_url, pool_size=3) for _ in range(WORKERS)]
    workers = [
        Worker(
            database,
            target="qbo",
            handler=make_handler(f"w{index}"),
            worker_id=f"w{index}",
            concurrency=100 if db.is_postgres else 10,
            poll_seconds=0.05,
        )
        for index, database in enumerate(databases)
    ]
    try:
        runs = [asyncio.create_task(worker.run(all_done)) for worker in workers]
        await asyncio.wait_for(asyncio.gather(*runs), 240)
    finally:
        for database in databases:
            await database.dispose()

    assert len(handled) == len(ids)
    assert max(handled.values()) == 1, "a job was handled twice"
    # The workers really ran side by side. (SQLite's lock is not fair: one worker may be starved
    # for a whole short run, so only PostgreSQL is held to "everyone got a share".)
    assert len(handled_by) == WORKERS if db.is_postgres else len(handled_by) >= 2, handled_by
    async with db.sessions() as session:
        by_status = dict(
            (await session.execute(select(SendJob.status, func.count()).group_by(SendJob.status)))
            .tuples()
            .all()
        )
        attempts = (await session.execute(select(func.max(SendJob.attempts)))).scalar_one()
    assert by_status == {"succeeded": len(ids)}
    assert attempts == 1
