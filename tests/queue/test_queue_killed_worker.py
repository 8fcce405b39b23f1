"""A worker process killed mid-job (SIGKILL: no clean-up of any kind) loses its job to another
worker once the lease expires, and the job is then sent exactly once more."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections import Counter
from pathlib import Path

from espqb.db import Database
from espqb.db.models import JobStatus
from espqb.queue import ClaimedJob, JobOutcome, Worker, enqueue_send
from tests.queue.queue_support import ManualClock, audit_events, load_job

LEASE_SECONDS = 30.0
REPO_ROOT = Path(__file__).resolve().parents[2]

# The doomed worker: claims one job under a lease, says which, then hangs as if mid-send.
DOOMED_WORKER = """
import asyncio, sys
from espqb.db import Database
from espqb.queue import claim

async def main() -> None:
    db = Database.from_url(sys.argv[1])
    jobs = await claim(db, target="qbo", worker_id="doomed-worker", lease_seconds=float(sys.argv[2]))
    print(jobs[0].id if jobs else "none", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


async def test_a_killed_workers_job_is_rescued_after_its_lease_and_completed_once(
    db: Database, database_url: str, company_id: str
) -> None:
    async with db.transaction() as session:
        job_id = (
            await enqueue_send(
                session,
                company_id=company_id,
                order_number="A7102",
                target="qbo",
                payload={},
                requested_by="u1",
            )
        ).job.id

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        DOOMED_WORKER,
        database_url,
        str(LEASE_SECONDS),
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT,
        env={**os.environ, "ENV": "development"},
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        assert uuid.UUID(line.decode().strip()) == job_id
    finally:
        process.kill()  # SIGKILL
        await process.wait()

    handled = Counter[uuid.UUID]()

    async def handler(job: ClaimedJob) -> JobOutcome:
        handled[job.id] += 1
        return JobOutcome.succeeded("Invoice created")

    # Right after the kill the lease is still valid: nobody may touch the job yet.
    assert await Worker(db, target="qbo", handler=handler, worker_id="survivor").run_once() == 0
    stuck = await load_job(db, job_id)
    assert stuck.status == JobStatus.RUNNING and stuck.lease_owner == "doomed-worker"

    # Once the lease has expired, the survivor rescues the job and sends it.
    later = ManualClock()
    later.advance(LEASE_SECONDS + 1)
    survivor = Worker(db, target="qbo", handler=handler, worker_id="survivor", clock=later)
    assert await survivor.run_once() == 1
    assert await survivor.run_once() == 0
    assert handled == {job_id: 1}
    job = await load_job(db, job_id)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    events = [(entry.event, entry.detail.get("lost_worker_id")) for entry in await audit_events(db, job_id)]
    assert events == [("job.enqueued", None), ("job.rescued", "doomed-worker"), ("job.succeeded", None)]
