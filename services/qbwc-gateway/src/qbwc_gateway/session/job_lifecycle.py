"""A Desktop send job's life in Web Connector sessions.

Desktop jobs wait for the Web Connector (``waiting_for_web_connector``); a session takes one when
it puts the job's requests in a message set (``running``, one more attempt), and finishes it when
every document is settled. What a retry means differs from QuickBooks Online: nothing pushes to the
Web Connector, so a job to try again goes back to waiting for the next session rather than into a
worker's queue (``espqb.queue.retry_cancel.ready_status``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStatus, SendJob
from espqb.observability.logging import job_log_context
from espqb.observability.metrics import observe_job_finished
from espqb.queue import BackoffPolicy, JobOutcome, ready_status
from espqb.queue.audit_trail import audit_row, write_audit
from espqb.queue.follow_ups import FINISHED_STATUSES, release_follow_ups
from espqb.queue.transitions import after_attempt

log = structlog.get_logger(__name__)

ACTOR = "web-connector"
LEASE_PREFIX = "qbwc:"


def lease_owner(ticket_hash: str) -> str:
    return LEASE_PREFIX + ticket_hash[:16]


async def take(session: AsyncSession, job: SendJob, *, owner: str, now: datetime, expires: datetime) -> None:
    job.status = JobStatus.RUNNING
    job.attempts = (job.attempts or 0) + 1
    job.lease_owner = owner
    job.lease_expires_at = expires
    job.started_at = now
    job.heartbeat_at = now
    job.updated_at = now
    await write_audit(
        session,
        [
            audit_row(
                company_id=job.company_id,
                job_id=job.id,
                at=now,
                actor=ACTOR,
                event="job.sending",
                message=f"Order {job.order_number} handed to the Web Connector (attempt {job.attempts})",
                detail={"attempt": job.attempts},
            )
        ],
    )
    with job_log_context(job.id, job.company_id):
        log.info("desktop send handed to the web connector", attempt=job.attempts)


def adopt(job: SendJob, *, owner: str, now: datetime, expires: datetime) -> None:
    """A job a previous, interrupted session had taken continues in this one (no new attempt)."""
    job.lease_owner = owner
    job.lease_expires_at = expires
    job.heartbeat_at = now
    job.updated_at = now


async def finish(session: AsyncSession, job: SendJob, outcome: JobOutcome, *, now: datetime) -> JobStatus:
    """Record how the attempt ended; a retry waits for the next Web Connector session."""
    transition = after_attempt(
        attempt=max(job.attempts or 1, 1),
        max_attempts=job.max_attempts,
        outcome=outcome,
        now=now,
        backoff=BackoffPolicy.from_settings(),
    )
    status = transition.status
    if status is JobStatus.QUEUED:
        status = ready_status(job.target)
    job.status = status
    if transition.run_after is not None:
        job.run_after = transition.run_after
    job.finished_at = transition.finished_at
    job.last_error = transition.last_error
    job.hold_reason = transition.hold_reason
    if transition.warnings is not None:
        job.warnings = transition.warnings
    job.lease_owner = None
    job.lease_expires_at = None
    job.updated_at = now
    if status in FINISHED_STATUSES:
        # A re-send that waited behind this one starts now (it goes in a later message set).
        await session.flush()
        await release_follow_ups(
            session, [(job.company_id, job.order_number, job.target)], now=now, actor=ACTOR
        )
    await write_audit(
        session,
        [
            audit_row(
                company_id=job.company_id,
                job_id=job.id,
                at=now,
                actor=ACTOR,
                event=transition.audit_event,
                message=transition.audit_message,
                detail={"attempt": job.attempts, "status": str(status)},
            )
        ],
    )
    # Counted when recorded: the callback's transaction commits before the Web Connector hears back.
    observe_job_finished(
        target=job.target,
        status=status,
        enqueued_at=job.created_at,
        finished_at=now,
    )
    with job_log_context(job.id, job.company_id):
        log.info("desktop send attempt ended", status=str(status), attempt=job.attempts, error=job.last_error)
    return status


def retry_next_session(reason: str) -> JobOutcome:
    # The session cadence is the backoff: the next update comes minutes later anyway.
    return JobOutcome.retry(reason, after=timedelta(0))
