"""Putting a send on the queue, inside the caller's transaction, or in one statement (the JSON API).

A new send is one INSERT (``espqb.queue.job_rows``): on PostgreSQL the job, its audit entry and the
workers' wake-up are a single statement. The JSON API runs it in a ``request_session``: on PostgreSQL
every statement there commits by itself, so the request's reads cost no BEGIN and its one write costs
no COMMIT round trip (one statement is one transaction: all of it or nothing, the wake-up delivered
when it commits). Only when that insert collides with a standing job does the send open a real
transaction, where the row locks of "the latest send wins" hold until it commits.

At most one job exists per Idempotency-Key, and at most one *active* job per (company, order,
target): the table's unique constraint and partial unique index guarantee it. This module turns a
collision into "here is the job you already have" (the same request again) or, for another body,
lets the latest send win (``espqb.queue.resend``).
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from espqb.config import DEFAULT_JOB_MAX_ATTEMPTS
from espqb.db import Database
from espqb.db.models.jobs import JobStatus, SendJob
from espqb.queue.clock import Clock, utcnow
from espqb.queue.errors import EnqueueConflict, IdempotencyKeyReused
from espqb.queue.job_lookup import is_active
from espqb.queue.job_rows import (
    enqueued_audit,
    insert_job_with_audit,
    insert_jobs_with_audit,
    job_from_values,
    job_values,
)
from espqb.queue.resend import canonical_json, latest_send_wins
from espqb.queue.types import EnqueueResult

# A send starts queued (QBO: a worker picks it up), waiting for the Web Connector (QBD: the next
# Web Connector session pulls it) or held (QBO connection already needs re-authorisation).
ENQUEUE_STATUSES = (JobStatus.QUEUED, JobStatus.WAITING_FOR_WEB_CONNECTOR, JobStatus.HELD)

# Each collision means another transaction inserted the same order or key and then, by the time we
# looked, had already let go of it again; three in a row is not a real workload.
_MAX_INSERT_TRIES = 3

# session.info key of a `request_session`: the Database its collisions open a transaction on.
_AUTOCOMMIT_DB = "espqb.queue.autocommit_db"
_autocommit_engines: weakref.WeakKeyDictionary[AsyncEngine, AsyncEngine] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def request_session(db: Database) -> AsyncIterator[AsyncSession]:
    """The session of a request whose only write is ``enqueue_send`` (``POST /v1/orders/{n}/send``).

    PostgreSQL: each statement commits by itself (no BEGIN, no COMMIT round trip); reads see what
    is committed, as they would in a READ COMMITTED transaction; ``enqueue_send`` writes a new send
    in one statement and opens its own transaction for a collision. Nothing else may write here.
    SQLite: one transaction, committed when the block ends (``Database.transaction``)."""
    if not db.is_postgres:
        async with db.transaction() as session:
            yield session
        return
    autocommit = _autocommit_engines.get(db.engine)
    if autocommit is None:
        autocommit = _autocommit_engines[db.engine] = db.engine.execution_options(
            isolation_level="AUTOCOMMIT"
        )
    # The session takes a connection when it first reads and keeps it to the end. A new send's
    # statement goes on that connection's driver directly, or, in a session that read nothing, on one
    # taken from the pool for that statement alone (``job_rows.insert_job_with_audit``).
    session = AsyncSession(bind=autocommit, expire_on_commit=False, autoflush=False)
    session.info[_AUTOCOMMIT_DB] = db
    try:
        yield session
    finally:
        # A session that never read holds no connection and no object: nothing to give back (closing
        # it anyway cost as much CPU as a send's statement).
        if session.in_transaction() or session.sync_session.new or session.identity_map:
            await session.close()


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
    planned_steps: list[dict[str, str]] | None = None,
    clock: Clock = utcnow,
) -> EnqueueResult:
    """Queue a send of `order_number` to `target`, or return the job that already stands for it.

    - the same `idempotency_key` again → the job it created, whatever its status now; with another
      order, target or payload → `IdempotencyKeyReused`;
    - the order already has an active job for this target → that job.

    ``planned_steps`` (``espqb.sending.planned_steps``) go into the new job's row, or into the
    standing job that takes this send's body (the latest send wins).

    Only flushes; the caller's transaction commits (and only then are workers woken). In a
    ``request_session`` (PostgreSQL) a new send is committed by its one statement, and a collision
    is settled in a transaction of its own.
    """
    if initial_status not in ENQUEUE_STATUSES:
        raise ValueError(f"a send cannot start as {initial_status!r}")

    autocommit_db: Database | None = session.info.get(_AUTOCOMMIT_DB)
    for _ in range(_MAX_INSERT_TRIES):
        now = clock()
        values = job_values(
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
            planned_steps=planned_steps,
        )
        # One statement on PostgreSQL: the job, its audit entry and (queued) the workers' wake-up.
        # A repeated key, an order that already has an active job, or losing the race to a concurrent
        # send of the same order inserts nothing; the job that stands is then looked up. On PostgreSQL
        # the insert waits for the other transaction to commit before deciding, so the lookup sees its row.
        job = await insert_job_with_audit(
            session,
            values,
            enqueued_audit(
                values,
                message=f"Order {order_number} queued for {_target_name(target)}",
                detail={
                    "target": target,
                    "status": str(initial_status),
                    "idempotency_key": idempotency_key,
                },
            ),
            notify=initial_status is JobStatus.QUEUED,
            autocommit=autocommit_db is not None,
        )
        if job is not None:
            return EnqueueResult(job, created=True)
        # The key or the order's active slot is taken. Looking only after a collision keeps the
        # common case (a new send) to one statement.
        if autocommit_db is not None:
            # What follows locks the standing job and may write twice: a transaction of its own.
            async with autocommit_db.transaction() as transaction:
                return await enqueue_send(
                    transaction,
                    company_id=company_id,
                    order_number=order_number,
                    target=target,
                    payload=payload,
                    requested_by=requested_by,
                    idempotency_key=idempotency_key,
                    initial_status=initial_status,
                    max_attempts=max_attempts,
                    hold_reason=hold_reason,
                    planned_steps=planned_steps,
                    clock=clock,
                )
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
            planned_steps,
        )
        if decided is not None:
            return decided
        # the other job finished or rolled back in between: try again
    # The order kept flipping between active and finished under us: rare enough to hand back.
    raise EnqueueConflict("This order is being sent by someone else at the same moment; please try again.")


async def enqueue_batch(
    session: AsyncSession, sends: list[dict[str, Any]], *, clock: Clock = utcnow
) -> list[EnqueueResult | None]:
    """Many new sends of one target (``enqueue_send``'s keyword arguments each) in one statement:
    for each, its new job, or None when a standing job or key took its place; the caller then
    sends that one with ``enqueue_send``, which settles it as a single send would be. One wake-up
    for the batch, when it commits (``espqb backfill``)."""
    targets = {send["target"] for send in sends}
    if len(targets) > 1:
        raise ValueError("a batch of sends goes to one target")
    now = clock()
    rows = []
    for send in sends:
        status = send.get("initial_status", JobStatus.QUEUED)
        if status not in ENQUEUE_STATUSES:
            raise ValueError(f"a send cannot start as {status!r}")
        rows.append(
            job_values(
                company_id=send["company_id"],
                order_number=send["order_number"],
                target=send["target"],
                status=status,
                idempotency_key=send.get("idempotency_key"),
                payload=send["payload"],
                requested_by=send.get("requested_by"),
                max_attempts=send.get("max_attempts", DEFAULT_JOB_MAX_ATTEMPTS),
                now=now,
                hold_reason=send.get("hold_reason") if status is JobStatus.HELD else None,
                planned_steps=send.get("planned_steps"),
            )
        )
    if not rows:
        return []
    target = rows[0]["target"]
    queued = any(row["status"] == JobStatus.QUEUED for row in rows)
    inserted = await insert_jobs_with_audit(
        session, rows, target_name=_target_name(target), notify_target=target if queued else None
    )
    return [
        EnqueueResult(job_from_values(session, row), created=True) if row["id"] in inserted else None
        for row in rows
    ]


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
    planned_steps: list[dict[str, str]] | None,
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
        planned_steps=planned_steps,
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
