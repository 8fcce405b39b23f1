"""The worker side of the queue: claim ready jobs under a lease, keep the lease alive, complete the
attempt, and rescue jobs whose worker vanished.

Each function here opens its own short transaction (a worker is its own boundary). A lease is
(`lease_owner`, `attempts`): the attempt number fences it, so a worker that lost its lease — its
job was rescued and claimed again, possibly by the same worker — can neither extend nor complete
the newer attempt; its late result is ignored and logged. Where a job goes, the columns, audit
entries and follow-ups of each transition come from ``espqb.queue.transitions``; this module adds
the lease fence and the batching.
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

from espqb.config import DEFAULT_JOB_LEASE_SECONDS
from espqb.db import Database
from espqb.db.models.jobs import JobStatus, SendJob
from espqb.observability.metrics import observe_job_finished
from espqb.queue.audit_trail import WORKER_ACTOR, write_audit
from espqb.queue.backoff import BackoffPolicy
from espqb.queue.clock import Clock, utcnow
from espqb.queue.group_leases import GroupLeases, claim_grouped
from espqb.queue.notify import notify_jobs_ready
from espqb.queue.transitions import (
    Ended,
    Transition,
    after_attempt,
    after_ended,
    attempt_ended,
    attempt_started,
    lease_kept,
    release_follow_ups,
    rescued,
    rescued_audit,
    rescued_values,
)
from espqb.queue.types import ClaimedJob, JobOutcome

log = logging.getLogger(__name__)

jobs = cast(Table, SendJob.__table__)


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


async def claim(
    db: Database,
    *,
    target: str,
    worker_id: str,
    lease_seconds: float = DEFAULT_JOB_LEASE_SECONDS,
    limit: int = 1,
    clock: Clock = utcnow,
    groups: GroupLeases | None = None,
) -> list[ClaimedJob]:
    """Take up to `limit` ready jobs of `target` (queued, `run_after` passed, oldest first) in ONE
    statement: they become running, leased to `worker_id`, with one more attempt counted. With
    `groups` (PostgreSQL), only jobs of groups this worker owns or can take now, and the groups'
    leases are taken in the same statement (``espqb.queue.group_leases``)."""
    if limit <= 0:
        return []
    if groups is not None and db.is_postgres:
        grouped, expires = await claim_grouped(
            db,
            groups,
            target=target,
            worker_id=worker_id,
            lease_seconds=lease_seconds,
            limit=limit,
            clock=clock,
        )
        return _claimed(grouped, worker_id, expires)
    now = clock()
    expires = now + timedelta(seconds=lease_seconds)
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
        .values(**attempt_started(owner=worker_id, now=now, expires=expires), attempts=jobs.c.attempts + 1)
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
    return _claimed(rows, worker_id, expires)


def _claimed(rows: Sequence[Any], worker_id: str, expires: datetime) -> list[ClaimedJob]:
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
    lease_seconds: float = DEFAULT_JOB_LEASE_SECONDS,
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
    lease_seconds: float = DEFAULT_JOB_LEASE_SECONDS,
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


def _extended_lease(now: datetime, lease_seconds: float) -> dict[str, Any]:
    # An expired lease that nobody rescued yet is still ours: extending it is safe.
    return lease_kept(now=now, expires=now + timedelta(seconds=lease_seconds))


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
    backoff = backoff or BackoffPolicy()
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
            attempt=row.attempts,
            max_attempts=row.max_attempts,
            outcome=outcome,
            now=now,
            backoff=backoff,
            target=row.target,
        )
        await conn.execute(update(jobs).where(jobs.c.id == job_id).values(**attempt_ended(transition, now)))
        ended = Ended(row.company_id, job_id, row.order_number, row.target, row.attempts, transition)
        await after_ended(conn, [ended], now=now, actor=WORKER_ACTOR, holder={"worker_id": worker_id})
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
    backoff = backoff or BackoffPolicy()
    now = clock()
    # The claim's attempt and max_attempts are authoritative while the lease (fenced by the
    # attempt number) is held, so the decision is made here and applied only where it still holds.
    decided = [
        (
            job,
            after_attempt(
                attempt=job.attempt,
                max_attempts=job.max_attempts,
                outcome=outcome,
                now=now,
                backoff=backoff,
                target=job.target,
            ),
        )
        for job, outcome in completions
    ]
    async with db.engine.begin() as conn:
        if db.is_postgres:
            accepted = await _apply_bulk_postgres(conn, worker_id, decided, now)
        else:
            accepted = await _apply_one_by_one(conn, worker_id, decided, now)
        ended = [
            Ended(job.company_id, job.id, job.order_number, job.target, job.attempt, transition)
            for job, transition in decided
            if job.id in accepted
        ]
        await after_ended(conn, ended, now=now, actor=WORKER_ACTOR, holder={"worker_id": worker_id})
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
            .values(**attempt_ended(transition, now))
            .returning(jobs.c.id)
        )
        if result.first() is not None:
            accepted.add(job.id)
    return accepted


# One UPDATE for the whole batch: the per-job values travel as parallel arrays (constant SQL text,
# so asyncpg reuses one prepared statement whatever the batch size). It writes the columns of
# ``transitions.attempt_ended``, under the lease fence.
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


def _log_ignored(job_id: uuid.UUID, worker_id: str, attempt: int | None) -> None:
    log.warning(
        "Ignored the result of job %s from worker %s (attempt %s): it no longer holds the lease — "
        "the job was rescued, cancelled or already completed",
        job_id,
        worker_id,
        attempt if attempt is not None else "?",
    )


async def rescue_expired(db: Database, *, target: str | None = None, clock: Clock = utcnow) -> int:
    """Running jobs whose lease expired go back to the queue, or fail when their attempts are used
    up (``transitions.rescued``). Returns how many were rescued."""
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
        status = {row.id: rescued(attempt=row.attempts, max_attempts=row.max_attempts) for row in expired}
        for goes_to in (JobStatus.QUEUED, JobStatus.FAILED):
            ids = [row.id for row in expired if status[row.id] is goes_to]
            if ids:
                await conn.execute(
                    update(jobs).where(jobs.c.id.in_(ids)).values(**rescued_values(goes_to, now))
                )
        gave_up = [
            (r.company_id, r.order_number, r.target) for r in expired if status[r.id] is JobStatus.FAILED
        ]
        await release_follow_ups(conn, gave_up, now=now, actor=WORKER_ACTOR)
        await write_audit(
            conn,
            [
                rescued_audit(
                    company_id=row.company_id,
                    job_id=row.id,
                    attempt=row.attempts,
                    lost_owner=row.lease_owner,
                    status=status[row.id],
                    now=now,
                )
                for row in expired
            ],
        )
        for requeued_target in sorted({row.target for row in expired if status[row.id] is JobStatus.QUEUED}):
            await notify_jobs_ready(conn, requeued_target)
    for row in expired:
        if status[row.id] is JobStatus.FAILED:
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
