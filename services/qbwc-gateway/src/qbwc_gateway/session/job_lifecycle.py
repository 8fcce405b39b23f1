"""A Desktop send job's life in Web Connector sessions.

Desktop jobs wait for the Web Connector (``waiting_for_web_connector``); a session takes one when
it puts the job's requests in a message set (``running``, one more attempt), and finishes it when
every document is settled. What a retry means differs from QuickBooks Online: nothing pushes to the
Web Connector, so a job to try again goes back to waiting for the next session rather than into a
worker's queue (``espqb.queue.transitions.ready_status``). The columns, audit entries and follow-ups
of each step are the shared queue's (``espqb.queue.transitions``); this module adds the Web
Connector's lease owner, its log lines and the metric.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStatus, SendJob
from espqb.observability.logging import job_log_context
from espqb.observability.metrics import observe_job_finished
from espqb.queue import BackoffPolicy, JobOutcome, transitions
from espqb.queue.audit_trail import audit_row

from .writes import CallbackWrites

log = structlog.get_logger(__name__)

ACTOR = "web-connector"
LEASE_PREFIX = "qbwc:"

# A retry waits for the next Web Connector session: the session cadence is the backoff, so no delay
# is added (JOB_BACKOFF_* space out the QuickBooks Online workers' retries).
NEXT_SESSION = BackoffPolicy(base_seconds=0.0, max_seconds=0.0)


def lease_owner(ticket_hash: str) -> str:
    return LEASE_PREFIX + ticket_hash[:16]


async def take(session: AsyncSession, job: SendJob, *, owner: str, now: datetime, expires: datetime) -> None:
    await transitions.take(session, job, owner=owner, now=now, expires=expires, actor=ACTOR)
    with job_log_context(job.id, job.company_id):
        log.info("desktop send handed to the web connector", attempt=job.attempts)


def take_collected(
    writes: CallbackWrites, job: SendJob, *, owner: str, now: datetime, expires: datetime
) -> None:
    """``take``, its audit entry collected in the callback's ``writes`` (the columns are set at
    once; the session writes them with the next flush)."""
    transitions.apply(
        job,
        {
            **transitions.attempt_started(owner=owner, now=now, expires=expires),
            "attempts": (job.attempts or 0) + 1,
        },
    )
    writes.audit(
        audit_row(
            company_id=job.company_id,
            job_id=job.id,
            at=now,
            actor=ACTOR,
            event="job.sending",
            message=f"Order {job.order_number} handed to the Web Connector (attempt {job.attempts})",
            detail={"attempt": job.attempts},
        )
    )
    with job_log_context(job.id, job.company_id):
        log.info("desktop send handed to the web connector", attempt=job.attempts)


def adopt(job: SendJob, *, owner: str, now: datetime, expires: datetime) -> None:
    """A job a previous, interrupted session had taken continues in this one (no new attempt)."""
    transitions.adopt(job, owner=owner, now=now, expires=expires)


async def finish(
    session: AsyncSession,
    job: SendJob,
    outcome: JobOutcome,
    *,
    now: datetime,
    writes: CallbackWrites | None = None,
) -> JobStatus:
    """Record how the attempt ended; a retry waits for the next Web Connector session. With
    ``writes``, the job's columns are set at once and its audit entry and follow-up wait for the
    callback's flush, together with the other jobs'."""
    if writes is None:
        transition = await transitions.end_attempt(
            session, job, outcome, now=now, actor=ACTOR, backoff=NEXT_SESSION
        )
    else:
        transition = transitions.after_attempt(
            attempt=max(job.attempts or 1, 1),
            max_attempts=job.max_attempts,
            outcome=outcome,
            now=now,
            backoff=NEXT_SESSION,
            target=job.target,
        )
        transitions.apply(job, transitions.attempt_ended(transition, now))
        writes.ended(
            transitions.Ended(job.company_id, job.id, job.order_number, job.target, job.attempts, transition)
        )
    status = transition.status
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
