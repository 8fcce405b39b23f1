"""The worker: runs the gateway's handler on claimed jobs and records what came of each."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

import espqb.queue.worker as worker_module
from espqb.db import Database
from espqb.db.models import JobStatus
from espqb.queue import BackoffPolicy, ClaimedJob, JobOutcome, Worker, enqueue_send, rescue_expired
from espqb.queue.worker import UNEXPECTED_ERROR
from tests.queue.queue_support import audit_events, count_jobs, load_job, seed_queued_jobs


async def _enqueue(db: Database, company_id: str, order: str) -> uuid.UUID:
    async with db.transaction() as session:
        result = await enqueue_send(
            session,
            company_id=company_id,
            order_number=order,
            target="qbo",
            payload={"order": order},
            requested_by="u1",
        )
    return result.job.id


async def test_run_once_sends_what_is_ready_and_records_each_outcome(db: Database, company_id: str) -> None:
    ok = await _enqueue(db, company_id, "A1")
    bad = await _enqueue(db, company_id, "A2")
    seen: list[str] = []

    async def handler(job: ClaimedJob) -> JobOutcome:
        seen.append(job.order_number)
        if job.order_number == "A2":
            return JobOutcome.failed("The vendor S1 is inactive in QuickBooks")
        return JobOutcome.succeeded("Invoice 1042 created")

    worker = Worker(db, target="qbo", handler=handler, worker_id="w1")
    assert await worker.run_once() == 2
    assert sorted(seen) == ["A1", "A2"]
    assert (await load_job(db, ok)).status == JobStatus.SUCCEEDED
    failed = await load_job(db, bad)
    assert (
        failed.status == JobStatus.FAILED and failed.last_error == "The vendor S1 is inactive in QuickBooks"
    )
    assert await worker.run_once() == 0


async def test_an_unexpected_exception_becomes_a_retry_with_plain_words(
    db: Database, company_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    job_id = await _enqueue(db, company_id, "A1")

    async def handler(job: ClaimedJob) -> JobOutcome:
        raise KeyError("internal detail: payload['suppliers'][3]")

    worker = Worker(db, target="qbo", handler=handler, backoff=BackoffPolicy(60, 60))
    with caplog.at_level(logging.ERROR, logger="espqb.queue"):
        assert await worker.run_once() == 1
    job = await load_job(db, job_id)
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert job.last_error == UNEXPECTED_ERROR
    assert "Traceback" in caplog.text and "internal detail" in caplog.text
    assert all("internal detail" not in (entry.message or "") for entry in await audit_events(db, job_id))


async def test_a_long_send_keeps_its_lease_alive(db: Database, company_id: str) -> None:
    job_id = await _enqueue(db, company_id, "A1")
    lease = 0.6
    handled = Counter[uuid.UUID]()

    async def slow_handler(job: ClaimedJob) -> JobOutcome:
        handled[job.id] += 1
        await asyncio.sleep(lease * 3)  # three leases long: only heartbeats keep it ours
        return JobOutcome.succeeded()

    async def quick_handler(job: ClaimedJob) -> JobOutcome:
        handled[job.id] += 1
        return JobOutcome.succeeded()

    slow = Worker(db, target="qbo", handler=slow_handler, worker_id="slow", lease_seconds=lease)
    rival = Worker(db, target="qbo", handler=quick_handler, worker_id="rival", lease_seconds=lease)
    slow_run = asyncio.create_task(slow.run_once())
    for _ in range(8):  # the rival rescues and claims whenever it can
        await asyncio.sleep(lease / 2)
        await rival.run_once()
    assert await slow_run == 1
    assert handled == {job_id: 1}
    job = await load_job(db, job_id)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1


async def test_run_drains_the_queue_and_stops_when_asked(db: Database, company_id: str) -> None:
    ids = await seed_queued_jobs(db, company_id, 60)
    handled = Counter[uuid.UUID]()
    stop = asyncio.Event()

    async def handler(job: ClaimedJob) -> JobOutcome:
        handled[job.id] += 1
        await asyncio.sleep(0.001)
        if len(handled) == len(ids):
            stop.set()
        return JobOutcome.succeeded()

    worker = Worker(db, target="qbo", handler=handler, concurrency=8, poll_seconds=0.05)
    await asyncio.wait_for(worker.run(stop), 30)
    assert set(handled) == set(ids) and set(handled.values()) == {1}
    assert await count_jobs(db, status="succeeded") == len(ids)


async def test_stopping_gives_an_unfinished_send_back_to_the_queue(db: Database, company_id: str) -> None:
    job_id = await _enqueue(db, company_id, "A1")
    stop = asyncio.Event()
    started = asyncio.Event()

    async def stuck_handler(job: ClaimedJob) -> JobOutcome:
        started.set()
        await asyncio.sleep(3600)
        return JobOutcome.succeeded()

    worker = Worker(db, target="qbo", handler=stuck_handler, poll_seconds=0.05, shutdown_grace_seconds=0.2)
    run = asyncio.create_task(worker.run(stop))
    await asyncio.wait_for(started.wait(), 10)
    stop.set()
    await asyncio.wait_for(run, 10)
    job = await load_job(db, job_id)
    assert job.status == JobStatus.QUEUED and job.lease_owner is None
    assert job.last_error is not None and "restarting" in job.last_error


async def test_stopping_while_an_outcome_is_being_written_writes_it_once(
    db: Database, company_id: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = await _enqueue(db, company_id, "A1")
    stop = asyncio.Event()
    writes = 0
    real_complete_many = worker_module.complete_many

    async def complete_many_slow_to_return(*args: Any, **kwargs: Any) -> set[uuid.UUID]:
        nonlocal writes
        writes += 1
        accepted = await real_complete_many(*args, **kwargs)
        stop.set()  # committed, but the worker is told to stop before this call returns
        await asyncio.sleep(0.3)
        return accepted

    monkeypatch.setattr(worker_module, "complete_many", complete_many_slow_to_return)

    async def handler(job: ClaimedJob) -> JobOutcome:
        return JobOutcome.succeeded()

    with caplog.at_level(logging.WARNING, logger="espqb.queue"):
        await asyncio.wait_for(Worker(db, target="qbo", handler=handler, poll_seconds=0.05).run(stop), 10)
    assert writes == 1
    assert "Ignored the result" not in caplog.text
    assert (await load_job(db, job_id)).status == JobStatus.SUCCEEDED


async def test_a_database_that_stays_down_does_not_keep_a_stopping_worker_alive(
    db: Database, company_id: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopping, the worker tries to record what it finished for its grace period, then stops anyway:
    the job keeps its lease until it expires, and is then rescued and run again."""
    job_id = await _enqueue(db, company_id, "A1")
    stop = asyncio.Event()

    async def database_down(*args: Any, **kwargs: Any) -> set[uuid.UUID]:
        stop.set()
        raise ConnectionError("the database went away")

    monkeypatch.setattr(worker_module, "complete_many", database_down)

    async def handler(job: ClaimedJob) -> JobOutcome:
        return JobOutcome.succeeded()

    worker = Worker(db, target="qbo", handler=handler, poll_seconds=0.05, shutdown_grace_seconds=0.3)
    with caplog.at_level(logging.ERROR, logger="espqb.queue"):
        await asyncio.wait_for(worker.run(stop), 10)
    assert "before stopping" in caplog.text

    job = await load_job(db, job_id)
    assert job.status == JobStatus.RUNNING and job.lease_expires_at is not None
    later = job.lease_expires_at + timedelta(seconds=1)
    assert await rescue_expired(db, target="qbo", clock=lambda: later) == 1
    assert (await load_job(db, job_id)).status == JobStatus.QUEUED
