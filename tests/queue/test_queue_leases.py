"""Claiming under a lease, heartbeats, completion by the lease owner only, backoff, rescue."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

import pytest

from espqb.db import Database
from espqb.db.models import JobStatus
from espqb.queue import (
    BackoffPolicy,
    JobOutcome,
    claim,
    complete,
    complete_many,
    enqueue_send,
    heartbeat,
    heartbeat_many,
    rescue_expired,
)
from tests.queue.queue_support import ManualClock, audit_events, load_job

LEASE = 60.0


async def _enqueue(
    db: Database,
    company_id: str,
    clock: ManualClock,
    order: str = "A7102",
    *,
    target: str = "qbo",
    max_attempts: int = 8,
) -> uuid.UUID:
    async with db.transaction() as session:
        result = await enqueue_send(
            session,
            company_id=company_id,
            order_number=order,
            target=target,
            payload={"order_number": order, "lines": [{"sku": "A7102", "qty": 100, "price": "2.30"}]},
            requested_by="u1",
            max_attempts=max_attempts,
            clock=clock,
        )
    return result.job.id


async def test_claim_leases_ready_jobs_of_its_target_only(db: Database, company_id: str) -> None:
    clock = ManualClock()
    first = await _enqueue(db, company_id, clock, "A1")
    second = await _enqueue(db, company_id, clock, "A2")
    await _enqueue(db, company_id, clock, "D1", target="qbd")
    claimed = await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, limit=10, clock=clock)
    assert {job.id for job in claimed} == {first, second}
    assert all(job.attempt == 1 and job.target == "qbo" for job in claimed)
    assert claimed[0].payload["lines"][0]["price"] == "2.30"
    job = await load_job(db, first)
    assert job.status == JobStatus.RUNNING
    assert job.lease_owner == "w1"
    assert job.lease_expires_at == clock.now + timedelta(seconds=LEASE)
    assert job.started_at == clock.now
    # Nothing left: a second claim takes nothing.
    assert await claim(db, target="qbo", worker_id="w2", lease_seconds=LEASE, limit=10, clock=clock) == []


async def test_claim_respects_the_limit_and_oldest_first(db: Database, company_id: str) -> None:
    clock = ManualClock()
    ids = []
    for index in range(5):
        ids.append(await _enqueue(db, company_id, clock, f"A{index}"))
        clock.advance(1)
    claimed = await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, limit=2, clock=clock)
    assert {job.id for job in claimed} == set(ids[:2])


async def test_a_job_waiting_for_its_backoff_is_not_claimed_early(db: Database, company_id: str) -> None:
    clock = ManualClock()
    job_id = await _enqueue(db, company_id, clock)
    [job] = await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, clock=clock)
    backoff = BackoffPolicy(base_seconds=10, max_seconds=900, jitter=lambda: 1.0)
    assert await complete(
        db, job.id, "w1", JobOutcome.retry("QuickBooks is busy"), clock=clock, backoff=backoff
    )
    assert await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, clock=clock) == []
    clock.advance(9.9)
    assert await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, clock=clock) == []
    clock.advance(0.2)
    [again] = await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, clock=clock)
    assert again.id == job_id and again.attempt == 2


async def test_backoff_grows_is_capped_and_the_last_attempt_fails_keeping_payload_and_error(
    db: Database, company_id: str
) -> None:
    clock = ManualClock()
    job_id = await _enqueue(db, company_id, clock, max_attempts=6)
    backoff = BackoffPolicy(base_seconds=2, max_seconds=10, jitter=lambda: 1.0)
    waits = []
    for attempt in range(1, 7):
        [job] = await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, clock=clock)
        assert job.attempt == attempt
        await complete(
            db,
            job.id,
            "w1",
            JobOutcome.retry(f"QuickBooks is busy ({attempt})"),
            clock=clock,
            backoff=backoff,
        )
        stored = await load_job(db, job_id)
        if stored.status == JobStatus.QUEUED:
            waits.append((stored.run_after - clock.now).total_seconds())
            clock.now = stored.run_after
    assert waits == [2, 4, 8, 10, 10]
    final = await load_job(db, job_id)
    assert final.status == JobStatus.FAILED
    assert final.attempts == 6
    assert final.last_error == "QuickBooks is busy (6)"
    assert final.payload["lines"][0] == {"sku": "A7102", "qty": 100, "price": "2.30"}
    assert final.finished_at == clock.now and final.lease_owner is None
    events = [entry.event for entry in await audit_events(db, job_id)]
    assert events == ["job.enqueued", *["job.retry_scheduled"] * 5, "job.failed"]


async def test_only_the_lease_owner_completes(
    db: Database, company_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock()
    job_id = await _enqueue(db, company_id, clock)
    await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, clock=clock)
    with caplog.at_level(logging.WARNING, logger="espqb.queue"):
        assert not await complete(db, job_id, "w2", JobOutcome.succeeded(), clock=clock)
    assert "no longer holds the lease" in caplog.text
    assert (await load_job(db, job_id)).status == JobStatus.RUNNING
    assert await complete(db, job_id, "w1", JobOutcome.succeeded("Invoice 1042 created"), clock=clock)
    done = await load_job(db, job_id)
    assert done.status == JobStatus.SUCCEEDED and done.finished_at == clock.now
    assert (await audit_events(db, job_id))[-1].message == "Invoice 1042 created"
    # Completing twice does nothing more.
    assert not await complete(db, job_id, "w1", JobOutcome.failed("late"), clock=clock)


async def test_heartbeat_extends_the_lease_and_reports_a_lost_one(db: Database, company_id: str) -> None:
    clock = ManualClock()
    job_id = await _enqueue(db, company_id, clock)
    [job] = await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, clock=clock)
    clock.advance(40)
    assert await heartbeat(db, job_id, "w1", LEASE, attempt=job.attempt, clock=clock)
    assert (await load_job(db, job_id)).lease_expires_at == clock.now + timedelta(seconds=LEASE)
    clock.advance(40)  # the original lease would have expired by now, the extended one has not
    assert await rescue_expired(db, clock=clock) == 0
    assert not await heartbeat(db, job_id, "w2", LEASE, clock=clock)
    clock.advance(LEASE)
    assert await rescue_expired(db, clock=clock) == 1
    assert not await heartbeat(db, job_id, "w1", LEASE, clock=clock)
    assert await heartbeat_many(db, "w1", [(job_id, job.attempt)], LEASE, clock=clock) == set()


async def test_an_expired_lease_is_rescued_and_the_late_finisher_is_ignored(
    db: Database, company_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock()
    job_id = await _enqueue(db, company_id, clock)
    [first] = await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, clock=clock)
    clock.advance(LEASE - 1)
    assert await rescue_expired(db, clock=clock) == 0
    clock.advance(2)
    assert await rescue_expired(db, clock=clock) == 1
    rescued = await load_job(db, job_id)
    assert rescued.status == JobStatus.QUEUED and rescued.lease_owner is None
    assert rescued.last_error is not None and "stopped responding" in rescued.last_error
    entry = (await audit_events(db, job_id))[-1]
    assert entry.event == "job.rescued" and entry.detail["lost_worker_id"] == "w1"
    # The same worker id claims the job again: the first attempt's result is still refused.
    [second] = await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, clock=clock)
    assert second.attempt == 2
    with caplog.at_level(logging.WARNING, logger="espqb.queue"):
        assert not await complete(
            db, job_id, "w1", JobOutcome.failed("stale"), attempt=first.attempt, clock=clock
        )
        assert await complete_many(db, "w1", [(first, JobOutcome.failed("stale"))], clock=clock) == set()
    assert "Ignored the result" in caplog.text
    assert await complete_many(db, "w1", [(second, JobOutcome.succeeded())], clock=clock) == {job_id}
    assert (await load_job(db, job_id)).status == JobStatus.SUCCEEDED


async def test_rescue_fails_a_job_whose_attempts_are_used_up(db: Database, company_id: str) -> None:
    clock = ManualClock()
    job_id = await _enqueue(db, company_id, clock, max_attempts=1)
    await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, clock=clock)
    clock.advance(LEASE + 1)
    assert await rescue_expired(db, clock=clock) == 1
    job = await load_job(db, job_id)
    assert job.status == JobStatus.FAILED and job.finished_at == clock.now
    assert job.last_error is not None and "no attempts are left" in job.last_error
    assert job.payload["order_number"] == "A7102"


async def test_complete_many_records_each_job_its_own_way(db: Database, company_id: str) -> None:
    clock = ManualClock()
    ids = [await _enqueue(db, company_id, clock, f"A{index}") for index in range(4)]
    claimed = {job.id: job for job in await claim(db, target="qbo", worker_id="w1", limit=4, clock=clock)}
    outcomes: dict[uuid.UUID, Any] = {
        ids[0]: JobOutcome.succeeded(
            "Invoice 1 created", warnings=("Tax code TAX was not found; used the default",)
        ),
        ids[1]: JobOutcome.partially_succeeded("The bill for supplier S1 was refused: account is inactive"),
        ids[2]: JobOutcome.failed("The customer name is already used by a vendor"),
        ids[3]: JobOutcome.hold("QuickBooks Online needs re-authorisation"),
    }
    accepted = await complete_many(
        db, "w1", [(claimed[job_id], outcome) for job_id, outcome in outcomes.items()], clock=clock
    )
    assert accepted == set(ids)
    jobs = [await load_job(db, job_id) for job_id in ids]
    assert [job.status for job in jobs] == ["succeeded", "partially_succeeded", "failed", "held"]
    assert jobs[0].warnings == ["Tax code TAX was not found; used the default"]
    assert jobs[1].last_error == "The bill for supplier S1 was refused: account is inactive"
    assert jobs[2].last_error == "The customer name is already used by a vendor"
    assert jobs[3].hold_reason == "QuickBooks Online needs re-authorisation" and jobs[3].finished_at is None
    assert all(job.lease_owner is None and job.lease_expires_at is None for job in jobs)
    assert [(await audit_events(db, job_id))[-1].event for job_id in ids] == [
        "job.succeeded",
        "job.partially_succeeded",
        "job.failed",
        "job.held",
    ]
