"""Enqueueing a send: one job per Idempotency-Key, one active job per (company, order, target)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

import espqb.queue.enqueue as enqueue_module
from espqb.db import Database
from espqb.db.models import JobStatus, SendJob
from espqb.queue import IdempotencyKeyReused, enqueue_send
from tests.queue.queue_support import audit_events, count_jobs


async def _send(
    db: Database, company_id: str, payload: dict[str, Any], **kwargs: Any
) -> tuple[SendJob, bool]:
    options: dict[str, Any] = {"order_number": "A7102", "target": "qbo", "requested_by": "u1"}
    options.update(kwargs)
    async with db.transaction() as session:
        result = await enqueue_send(session, company_id=company_id, payload=payload, **options)
    return result.job, result.created


async def test_the_same_send_posted_twice_with_one_key_yields_one_job(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    first, created_first = await _send(db, company_id, payload, idempotency_key="key-1")
    second, created_second = await _send(
        db, company_id, dict(reversed(payload.items())), idempotency_key="key-1"
    )
    assert (created_first, created_second) == (True, False)
    assert second.id == first.id
    assert await count_jobs(db) == 1
    assert [entry.event for entry in await audit_events(db, first.id)] == ["job.enqueued"]


async def test_a_key_still_returns_its_job_after_the_job_finished(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    first, _ = await _send(db, company_id, payload, idempotency_key="key-1")
    async with db.transaction() as session:
        job = await session.get(SendJob, first.id)
        assert job is not None
        job.status = JobStatus.SUCCEEDED
    again, created = await _send(db, company_id, payload, idempotency_key="key-1")
    assert again.id == first.id and not created
    assert again.status == JobStatus.SUCCEEDED


async def test_reusing_a_key_for_a_different_send_is_refused(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    await _send(db, company_id, payload, idempotency_key="key-1")
    with pytest.raises(IdempotencyKeyReused) as refused:
        await _send(db, company_id, {**payload, "send_invoice": False}, idempotency_key="key-1")
    assert refused.value.status == 409
    with pytest.raises(IdempotencyKeyReused):
        await _send(db, company_id, payload, idempotency_key="key-1", order_number="A7103")
    assert await count_jobs(db) == 1


async def test_sending_an_order_whose_job_is_active_returns_that_job(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    first, _ = await _send(db, company_id, payload, idempotency_key="key-1")
    second, created = await _send(db, company_id, payload, idempotency_key="key-2")
    assert second.id == first.id and not created
    other_target, created_other = await _send(db, company_id, payload, target="qbd")
    assert created_other and other_target.id != first.id


async def test_an_order_can_be_sent_again_once_its_job_finished(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    first, _ = await _send(db, company_id, payload)
    async with db.transaction() as session:
        job = await session.get(SendJob, first.id)
        assert job is not None
        job.status = JobStatus.FAILED
    second, created = await _send(db, company_id, payload)
    assert created and second.id != first.id
    assert await count_jobs(db) == 2


async def test_a_rolled_back_request_leaves_no_job(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await enqueue_send(
                session,
                company_id=company_id,
                order_number="A7102",
                target="qbo",
                payload=payload,
                requested_by="u1",
            )
            raise RuntimeError("the request failed after enqueueing")
    assert await count_jobs(db) == 0


async def test_concurrent_sends_of_one_order_end_with_one_job(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    # The first transaction has inserted but not committed when the second one starts.
    first_inserted = asyncio.Event()
    release_first = asyncio.Event()

    async def first() -> SendJob:
        async with db.transaction() as session:
            result = await enqueue_send(
                session,
                company_id=company_id,
                order_number="A7102",
                target="qbo",
                payload=payload,
                requested_by="u1",
            )
            first_inserted.set()
            await release_first.wait()
            return result.job

    async def second() -> tuple[SendJob, bool]:
        await first_inserted.wait()
        return await _send(db, company_id, payload, idempotency_key="other-key")

    first_task = asyncio.create_task(first())
    second_task = asyncio.create_task(second())
    await first_inserted.wait()
    await asyncio.sleep(0.3)  # let the second request reach the database and block on the first
    assert not second_task.done()
    release_first.set()
    winner = await first_task
    loser, created = await second_task
    assert loser.id == winner.id and not created
    assert await count_jobs(db) == 1


async def test_many_concurrent_sends_with_one_key_yield_one_job(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    results = await asyncio.gather(
        *(_send(db, company_id, payload, idempotency_key="same") for _ in range(8))
    )
    assert len({job.id for job, _ in results}) == 1
    assert sum(created for _, created in results) == 1


async def test_a_lost_insert_race_keeps_the_request_transaction_usable(
    db: Database, company_id: str, payload: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The winner's row is invisible to our first look (as under a real race); the collision is
    caught inside a SAVEPOINT and the request's transaction goes on to commit its other work."""
    winner, _ = await _send(db, company_id, payload)
    real_lookup = enqueue_module._existing_job
    looks = 0

    async def lookup_missing_the_winner_once(*args: Any) -> SendJob | None:
        nonlocal looks
        looks += 1
        return None if looks == 1 else await real_lookup(*args)

    monkeypatch.setattr(enqueue_module, "_existing_job", lookup_missing_the_winner_once)
    async with db.transaction() as session:
        result = await enqueue_send(
            session,
            company_id=company_id,
            order_number="A7102",
            target="qbo",
            payload=payload,
            requested_by="u2",
        )
        other = await enqueue_send(
            session,
            company_id=company_id,
            order_number="A7200",
            target="qbo",
            payload=payload,
            requested_by="u2",
        )
    assert result.job.id == winner.id and not result.created
    assert other.created
    assert await count_jobs(db) == 2


async def test_an_unknown_company_is_an_error_not_a_race(db: Database, payload: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError):
        await _send(db, "no-such-company", payload)


async def test_a_desktop_send_can_start_waiting_for_the_web_connector(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    job, _ = await _send(
        db, company_id, payload, target="qbd", initial_status=JobStatus.WAITING_FOR_WEB_CONNECTOR
    )
    assert job.status == JobStatus.WAITING_FOR_WEB_CONNECTOR
    with pytest.raises(ValueError):
        await _send(db, company_id, payload, order_number="X", initial_status=JobStatus.RUNNING)
