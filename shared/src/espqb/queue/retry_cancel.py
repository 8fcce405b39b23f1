"""The two buttons a person has on a send: "Send again" (retry) and "Cancel".

Both act inside the caller's transaction (they only flush) and are audited with the person's id.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models.jobs import JobStatus, SendJob
from espqb.queue.audit_trail import write_audit
from espqb.queue.clock import Clock, utcnow
from espqb.queue.errors import ActiveJobExists, JobAlreadyRunning, JobNotCancellable, JobNotRetryable
from espqb.queue.job_lookup import is_active, job_for_update
from espqb.queue.labels import status_label
from espqb.queue.notify import notify_jobs_ready
from espqb.queue.transitions import (
    apply,
    cancelled,
    cancelled_audit,
    release_follow_ups,
    sent_again,
    sent_again_audit,
)

RETRYABLE_STATUSES = (JobStatus.FAILED, JobStatus.PARTIALLY_SUCCEEDED, JobStatus.CANCELLED)
CANCELLABLE_STATUSES = (
    JobStatus.QUEUED,
    JobStatus.HELD,
    JobStatus.WAITING_FOR_WEB_CONNECTOR,
    JobStatus.WAITING_FOR_PREVIOUS_SEND,
)


async def retry(
    session: AsyncSession, company_id: str, job_id: uuid.UUID, actor: str, *, clock: Clock = utcnow
) -> SendJob:
    """Send a failed, partly sent or cancelled job again, with a fresh set of attempts. The payload
    is the one first received; steps already done stay recorded for the sender to skip."""
    job = await job_for_update(session, company_id, job_id)
    if job.status not in RETRYABLE_STATUSES:
        raise JobNotRetryable(
            f"This send is {status_label(job.status).lower()}; only failed, partly sent or cancelled "
            "sends can be sent again."
        )
    # Read before the SAVEPOINT: rolling it back expires the object's attributes.
    previous_status, previous_error = job.status, job.last_error
    order_number, target = job.order_number, job.target
    now = clock()
    try:
        # The job becomes active again, which the partial unique index refuses if the order was
        # sent anew meanwhile; the SAVEPOINT keeps the caller's transaction usable to say so.
        async with session.begin_nested():
            apply(job, sent_again(target, now))
    except IntegrityError:
        active = await _active_job_id(session, company_id, order_number, target)
        raise ActiveJobExists(
            f"Order {order_number} is already being sent again"
            + (f" (send {active})" if active else "")
            + "; wait for that send to finish."
        ) from None
    await write_audit(
        session,
        [
            sent_again_audit(
                job, actor=actor, now=now, previous_status=previous_status, previous_error=previous_error
            )
        ],
    )
    if job.status == JobStatus.QUEUED:
        await notify_jobs_ready(session, job.target)
    return job


async def cancel(
    session: AsyncSession, company_id: str, job_id: uuid.UUID, actor: str, *, clock: Clock = utcnow
) -> SendJob:
    """Cancel a send that has not started. A running send cannot be stopped halfway: QuickBooks may
    already hold some of its documents."""
    job = await job_for_update(session, company_id, job_id)
    if job.status == JobStatus.RUNNING:
        raise JobAlreadyRunning(
            "This order is being sent to QuickBooks right now, so it can no longer be cancelled."
        )
    if job.status not in CANCELLABLE_STATUSES:
        raise JobNotCancellable(
            f"This send has already finished ({status_label(job.status).lower()}); there is nothing to cancel."
        )
    previous_status = job.status
    now = clock()
    apply(job, cancelled(now))
    await session.flush()
    await release_follow_ups(session, [(company_id, job.order_number, job.target)], now=now, actor=actor)
    await write_audit(session, [cancelled_audit(job, actor=actor, now=now, previous_status=previous_status)])
    await session.flush()
    return job


async def _active_job_id(
    session: AsyncSession, company_id: str, order_number: str, target: str
) -> uuid.UUID | None:
    return (
        await session.execute(
            select(SendJob.id).where(
                SendJob.company_id == company_id,
                SendJob.order_number == order_number,
                SendJob.target == target,
                is_active(),
            )
        )
    ).scalar_one_or_none()
