"""What a person can do to a send (send again, cancel) and holding sends while QBO must reconnect."""

from __future__ import annotations

import uuid

import pytest

from espqb.db import Database
from espqb.db.models import Company, JobStatus, SendJob
from espqb.queue import (
    ActiveJobExists,
    JobAlreadyRunning,
    JobNotCancellable,
    JobNotFound,
    JobNotRetryable,
    JobOutcome,
    cancel,
    claim,
    complete,
    enqueue_send,
    hold_jobs,
    release_held,
    retry,
)
from tests.queue.queue_support import ManualClock, audit_events, load_job


async def _enqueue(
    db: Database,
    company_id: str,
    order: str = "A7102",
    *,
    target: str = "qbo",
    status: JobStatus = JobStatus.QUEUED,
) -> uuid.UUID:
    async with db.transaction() as session:
        result = await enqueue_send(
            session,
            company_id=company_id,
            order_number=order,
            target=target,
            payload={"order_number": order},
            requested_by="u1",
            initial_status=status,
        )
    return result.job.id


async def _finish(db: Database, job_id: uuid.UUID, outcome: JobOutcome) -> None:
    [job] = await claim(db, target="qbo", worker_id="w1")
    assert job.id == job_id
    assert await complete(db, job_id, "w1", outcome)


async def test_a_failed_send_can_be_sent_again_with_fresh_attempts(db: Database, company_id: str) -> None:
    job_id = await _enqueue(db, company_id)
    await _finish(db, job_id, JobOutcome.failed("The customer name is already used by a vendor"))
    clock = ManualClock()
    async with db.transaction() as session:
        job = await retry(session, company_id, job_id, "admin-7", clock=clock)
        assert job.status == JobStatus.QUEUED
    stored = await load_job(db, job_id)
    assert stored.status == JobStatus.QUEUED and stored.attempts == 0
    assert stored.run_after == clock.now and stored.last_error is None and stored.finished_at is None
    entry = (await audit_events(db, job_id))[-1]
    assert (entry.event, entry.actor) == ("job.retried", "admin-7")
    assert entry.detail["previous_error"] == "The customer name is already used by a vendor"
    [again] = await claim(db, target="qbo", worker_id="w2")
    assert again.id == job_id and again.attempt == 1


@pytest.mark.parametrize(
    "outcome",
    [JobOutcome.partially_succeeded("The bill was refused"), JobOutcome.succeeded()],
    ids=["partial", "ok"],
)
async def test_retry_rules_by_status(db: Database, company_id: str, outcome: JobOutcome) -> None:
    job_id = await _enqueue(db, company_id)
    await _finish(db, job_id, outcome)
    async with db.transaction() as session:
        if outcome.kind == "succeeded":
            with pytest.raises(JobNotRetryable, match="sent to quickbooks"):
                await retry(session, company_id, job_id, "admin")
        else:
            await retry(session, company_id, job_id, "admin")
    expected = JobStatus.SUCCEEDED if outcome.kind == "succeeded" else JobStatus.QUEUED
    assert (await load_job(db, job_id)).status == expected


async def test_a_queued_send_cannot_be_retried(db: Database, company_id: str) -> None:
    job_id = await _enqueue(db, company_id)
    async with db.transaction() as session:
        with pytest.raises(JobNotRetryable):
            await retry(session, company_id, job_id, "admin")


async def test_retry_refuses_when_the_order_was_sent_anew_meanwhile(db: Database, company_id: str) -> None:
    old = await _enqueue(db, company_id)
    await _finish(db, old, JobOutcome.failed("broken"))
    new = await _enqueue(db, company_id)
    assert new != old
    async with db.transaction() as session:
        with pytest.raises(ActiveJobExists, match=str(new)):
            await retry(session, company_id, old, "admin")
    assert (await load_job(db, old)).status == JobStatus.FAILED


