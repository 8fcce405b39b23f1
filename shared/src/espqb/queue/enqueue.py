"""Putting a send on the queue, inside the caller's transaction (the JSON API's request).

At most one job exists per Idempotency-Key, and at most one *active* job per (company, order,
target): the table's unique constraint and partial unique index guarantee it. This module turns a
collision into "here is the job you already have" (the same request again) or, for another body,
lets the latest send win (``espqb.queue.resend``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.config import DEFAULT_JOB_MAX_ATTEMPTS
from espqb.db.models.jobs import JobStatus, SendJob
from espqb.queue.audit_trail import audit_row, write_audit
from espqb.queue.clock import Clock, utcnow
from espqb.queue.errors import EnqueueConflict, IdempotencyKeyReused
from espqb.queue.job_lookup import is_active
from espqb.queue.job_rows import insert_job_unless_conflict
from espqb.queue.notify import notify_jobs_ready
from espqb.queue.resend import canonical_json, latest_send_wins
from espqb.queue.types import EnqueueResult

# A send starts queued (QBO: a worker picks it up), waiting for the Web Connector (QBD: the next
# Web Connector session pulls it) or held (QBO connection already needs re-authorisation).
ENQUEUE_STATUSES = (JobStatus.QUEUED, JobStatus.WAITING_FOR_WEB_CONNECTOR, JobStatus.HELD)

# Each collision means another transaction inserted the same order or key and then, by the time we
# looked, had already let go of it again; three in a row is not a real workload.
_MAX_INSERT_TRIES = 3


async def enqueue_send(
    session: AsyncSession,
    *,
    company_id: str,
    order_number: str,
    target: str,
    payload: dict[str, Any],
    requested_by: str | None,
    idempotency_key: str | None = None,
    initial_status: JobStatus = JobStatus.QUEUED,
    max_attempts: int = DEFAULT_JOB_MAX_ATTEMPTS,
    hold_reason: str | None = None,
    clock: Clock = utcnow,
) -> EnqueueResult:
    """Queue a send of `order_number` to `target`, or return the job that already stands for it.

    - the same `idempotency_key` again → the job it created, whatever its status now; with another
      order, target or payload → `IdempotencyKeyReused`;
    - the order already has an active job for this target → that job.

    Only flushes; the caller's transaction commits (and only then are workers woken).
    """
    if initial_status not in ENQUEUE_STATUSES:
        raise ValueError(f"a send cannot start as {initial_status!r}")

    for _ in range(_MAX_INSERT_TRIES):
        now = clock()
        # A repeated key, an order that already has an active job, or losing the race to a concurrent
        # send of the same order inserts nothing; the job that stands is then looked up. On PostgreSQL
        # the insert waits for the other transaction to commit before deciding, so the lookup sees its row.
        job = await insert_job_unless_conflict(
            session,
            company_id=company_id,
            order_number=order_number,
            target=target,
            status=initial_status,
            idempotency_key=idempotency_key,
            payload=payload,
            requested_by=requested_by,
            max_attempts=max_attempts,
            now=now,
            hold_reason=hold_reason if initial_status is JobStatus.HELD else None,
        )
        if job is None:
            # The key or the order's active slot is taken. Looking only after a collision keeps the
            # common case (a new send) to one statement.
            decided = await _after_collision(
                session,
                company_id,
                order_number,
                target,
                idempotency_key,
                payload,
                requested_by,
                max_attempts,
                now,
            )
            if decided is not None:
                return decided
            continue  # the other job finished or rolled back in between: try again
        await write_audit(
            session,
            [
                audit_row(
                    company_id=company_id,
                    job_id=job.id,
                    at=now,
                    actor=requested_by or "system",
                    event="job.enqueued",
                    message=f"Order {order_number} queued for {_target_name(target)}",
                    detail={
                        "target": target,
                        "status": str(initial_status),
                        "idempotency_key": idempotency_key,
                    },
                )
            ],
        )
        if initial_status is JobStatus.QUEUED:
            await notify_jobs_ready(session, target)
        return EnqueueResult(job, created=True)
    # The order kept flipping between active and finished under us: rare enough to hand back.
    raise EnqueueConflict("This order is being sent by someone else at the same moment; please try again.")


async def _after_collision(
    session: AsyncSession,
    company_id: str,
    order_number: str,
    target: str,
    idempotency_key: str | None,
    payload: dict[str, Any],
    requested_by: str | None,
    max_attempts: int,
    now: datetime,
) -> EnqueueResult | None:
    """The same request again → its job; another body for an order being sent → the latest send
    wins (``espqb.queue.resend``); None → nothing stands any more, insert again."""
    existing = await _existing_job(session, company_id, order_number, target, idempotency_key, payload)
    if existing is None:
        return None
    if idempotency_key is not None and existing.idempotency_key == idempotency_key:
        return EnqueueResult(existing, created=False, disposition="unchanged")
    return await latest_send_wins(
        session,
        existing,
        payload=payload,
        requested_by=requested_by,
        idempotency_key=idempotency_key,
        max_attempts=max_attempts,
        now=now,
    )


async def _existing_job(
    session: AsyncSession,
    company_id: str,
    order_number: str,
    target: str,
    idempotency_key: str | None,
    payload: dict[str, Any],
) -> SendJob | None:
    """The job of this Idempotency-Key, else the order's active job."""
    same_order_active = and_(
        SendJob.order_number == order_number,
        SendJob.target == target,
        is_active(),
    )
    matches = [same_order_active]
    if idempotency_key is not None:
        matches.append(SendJob.idempotency_key == idempotency_key)
    rows = (
        await session.execute(
            select(SendJob)
            .where(SendJob.company_id == company_id, or_(*matches))
            .execution_options(populate_existing=True)
        )
    ).scalars()
    by_key: SendJob | None = None
    active: SendJob | None = None
    for job in rows:
        if idempotency_key is not None and job.idempotency_key == idempotency_key:
            by_key = job
        else:
            active = job
    # Stripe's rule: a key names one request; reusing it for a different request is an error.
    if by_key is not None and not _same_request(by_key, order_number, target, payload):
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different send "
            f"(order {by_key.order_number} to {_target_name(by_key.target)}); use a new key."
        )
    return by_key or active


def _same_request(job: SendJob, order_number: str, target: str, payload: dict[str, Any]) -> bool:
    return (
        job.order_number == order_number
        and job.target == target
        and canonical_json(job.payload) == canonical_json(payload)
    )


def _target_name(target: str) -> str:
    return {"qbo": "QuickBooks Online", "qbd": "QuickBooks Desktop"}.get(target, target)
