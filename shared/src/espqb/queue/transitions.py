"""The home of a send job's transitions: where a job goes, the columns that say so, its audit entry,
and what follows when it has finished.

Both gateways move jobs through here. QuickBooks Online workers hold leases (``espqb.queue.leases``:
batched Core statements, fenced by the attempt number); the Web Connector road works on the job
loaded in its session (qbwc-gateway's ``session.job_lifecycle``: ``take``, ``adopt``,
``end_attempt``); people and connections retry, cancel, hold and release (``retry_cancel``,
``holds``). Each of them takes from here:

* the rule: ``after_attempt`` decides where an attempt's outcome sends a job (pure, so every
  branch is unit-tested), ``rescued`` where a job whose worker vanished goes;
* the columns of each transition (``attempt_started``, ``lease_kept``, ``attempt_ended``,
  ``held``, ``released``, ``sent_again``, ``cancelled``), as values a Core ``UPDATE`` and a loaded
  job (``apply``) both take;
* its audit entry (``ended_audit``, ``rescued_audit``, ``held_audit`` …);
* what follows a job that has finished or gone back to the queue (``after_ended``): its order's
  follow-up send starts (``release_follow_ups``), idle workers are woken.

Follow-up sends: a re-send of an order whose send is already under way waits behind it
(``waiting_for_previous_send``) and starts when that send has finished, so two sends of one order
never run at the same time and the latest one is what QuickBooks shows in the end. Whoever ends a
job (a worker's completion, a rescue that gives up, the Web Connector finishing a Desktop job, a
cancel) releases its follow-up in the same transaction. The job's own row is locked by then, and a
re-send that adds a follow-up locks that row first (``espqb.queue.resend``), so a follow-up is never
left behind a job that has already finished.

The worker's claim stays one ``UPDATE … RETURNING`` statement (``leases.claim``, the fast path
``bench/queue.py`` measures); its columns are ``attempt_started``'s.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, case, exists, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from espqb.db.models.jobs import ACTIVE_JOB_STATUSES, JobStatus, SendJob
from espqb.queue.audit_trail import WORKER_ACTOR, audit_row, write_audit
from espqb.queue.backoff import BackoffPolicy
from espqb.queue.job_lookup import is_follow_up
from espqb.queue.notify import notify_jobs_ready
from espqb.queue.types import JobOutcome, OutcomeKind

Values = dict[str, Any]
"""Column name → value (or SQL expression) of a ``send_jobs`` row."""

Executor = AsyncSession | AsyncConnection

_jobs = cast(Table, SendJob.__table__)

FINISHED_STATUSES = frozenset(
    {JobStatus.SUCCEEDED, JobStatus.PARTIALLY_SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}
)

# --------------------------------------------------------------------------- where a ready job waits

# QBO jobs wait for a worker; QuickBooks Desktop jobs for the next Web Connector session (the Web
# Connector pulls; nobody pushes to it).
READY_STATUS_BY_TARGET = {"qbo": JobStatus.QUEUED, "qbd": JobStatus.WAITING_FOR_WEB_CONNECTOR}


def ready_status(target: str) -> JobStatus:
    return READY_STATUS_BY_TARGET.get(target, JobStatus.QUEUED)


# --------------------------------------------------------------------------- the rules


@dataclass(frozen=True)
class Transition:
    status: JobStatus
    run_after: datetime | None  # set when the job goes back to the queue
    finished_at: datetime | None  # set when the job reaches a final status
    last_error: str | None
    hold_reason: str | None
    warnings: list[str] | None  # None: leave the job's warnings as they are
    audit_event: str
    audit_message: str


def after_attempt(
    *,
    attempt: int,
    max_attempts: int,
    outcome: JobOutcome,
    now: datetime,
    backoff: BackoffPolicy,
    target: str,
) -> Transition:
    """Where a job of `target` goes after attempt number `attempt` (1-based) ended with `outcome`;
    a retry waits where a ready job of its target waits (``ready_status``)."""
    kind = outcome.kind
    if kind is OutcomeKind.SUCCEEDED:
        return Transition(
            JobStatus.SUCCEEDED,
            None,
            now,
            None,
            None,
            list(outcome.warnings),
            "job.succeeded",
            outcome.summary or "Sent to QuickBooks",
        )
    if kind is OutcomeKind.PARTIALLY_SUCCEEDED:
        return Transition(
            JobStatus.PARTIALLY_SUCCEEDED,
            None,
            now,
            outcome.error,
            None,
            list(outcome.warnings),
            "job.partially_succeeded",
            outcome.error or "Some documents could not be written",
        )
    if kind is OutcomeKind.HOLD:
        return Transition(
            JobStatus.HELD, None, None, None, outcome.error, None, "job.held", outcome.error or "On hold"
        )
    if kind is OutcomeKind.FAILED:
        return Transition(
            JobStatus.FAILED, None, now, outcome.error, None, None, "job.failed", outcome.error or "Failed"
        )
    # Retryable: back to the queue with a backoff, until the attempts are used up; the terminal
    # failure keeps the payload untouched and the last error, so a person can read it and retry.
    if attempt >= max_attempts:
        return Transition(
            JobStatus.FAILED,
            None,
            now,
            outcome.error,
            None,
            None,
            "job.failed",
            f"Gave up after {attempt} attempts: {outcome.error}",
        )
    delay = outcome.retry_in if outcome.retry_in is not None else backoff.delay(attempt)
    delay = max(delay, timedelta(0))
    return Transition(
        ready_status(target),
        now + delay,
        None,
        outcome.error,
        None,
        None,
        "job.retry_scheduled",
        f"Attempt {attempt} of {max_attempts} failed: {outcome.error}. "
        f"Trying again in {_plain_duration(delay)}.",
    )


def _plain_duration(delay: timedelta) -> str:
    seconds = round(delay.total_seconds())
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


RESCUED_MESSAGE = (
    "The worker sending this order stopped responding before it finished; the send will be tried again."
)
GAVE_UP_AFTER_RESCUE = "The worker sending this order stopped responding, and no attempts are left."


def rescued(*, attempt: int, max_attempts: int) -> JobStatus:
    """A running job whose lease expired goes back to the queue at once (the lease wait already
    spaced the retry out), or fails when its attempts are used up."""
    return JobStatus.FAILED if attempt >= max_attempts else JobStatus.QUEUED


# --------------------------------------------------------------------------- the columns


def attempt_started(*, owner: str, now: datetime, expires: datetime) -> Values:
    """An attempt starts: running, leased to `owner` until `expires`. The caller adds the attempt
    (``attempts + 1``: a SQL expression in a statement, a number on a loaded job)."""
    return {
        "status": JobStatus.RUNNING,
        "lease_owner": owner,
        "lease_expires_at": expires,
        "heartbeat_at": now,
        "started_at": now,  # when the current attempt started
        "updated_at": now,
    }


def lease_kept(*, now: datetime, expires: datetime, owner: str | None = None) -> Values:
    """A lease extended (a heartbeat), or handed to `owner` (a session continuing an interrupted one's
    job): no new attempt."""
    values: Values = {} if owner is None else {"lease_owner": owner}
    values.update(lease_expires_at=expires, heartbeat_at=now, updated_at=now)
    return values


def attempt_ended(transition: Transition, now: datetime) -> Values:
    """The attempt is over: the transition's status, error and warnings; the lease is let go."""
    values: Values = {
        "status": transition.status,
        "finished_at": transition.finished_at,
        "last_error": transition.last_error,
        "hold_reason": transition.hold_reason,
        "lease_owner": None,
        "lease_expires_at": None,
        "updated_at": now,
    }
    if transition.run_after is not None:
        values["run_after"] = transition.run_after
    if transition.warnings is not None:
        values["warnings"] = transition.warnings
    return values