async def test_a_retried_desktop_send_waits_for_the_web_connector(db: Database, company_id: str) -> None:
    job_id = await _enqueue(db, company_id, target="qbd", status=JobStatus.WAITING_FOR_WEB_CONNECTOR)
    async with db.transaction() as session:
        await cancel(session, company_id, job_id, "u1")
    async with db.transaction() as session:
        job = await retry(session, company_id, job_id, "u1")
    assert job.status == JobStatus.WAITING_FOR_WEB_CONNECTOR


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.HELD, JobStatus.WAITING_FOR_WEB_CONNECTOR])
async def test_a_send_that_has_not_started_can_be_cancelled(
    db: Database, company_id: str, status: JobStatus
) -> None:
    job_id = await _enqueue(db, company_id, status=status)
    async with db.transaction() as session:
        await cancel(session, company_id, job_id, "u1")
    job = await load_job(db, job_id)
    assert job.status == JobStatus.CANCELLED and job.finished_at is not None
    assert (await audit_events(db, job_id))[-1].event == "job.cancelled"
    # A cancelled job is no longer active: the order can be sent again, and the worker skips it.
    assert await claim(db, target="qbo", worker_id="w1") == []
    assert await _enqueue(db, company_id) != job_id


async def test_a_running_send_cannot_be_cancelled(db: Database, company_id: str) -> None:
    job_id = await _enqueue(db, company_id)
    await claim(db, target="qbo", worker_id="w1")
    async with db.transaction() as session:
        with pytest.raises(JobAlreadyRunning, match="being sent"):
            await cancel(session, company_id, job_id, "u1")
    assert (await load_job(db, job_id)).status == JobStatus.RUNNING


async def test_a_finished_send_cannot_be_cancelled(db: Database, company_id: str) -> None:
    job_id = await _enqueue(db, company_id)
    await _finish(db, job_id, JobOutcome.succeeded())
    async with db.transaction() as session:
        with pytest.raises(JobNotCancellable, match="already finished"):
            await cancel(session, company_id, job_id, "u1")


async def test_another_companys_send_is_not_found(db: Database, company_id: str) -> None:
    job_id = await _enqueue(db, company_id)
    async with db.transaction() as session:
        session.add(Company(id="rival", name="Rival"))
    async with db.transaction() as session:
        with pytest.raises(JobNotFound):
            await cancel(session, "rival", job_id, "intruder")
        with pytest.raises(JobNotFound):
            await retry(session, "rival", job_id, "intruder")
    assert (await load_job(db, job_id)).status == JobStatus.QUEUED


async def test_sends_are_held_while_qbo_needs_reauthorisation_and_released_on_reconnect(
    db: Database, company_id: str
) -> None:
    queued = [await _enqueue(db, company_id, f"A{index}") for index in range(3)]
    desktop = await _enqueue(db, company_id, "D1", target="qbd", status=JobStatus.WAITING_FOR_WEB_CONNECTOR)
    [running] = await claim(db, target="qbo", worker_id="w1", limit=1)
    async with db.transaction() as session:
        held = await hold_jobs(session, company_id, "qbo", "QuickBooks Online needs re-authorisation")
    assert held == 2
    for job_id in queued:
        job = await load_job(db, job_id)
        expected = JobStatus.RUNNING if job_id == running.id else JobStatus.HELD
        assert job.status == expected
    assert (await load_job(db, desktop)).status == JobStatus.WAITING_FOR_WEB_CONNECTOR
    assert await claim(db, target="qbo", worker_id="w2", limit=10) == []
    async with db.transaction() as session:
        assert await release_held(session, company_id, "qbo") == 2
    released = await claim(db, target="qbo", worker_id="w2", limit=10)
    assert {job.id for job in released} == set(queued) - {running.id}
    some = released[0].id
    assert [entry.event for entry in await audit_events(db, some)] == [
        "job.enqueued",
        "job.held",
        "job.released",
    ]


async def test_a_held_send_keeps_its_attempts_and_payload(db: Database, company_id: str) -> None:
    job_id = await _enqueue(db, company_id)
    await _finish(db, job_id, JobOutcome.hold("QuickBooks Online needs re-authorisation"))
    job = await load_job(db, job_id)
    assert job.status == JobStatus.HELD and job.attempts == 1 and job.payload == {"order_number": "A7102"}
    async with db.transaction() as session:
        await release_held(session, company_id, "qbo")
        same = await session.get(SendJob, job_id)
        assert same is not None and same.status == JobStatus.QUEUED and same.hold_reason is None
