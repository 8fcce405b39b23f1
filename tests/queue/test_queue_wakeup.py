"""Waking workers: NOTIFY on PostgreSQL (delivered at commit, re-established after a lost
connection), polling everywhere as the fallback."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from sqlalchemy import text

from espqb.db import Database
from espqb.queue import ClaimedJob, JobOutcome, JobWaker, Worker, enqueue_send
from tests.queue.queue_support import seed_queued_jobs


async def _enqueue(db: Database, company_id: str, order: str) -> uuid.UUID:
    async with db.transaction() as session:
        result = await enqueue_send(
            session, company_id=company_id, order_number=order, target="qbo", payload={}, requested_by="u1"
        )
    return result.job.id


def _needs_postgres(db: Database) -> None:
    if not db.is_postgres:
        pytest.skip("LISTEN/NOTIFY exists on PostgreSQL only; SQLite workers poll")


async def _pickup_seconds(db: Database, company_id: str, picked: asyncio.Queue[float], order: str) -> float:
    await _enqueue(db, company_id, order)
    committed = time.monotonic()
    return await asyncio.wait_for(picked.get(), 10) - committed


async def test_notify_wakes_an_idle_worker_long_before_the_poll_interval(
    db: Database, company_id: str
) -> None:
    _needs_postgres(db)
    picked: asyncio.Queue[float] = asyncio.Queue()

    async def handler(job: ClaimedJob) -> JobOutcome:
        picked.put_nowait(time.monotonic())
        return JobOutcome.succeeded()

    waker = JobWaker(db, targets={"qbo"}, poll_seconds=30)
    worker = Worker(db, target="qbo", handler=handler, poll_seconds=30, waker=waker)
    stop = asyncio.Event()
    async with waker:
        await asyncio.wait_for(waker.wait_until_listening(), 10)
        run = asyncio.create_task(worker.run(stop))
        await asyncio.sleep(0.2)  # the worker's first look found nothing; it now waits 30 s or for a NOTIFY
        latencies = [await _pickup_seconds(db, company_id, picked, f"A{index}") for index in range(3)]
        stop.set()
        await asyncio.wait_for(run, 10)
    assert max(latencies) < 1.0, latencies


async def test_the_waker_reconnects_after_losing_its_connection(db: Database, company_id: str) -> None:
    _needs_postgres(db)
    async with JobWaker(db, targets={"qbo"}, poll_seconds=30, reconnect_seconds=0.1) as waker:
        await asyncio.wait_for(waker.wait_until_listening(), 10)
        await waker.wait(0)  # consume the wake-up every (re)connection starts with
        async with db.engine.begin() as conn:
            killed = await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query ILIKE 'LISTEN%'"
                )
            )
            assert killed.scalars().all() == [True]
        for _ in range(100):
            if not waker.listening:
                break
            await asyncio.sleep(0.02)
        await asyncio.wait_for(waker.wait_until_listening(), 10)
        await waker.wait(0)
        await _enqueue(db, company_id, "A1")
        assert await waker.wait(5)


async def test_a_rolled_back_enqueue_wakes_nobody_and_other_targets_are_ignored(
    db: Database, company_id: str
) -> None:
    _needs_postgres(db)
    async with JobWaker(db, targets={"qbo"}, poll_seconds=30) as waker:
        await asyncio.wait_for(waker.wait_until_listening(), 10)
        await waker.wait(0)
        with pytest.raises(RuntimeError):
            async with db.transaction() as session:
                await enqueue_send(
                    session,
                    company_id=company_id,
                    order_number="A1",
                    target="qbo",
                    payload={},
                    requested_by="u1",
                )
                raise RuntimeError("request failed")
        async with db.transaction() as session:
            await enqueue_send(
                session, company_id=company_id, order_number="A1", target="qbd", payload={}, requested_by="u1"
            )
        assert not await waker.wait(0.5)
        await _enqueue(db, company_id, "A2")
        assert await waker.wait(5)


async def test_polling_finds_jobs_that_were_queued_without_a_wake_up(db: Database, company_id: str) -> None:
    picked = asyncio.Event()

    async def handler(job: ClaimedJob) -> JobOutcome:
        picked.set()
        return JobOutcome.succeeded()

    stop = asyncio.Event()
    worker = Worker(db, target="qbo", handler=handler, poll_seconds=0.2)
    run = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(0.3)  # the worker looked, found nothing, and is waiting
    await seed_queued_jobs(db, company_id, 1)  # a bare insert: no NOTIFY
    await asyncio.wait_for(picked.wait(), 10)
    stop.set()
    await asyncio.wait_for(run, 10)