def rescued_values(status: JobStatus, now: datetime) -> Values:
    """The columns of a rescue that ended in `status` (``rescued``)."""
    common: Values = {"lease_owner": None, "lease_expires_at": None, "updated_at": now}
    if status is JobStatus.FAILED:
        return {"status": status, "finished_at": now, "last_error": GAVE_UP_AFTER_RESCUE, **common}
    return {"status": status, "run_after": now, "last_error": RESCUED_MESSAGE, **common}


def held(reason: str, now: datetime) -> Values:
    return {"status": JobStatus.HELD, "hold_reason": reason, "updated_at": now}


def released(target: str, now: datetime) -> Values:
    return {"status": ready_status(target), "hold_reason": None, "run_after": now, "updated_at": now}


def sent_again(target: str, now: datetime) -> Values:
    """A person sends a finished job again: ready, with a fresh set of attempts."""
    return {
        "status": ready_status(target),
        "attempts": 0,
        "run_after": now,
        "last_error": None,
        "hold_reason": None,
        "finished_at": None,
        "lease_owner": None,
        "lease_expires_at": None,
        "updated_at": now,
    }


def cancelled(now: datetime) -> Values:
    return {"status": JobStatus.CANCELLED, "finished_at": now, "hold_reason": None, "updated_at": now}


