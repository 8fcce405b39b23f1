"""A follow-up send (a changed re-send while the order's send was under way) starts once that send
has ended, however it ends: completed, given up after a lost worker, or cancelled while waiting to
try again. Never while it still runs."""

from __future__ import annotations

import uuid
from typing import Any

from espqb.db import Database
from espqb.db.models import JobStatus
from espqb.queue import BackoffPolicy, JobOutcome, cancel, claim, complete_many, enqueue_send, rescue_expired
from espqb.queue.types import ClaimedJob
from tests.queue.queue_support import ManualClock, audit_events, load_job

LEASE = 60.0


def _body(quantity: int) -> dict[str, Any]:
    return {"order_number": "A7102", "lines": [{"sku": "A7102", "qty": quantity}]}


async def _send(db: Database, company_id: str, clock: ManualClock, quantity: int, **options: Any) -> Any:
    async with db.transaction() as session:
        return await enqueue_send(
            session,
            company_id=company_id,
            order_number="A7102",
            target="qbo",
            payload=_body(quantity),
            requested_by="u1",
            clock=clock,
            **options,
        )


async def _under_way(db: Database, company_id: str, clock: ManualClock, **options: Any) -> uuid.UUID:
    first = await _send(db, company_id, clock, 100, **options)
    [claimed] = await claim(db, target="qbo", worker_id="w1", lease_seconds=LEASE, clock=clock)
    assert claimed.id == first.job.id
    return claimed.id


async def test_a_completed_batch_starts_the_follow_up_and_not_before(db: Database, company_id: str) -> None:
    clock = ManualClock()
    first = await _under_way(db, company_id, clock)
    follow_up = await _send(db, company_id, clock, 200)
    assert follow_up.disposition == "follow_up_queued"
    # While the first runs, no worker may take the follow-up.
    assert await claim(db, target="qbo", worker_id="w2", lease_seconds=LEASE, clock=clock) == []

    [job] = await _claimed_again(db, first)
    accepted = await complete_many(db, "w1", [(job, JobOutcome.succeeded())], clock=clock)

    assert accepted == {first}
    [taken] = await claim(db, target="qbo", worker_id="w2", lease_seconds=LEASE, clock=clock)
    assert taken.id == follow_up.job.id and taken.payload == _body(200)
    events = [entry.event for entry in await audit_events(db, follow_up.job.id)]
    assert events[:2] == ["job.follow_up_queued", "job.follow_up_started"]


async def _claimed_again(db: Database, job_id: uuid.UUID) -> list[ClaimedJob]:
    """The claim as the worker holding it knows it."""
    job = await load_job(db, job_id)
    assert job.lease_owner is not None and job.lease_expires_at is not None
    return [
        ClaimedJob(
            id=job.id,
            company_id=job.company_id,
            order_number=job.order_number,
            target=job.target,
            payload=job.payload,
            requested_by=job.requested_by,
            attempt=job.attempts,
            max_attempts=job.max_attempts,
            worker_id=job.lease_owner,
            lease_expires_at=job.lease_expires_at,
        )
    ]


async def test_a_send_given_up_after_a_lost_worker_starts_the_follow_up(
    db: Database, company_id: str
) -> None:
    clock = ManualClock()
    first = await _under_way(db, company_id, clock, max_attempts=1)
    follow_up = await _send(db, company_id, clock, 200)

    clock.advance(LEASE + 1)
    assert await rescue_expired(db, clock=clock) == 1

    assert (await load_job(db, first)).status == JobStatus.FAILED
    assert (await load_job(db, follow_up.job.id)).status == JobStatus.QUEUED


async def test_cancelling_a_send_that_waits_to_try_again_starts_the_follow_up(
    db: Database, company_id: str
) -> None:
    clock = ManualClock()
    first = await _under_way(db, company_id, clock)
    [job] = await _claimed_again(db, first)
    backoff = BackoffPolicy(base_seconds=600.0, max_seconds=600.0)
    await complete_many(
        db, "w1", [(job, JobOutcome.retry("QuickBooks is busy"))], clock=clock, backoff=backoff
    )
    # Queued again but already attempted: a changed re-send follows it rather than replacing it.
    follow_up = await _send(db, company_id, clock, 200)
    assert follow_up.disposition == "follow_up_queued"

    async with db.transaction() as session:
        await cancel(session, company_id, first, "u1", clock=clock)

    assert (await load_job(db, follow_up.job.id)).status == JobStatus.QUEUED
