"""The worker side of the queue: claim ready jobs under a lease, keep the lease alive, complete the
attempt, and rescue jobs whose worker vanished.

Each function here opens its own short transaction (a worker is its own boundary). A lease is
(`lease_owner`, `attempts`): the attempt number fences it, so a worker that lost its lease — its
job was rescued and claimed again, possibly by the same worker — can neither extend nor complete
the newer attempt; its late result is ignored and logged.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from espqb.config import get_settings
from espqb.db import Database
from espqb.db.models.jobs import JobStatus, SendJob
from espqb.observability.metrics import observe_job_finished
from espqb.queue.audit_trail import WORKER_ACTOR, audit_row, write_audit
from espqb.queue.backoff import BackoffPolicy
from espqb.queue.clock import Clock, utcnow
from espqb.queue.follow_ups import FINISHED_STATUSES, release_follow_ups
from espqb.queue.notify import notify_jobs_ready
from espqb.queue.transitions import Transition, after_attempt
from espqb.queue.types import ClaimedJob, JobOutcome

log = logging.getLogger(__name__)

jobs = cast(Table, SendJob.__table__)

RESCUED_MESSAGE = (
    "The worker sending this order stopped responding before it finished; the send will be tried again."
)
GAVE_UP_AFTER_RESCUE = "The worker sending this order stopped responding, and no attempts are left."


@asynccontextmanager
async def _one_statement(db: Database) -> AsyncIterator[AsyncConnection]:
    """A connection for work that is a single statement. On PostgreSQL that statement is atomic on
    its own, so it runs in autocommit: one round trip instead of BEGIN, statement, COMMIT (this
    is most of a claim's pickup latency). SQLite keeps its BEGIN IMMEDIATE transaction."""
    if db.is_postgres:
        async with db.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn
    else:
        async with db.engine.begin() as conn:
            yield conn


def _lease_seconds(lease_seconds: float | None) -> float:
    return get_settings().job_lease_seconds if lease_seconds is None else lease_seconds


async def claim(
    db: Database,
    *,
    target: str,
    worker_id: str,
    lease_seconds: float | None = None,
    limit: int = 1,
    clock: Clock = utcnow,
) -> list[ClaimedJob]:
    """Take up to `limit` ready jobs of `target` (queued, `run_after` passed, oldest first) in ONE
    statement: they become running, leased to `worker_id`, with one more attempt counted."""
    if limit <= 0:
        return []
    now = clock()
    expires = now + timedelta(seconds=_lease_seconds(lease_seconds))
    ready = (
        select(jobs.c.id)
        .where(jobs.c.target == target, jobs.c.status == JobStatus.QUEUED, jobs.c.run_after <= now)
        .order_by(jobs.c.run_after)
        .limit(limit)
    )
    if db.is_postgres:
        # SKIP LOCKED: concurrent workers each take different rows instead of queueing behind one
        # another. A CTE with FOR UPDATE is never inlined by PostgreSQL, so the LIMIT is applied
        # exactly once.
        picked = ready.with_for_update(skip_locked=True).cte("picked")
        chosen = jobs.c.id.in_(select(picked.c.id))
    else:
        # SQLite: every transaction here starts with BEGIN IMMEDIATE (db/engine.py), so claimers
        # are serialised and the subquery sees the previous claimer's committed statuses.
        chosen = jobs.c.id.in_(ready.scalar_subquery())
    statement = (
        update(jobs)
        .where(chosen)
        .values(
            status=JobStatus.RUNNING,
            lease_owner=worker_id,
            lease_expires_at=expires,
            heartbeat_at=now,
            attempts=jobs.c.attempts + 1,
            started_at=now,  # when the current attempt started
            updated_at=now,
        )
        .returning(
            jobs.c.id,
            jobs.c.company_id,
            jobs.c.order_number,
            jobs.c.target,
            jobs.c.payload,
            jobs.c.requested_by,
            jobs.c.attempts,
            jobs.c.max_attempts,
            jobs.c.created_at,
        )
    )
    async with _one_statement(db) as conn:
        rows = (await conn.execute(statement)).all()
    return [
        ClaimedJob(
            id=row.id,
            company_id=row.company_id,
            order_number=row.order_number,
            target=row.target,
            payload=row.payload,
            requested_by=row.requested_by,
            attempt=row.attempts,
            max_attempts=row.max_attempts,
            worker_id=worker_id,
            lease_expires_at=expires,
            enqueued_at=row.created_at,
        )
        for row in rows
    ]


async def heartbeat(
    db: Database,
    job_id: uuid.UUID,
    worker_id: str,
    lease_seconds: float | None = None,
    *,
    attempt: int | None = None,
    clock: Clock = utcnow,
) -> bool:
    """Extend one lease; False when it was lost (the job was rescued, cancelled or completed)."""
    now = clock()
    condition = [jobs.c.id == job_id, jobs.c.lease_owner == worker_id, jobs.c.status == JobStatus.RUNNING]
    if attempt is not None:
        condition.append(jobs.c.attempts == attempt)
    async with _one_statement(db) as conn:
        result = await conn.execute(
            update(jobs).where(*condition).values(**_extended_lease(now, lease_seconds)).returning(jobs.c.id)
        )
        return result.first() is not None


async def heartbeat_many(
    db: Database,
    worker_id: str,
    leases: Sequence[tuple[uuid.UUID, int]],
    lease_seconds: float | None = None,
    *,
    clock: Clock = utcnow,
) -> set[uuid.UUID]:
    """Extend the leases of (job id, attempt) pairs in one statement; returns those still held."""
    if not leases:
        return set()
    now = clock()
    async with _one_statement(db) as conn:
        result = await conn.execute(
            update(jobs)
            .where(
                tuple_(jobs.c.id, jobs.c.attempts).in_(list(leases)),
                jobs.c.lease_owner == worker_id,
                jobs.c.status == JobStatus.RUNNING,
            )
            .values(**_extended_lease(now, lease_seconds))
            .returning(jobs.c.id)
        )
        return set(result.scalars())


def _extended_lease(now: datetime, lease_seconds: float | None) -> dict[str, Any]:
    # An expired lease that nobody rescued yet is still ours: extending it is safe.
    return {
        "lease_expires_at": now + timedelta(seconds=_lease_seconds(lease_seconds)),
        "heartbeat_at": now,
        "updated_at": now,
    }


async def complete(
    db: Database,
    job_id: uuid.UUID,
    worker_id: str,
    outcome: JobOutcome,
    *,
    attempt: int | None = None,
    clock: Clock = utcnow,
    backoff: BackoffPolicy | None = None,
) -> bool:
    """Record how an attempt ended. Only the lease owner may; anyone else is ignored (logged) and
    gets False. A retryable failure re-queues with backoff until `max_attempts`, then fails."""
    backoff = backoff or BackoffPolicy.from_settings()
    now = clock()
    async with db.engine.begin() as conn:
        query = select(
            jobs.c.company_id,
            jobs.c.order_number,
            jobs.c.target,
            jobs.c.attempts,
            jobs.c.max_attempts,
            jobs.c.created_at,
        ).where(jobs.c.id == job_id, jobs.c.lease_owner == worker_id, jobs.c.status == JobStatus.RUNNING)
        if attempt is not None:
            query = query.where(jobs.c.attempts == attempt)
        if db.is_postgres:
            query = query.with_for_update()
        row = (await conn.execute(query)).first()
        if row is None:
            _log_ignored(job_id, worker_id, attempt)
            return False
        transition = after_attempt(
            attempt=row.attempts, max_attempts=row.max_attempts, outcome=outcome, now=now, backoff=backoff
        )
        await conn.execute(update(jobs).where(jobs.c.id == job_id).values(**_applied(transition, now)))
        await write_audit(
            conn, [_completion_audit(row.company_id, job_id, row.attempts, worker_id, transition, now)]
        )
        if transition.status in FINISHED_STATUSES:
            order = (row.company_id, row.order_number, row.target)
            await release_follow_ups(conn, [order], now=now, actor=WORKER_ACTOR)
        if (
            transition.status is JobStatus.QUEUED
            and transition.run_after is not None
            and transition.run_after <= now
        ):
            await notify_jobs_ready(conn, row.target)
    observe_job_finished(
        target=row.target,
        status=transition.status,
        enqueued_at=row.created_at,
        finished_at=now,
    )
    return True


async def complete_many(
    db: Database,
    worker_id: str,
    completions: Sequence[tuple[ClaimedJob, JobOutcome]],
    *,
    clock: Clock = utcnow,
    backoff: BackoffPolicy | None = None,
) -> set[uuid.UUID]:
    """Complete many attempts of one worker in one transaction (what the Worker does). Each job still
    gets its own status, error and audit entry; returns the ids that were accepted."""
    if not completions:
        return set()
    backoff = backoff or BackoffPolicy.from_settings()
    now = clock()
    # The claim's attempt and max_attempts are authoritative while the lease (fenced by the
    # attempt number) is held, so the decision is made here and applied only where it still holds.
    decided = [
        (
            job,
            after_attempt(
                attempt=job.attempt, max_attempts=job.max_attempts, outcome=outcome, now=now, backoff=backoff
            ),
        )
        for job, outcome in completions
    ]
    async with db.engine.begin() as conn:
        if db.is_postgres:
            accepted = await _apply_bulk_postgres(conn, worker_id, decided, now)
        else:
            accepted = await _apply_one_by_one(conn, worker_id, decided, now)
        await write_audit(
            conn,
            [
                _completion_audit(job.company_id, job.id, job.attempt, worker_id, transition, now)
                for job, transition in decided
                if job.id in accepted
            ],
        )
        finished = [
            (job.company_id, job.order_number, job.target)
            for job, transition in decided
            if job.id in accepted and transition.status in FINISHED_STATUSES
        ]
        await release_follow_ups(conn, finished, now=now, actor=WORKER_ACTOR)
        requeued_now = {
            job.target
            for job, transition in decided
            if job.id in accepted
            and transition.status is JobStatus.QUEUED
            and transition.run_after is not None
            and transition.run_after <= now
        }
        for target in sorted(requeued_now):
            await notify_jobs_ready(conn, target)
    for job, transition in decided:
        if job.id not in accepted:
            _log_ignored(job.id, worker_id, job.attempt)
            continue
        observe_job_finished(
            target=job.target,
            status=transition.status,
            enqueued_at=job.enqueued_at,
            finished_at=now,
        )
    return accepted


async def _apply_one_by_one(
    conn: AsyncConnection, worker_id: str, decided: list[tuple[ClaimedJob, Transition]], now: datetime
) -> set[uuid.UUID]:
    accepted: set[uuid.UUID] = set()
    for job, transition in decided:
        result = await conn.execute(
            update(jobs)
            .where(*_held_lease(job, worker_id))
            .values(**_applied(transition, now))
            .returning(jobs.c.id)
        )
        if result.first() is not None:
            accepted.add(job.id)
    return accepted


# One UPDATE for the whole batch: the per-job values travel as parallel arrays (constant SQL text,
# so asyncpg reuses one prepared statement whatever the batch size).
_BULK_COMPLETE_SQL = text(
    """
    UPDATE send_jobs AS j SET
        status = v.status,
        run_after = COALESCE(v.run_after, j.run_after),
        finished_at = v.finished_at,
        last_error = v.last_error,
        hold_reason = v.hold_reason,
        warnings = COALESCE(CAST(v.warnings AS jsonb), j.warnings),
        lease_owner = NULL,
        lease_expires_at = NULL,
        updated_at = :now
    FROM unnest(
        CAST(:ids AS uuid[]), CAST(:attempts AS integer[]), CAST(:statuses AS text[]),
        CAST(:run_afters AS timestamptz[]), CAST(:finished AS timestamptz[]),
        CAST(:errors AS text[]), CAST(:hold_reasons AS text[]), CAST(:warnings AS text[])
    ) AS v(id, attempts, status, run_after, finished_at, last_error, hold_reason, warnings)
    WHERE j.id = v.id AND j.attempts = v.attempts AND j.lease_owner = :worker_id AND j.status = 'running'
    RETURNING j.id
    """
)


async def _apply_bulk_postgres(
    conn: AsyncConnection, worker_id: str, decided: list[tuple[ClaimedJob, Transition]], now: datetime
) -> set[uuid.UUID]:
    params = {
        "now": now,
        "worker_id": worker_id,
        "ids": [job.id for job, _ in decided],
        "attempts": [job.attempt for job, _ in decided],
        "statuses": [str(t.status) for _, t in decided],
        "run_afters": [t.run_after for _, t in decided],
        "finished": [t.finished_at for _, t in decided],
        "errors": [t.last_error for _, t in decided],
        "hold_reasons": [t.hold_reason for _, t in decided],
        "warnings": [None if t.warnings is None else json.dumps(t.warnings) for _, t in decided],
    }
    result = await conn.execute(_BULK_COMPLETE_SQL, params)
    return {uuid.UUID(str(value)) for value in result.scalars()}


def _held_lease(job: ClaimedJob, worker_id: str) -> list[Any]:
    return [
        jobs.c.id == job.id,
        jobs.c.attempts == job.attempt,
        jobs.c.lease_owner == worker_id,
        jobs.c.status == JobStatus.RUNNING,
    ]


def _applied(transition: Transition, now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {
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


def _completion_audit(
    company_id: str, job_id: uuid.UUID, attempt: int, worker_id: str, transition: Transition, now: datetime
) -> dict[str, Any]:
    detail: dict[str, Any] = {"attempt": attempt, "worker_id": worker_id, "status": str(transition.status)}
    if transition.run_after is not None:
        detail["run_after"] = transition.run_after.isoformat()
    return audit_row(
        company_id=company_id,
        job_id=job_id,
        at=now,
        actor=WORKER_ACTOR,
        event=transition.audit_event,
        message=transition.audit_message,
        detail=detail,
    )


def _log_ignored(job_id: uuid.UUID, worker_id: str, attempt: int | None) -> None:
    log.warning(
        "Ignored the result of job %s from worker %s (attempt %s): it no longer holds the lease — "
        "the job was rescued, cancelled or already completed",
        job_id,
        worker_id,
        attempt if attempt is not None else "?",
    )


async def rescue_expired(db: Database, *, target: str | None = None, clock: Clock = utcnow) -> int:
    """Running jobs whose lease expired go back to the queue (at once: the lease wait already spaced
    the retry out), or fail when their attempts are used up. Returns how many were rescued."""
    now = clock()
    async with db.engine.begin() as conn:
        query = select(
            jobs.c.id,
            jobs.c.company_id,
            jobs.c.order_number,
            jobs.c.target,
            jobs.c.lease_owner,
            jobs.c.attempts,
            jobs.c.max_attempts,
            jobs.c.created_at,
        ).where(jobs.c.status == JobStatus.RUNNING, jobs.c.lease_expires_at < now)
        if target is not None:
            query = query.where(jobs.c.target == target)
        if db.is_postgres:
            # A job a worker is completing right now is locked by it: skip it rather than wait.
            query = query.with_for_update(skip_locked=True)
        expired = (await conn.execute(query)).all()
        if not expired:
            return 0
        exhausted = [row.id for row in expired if row.attempts >= row.max_attempts]
        requeued = [row.id for row in expired if row.attempts < row.max_attempts]
        common = {"lease_owner": None, "lease_expires_at": None, "updated_at": now}
        if requeued:
            await conn.execute(
                update(jobs)
                .where(jobs.c.id.in_(requeued))
                .values(status=JobStatus.QUEUED, run_after=now, last_error=RESCUED_MESSAGE, **common)
            )
        if exhausted:
            await conn.execute(
                update(jobs)
                .where(jobs.c.id.in_(exhausted))
                .values(status=JobStatus.FAILED, finished_at=now, last_error=GAVE_UP_AFTER_RESCUE, **common)
            )
            gave_up = [
                (r.company_id, r.order_number, r.target) for r in expired if r.attempts >= r.max_attempts
            ]
            await release_follow_ups(conn, gave_up, now=now, actor=WORKER_ACTOR)
        await write_audit(
            conn,
            [
                audit_row(
                    company_id=row.company_id,
                    job_id=row.id,
                    at=now,
                    actor=WORKER_ACTOR,
                    event="job.rescued",
                    message=GAVE_UP_AFTER_RESCUE if row.attempts >= row.max_attempts else RESCUED_MESSAGE,
                    detail={
                        "attempt": row.attempts,
                        "lost_worker_id": row.lease_owner,
                        "status": str(
                            JobStatus.FAILED if row.attempts >= row.max_attempts else JobStatus.QUEUED
                        ),
                    },
                )
                for row in expired
            ],
        )
        for requeued_target in sorted({row.target for row in expired if row.attempts < row.max_attempts}):
            await notify_jobs_ready(conn, requeued_target)
    for row in expired:
        if row.attempts >= row.max_attempts:
            observe_job_finished(
                target=row.target,
                status=JobStatus.FAILED,
                enqueued_at=row.created_at,
                finished_at=now,
            )
        log.warning(
            "Rescued job %s: worker %s lost its lease during attempt %s",
            row.id,
            row.lease_owner,
            row.attempts,
        )
    return len(expired)