def apply(job: SendJob, values: Mapping[str, Any]) -> None:
    """Write a transition's columns on a job loaded in the caller's session (flushed with it)."""
    for name, value in values.items():
        setattr(job, name, value)


# --------------------------------------------------------------------------- the audit entries


@dataclass(frozen=True)
class Ended:
    """An attempt that ended, as its audit entry and what follows it need it."""

    company_id: str
    job_id: uuid.UUID
    order_number: str
    target: str
    attempt: int
    transition: Transition


def ended_audit(
    ended: Ended, *, now: datetime, actor: str, holder: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The attempt's entry; `holder` names who held the lease (a worker's id) in its detail. A
    retry a worker will pick up says when."""
    transition = ended.transition
    detail: dict[str, Any] = {"attempt": ended.attempt, **(holder or {}), "status": str(transition.status)}
    if transition.status is JobStatus.QUEUED and transition.run_after is not None:
        detail["run_after"] = transition.run_after.isoformat()
    return audit_row(
        company_id=ended.company_id,
        job_id=ended.job_id,
        at=now,
        actor=actor,
        event=transition.audit_event,
        message=transition.audit_message,
        detail=detail,
    )


def rescued_audit(
    *,
    company_id: str,
    job_id: uuid.UUID,
    attempt: int,
    lost_owner: str | None,
    status: JobStatus,
    now: datetime,
) -> dict[str, Any]:
    return audit_row(
        company_id=company_id,
        job_id=job_id,
        at=now,
        actor=WORKER_ACTOR,
        event="job.rescued",
        message=GAVE_UP_AFTER_RESCUE if status is JobStatus.FAILED else RESCUED_MESSAGE,
        detail={"attempt": attempt, "lost_worker_id": lost_owner, "status": str(status)},
    )


def held_audit(
    *, company_id: str, job_id: uuid.UUID, reason: str, actor: str, now: datetime
) -> dict[str, Any]:
    return audit_row(
        company_id=company_id, job_id=job_id, at=now, actor=actor, event="job.held", message=reason
    )


def released_audit(*, company_id: str, job_id: uuid.UUID, actor: str, now: datetime) -> dict[str, Any]:
    return audit_row(
        company_id=company_id,
        job_id=job_id,
        at=now,
        actor=actor,
        event="job.released",
        message="QuickBooks reconnected; the send continues",
    )


def sent_again_audit(
    job: SendJob, *, actor: str, now: datetime, previous_status: str, previous_error: str | None
) -> dict[str, Any]:
    return audit_row(
        company_id=job.company_id,
        job_id=job.id,
        at=now,
        actor=actor,
        event="job.retried",
        message=f"Sent again by {actor}",
        detail={"previous_status": str(previous_status), "previous_error": previous_error},
    )


def cancelled_audit(job: SendJob, *, actor: str, now: datetime, previous_status: str) -> dict[str, Any]:
    return audit_row(
        company_id=job.company_id,
        job_id=job.id,
        at=now,
        actor=actor,
        event="job.cancelled",
        message=f"Cancelled by {actor}",
        detail={"previous_status": str(previous_status)},
    )


# --------------------------------------------------------------------------- what follows


async def after_ended(
    executor: Executor,
    ended: Sequence[Ended],
    *,
    now: datetime,
    actor: str,
    holder: Mapping[str, str] | None = None,
) -> None:
    """Once the ended attempts' columns are written: their audit entries; the follow-up send of each
    order whose job finished starts; workers are woken for retries that are due now."""
    await write_audit(executor, [ended_audit(e, now=now, actor=actor, holder=holder) for e in ended])
    await release_follow_ups(
        executor,
        [(e.company_id, e.order_number, e.target) for e in ended if e.transition.status in FINISHED_STATUSES],
        now=now,
        actor=actor,
    )
    due_now = {
        e.target
        for e in ended
        if e.transition.status is JobStatus.QUEUED
        and e.transition.run_after is not None
        and e.transition.run_after <= now
    }
    for target in sorted(due_now):
        await notify_jobs_ready(executor, target)


async def release_follow_ups(
    executor: Executor,
    orders: Iterable[tuple[str, str, str]],
    *,
    now: datetime,
    actor: str,
) -> int:
    """Start the follow-up of each (company, order, target) whose send just finished, in one
    statement: it waits where a ready job of its target waits. Returns how many were started; call
    it after the finished jobs' status is written."""
    keys = sorted(set(orders))
    if not keys:
        return 0
    active = _jobs.alias("active")
    still_running = exists(
        select(active.c.id).where(
            active.c.company_id == _jobs.c.company_id,
            active.c.order_number == _jobs.c.order_number,
            active.c.target == _jobs.c.target,
            active.c.status.in_([str(status) for status in ACTIVE_JOB_STATUSES]),
        )
    )
    ready = case(
        *((_jobs.c.target == target, str(status)) for target, status in READY_STATUS_BY_TARGET.items()),
        else_=str(JobStatus.QUEUED),
    )
    statement = (
        update(_jobs)
        .where(
            is_follow_up(),
            tuple_(_jobs.c.company_id, _jobs.c.order_number, _jobs.c.target).in_(keys),
            ~still_running,
        )
        .values(status=ready, run_after=now, updated_at=now)
        .returning(_jobs.c.id, _jobs.c.company_id, _jobs.c.order_number, _jobs.c.target)
    )
    started = (await executor.execute(statement)).all()
    if not started:
        return 0
    await write_audit(
        executor,
        [
            audit_row(
                company_id=row.company_id,
                job_id=row.id,
                at=now,
                actor=actor,
                event="job.follow_up_started",
                message=f"The earlier send of order {row.order_number} finished: this re-send starts now",
                detail={"order_number": row.order_number},
            )
            for row in started
        ],
    )
    for target in sorted({row.target for row in started if ready_status(row.target) is JobStatus.QUEUED}):
        await notify_jobs_ready(executor, target)
    return len(started)


# --------------------------------------------------------------------------- a job loaded in a session
# The Web Connector road: a session puts a job's requests in a message set (``take``), continues an
# interrupted session's job (``adopt``) and ends the attempt when every document is settled
# (``end_attempt``), all in the SOAP callback's transaction.


async def take(
    session: AsyncSession, job: SendJob, *, owner: str, now: datetime, expires: datetime, actor: str
) -> None:
    """A Desktop job handed to the Web Connector: running, one more attempt."""
    apply(
        job, {**attempt_started(owner=owner, now=now, expires=expires), "attempts": (job.attempts or 0) + 1}
    )
    await write_audit(
        session,
        [
            audit_row(
                company_id=job.company_id,
                job_id=job.id,
                at=now,
                actor=actor,
                event="job.sending",
                message=f"Order {job.order_number} handed to the Web Connector (attempt {job.attempts})",
                detail={"attempt": job.attempts},
            )
        ],
    )


def adopt(job: SendJob, *, owner: str, now: datetime, expires: datetime) -> None:
    """A job a previous, interrupted session had taken continues under `owner` (no new attempt)."""
    apply(job, lease_kept(now=now, expires=expires, owner=owner))


async def end_attempt(
    session: AsyncSession,
    job: SendJob,
    outcome: JobOutcome,
    *,
    now: datetime,
    actor: str,
    backoff: BackoffPolicy,
) -> Transition:
    """Record how the attempt of `job` ended (``after_attempt``), with its audit entry and what follows."""
    transition = after_attempt(
        attempt=max(job.attempts or 1, 1),
        max_attempts=job.max_attempts,
        outcome=outcome,
        now=now,
        backoff=backoff,
        target=job.target,
    )
    apply(job, attempt_ended(transition, now))
    await session.flush()  # the follow-up release below reads the finished status
    ended = Ended(job.company_id, job.id, job.order_number, job.target, job.attempts, transition)
    await after_ended(session, [ended], now=now, actor=actor)
    return transition
