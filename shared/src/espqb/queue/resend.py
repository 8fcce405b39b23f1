"""The latest send of an order wins.

A send of an order that already has an active job, with another body (quantities, supplier
choices…), is never dropped:

* the job has not started (never attempted, still waiting): it takes the new order and choices
  (``replaced_queued``, audited as ``job.send_replaced``);
* the job is under way (running, a Desktop message set out, or waiting to try again): a follow-up
  job waits behind it and starts when it has finished (``follow_up_queued``); it updates the
  documents the first one wrote. A later re-send replaces the follow-up's body: one follow-up at most;
* the body is the one the latest job already carries: that job (``unchanged``).

The active job's row is locked first, so this never races with a worker claiming it, with the Web
Connector taking it, or with it finishing (``espqb.queue.transitions.release_follow_ups``).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models.jobs import ACTIVE_JOB_STATUSES, JobStatus, SendJob
from espqb.queue.audit_trail import audit_row, write_audit
from espqb.queue.job_lookup import is_follow_up
from espqb.queue.job_rows import enqueued_audit, insert_job_with_audit, job_values
from espqb.queue.types import Disposition, EnqueueResult

__all__ = ["canonical_json", "latest_send_wins"]

_NOT_STARTED = (JobStatus.QUEUED, JobStatus.WAITING_FOR_WEB_CONNECTOR, JobStatus.HELD)


def canonical_json(value: Any) -> str:
    # Key order is not meaning: a JSONB round trip reorders keys.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


async def _locked(session: AsyncSession, job_id: uuid.UUID) -> SendJob | None:
    return (
        await session.execute(
            select(SendJob)
            .where(SendJob.id == job_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def _standing_follow_up(session: AsyncSession, job: SendJob) -> SendJob | None:
    return (
        await session.execute(
            select(SendJob)
            .where(
                SendJob.company_id == job.company_id,
                SendJob.order_number == job.order_number,
                SendJob.target == job.target,
                is_follow_up(),
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def latest_send_wins(
    session: AsyncSession,
    active: SendJob,
    *,
    payload: dict[str, Any],
    requested_by: str | None,
    idempotency_key: str | None,
    max_attempts: int,
    now: datetime,
    planned_steps: list[dict[str, str]] | None = None,
) -> EnqueueResult | None:
    """What a send of ``active``'s order with ``payload`` comes to. None when ``active`` finished
    in the meantime: the caller queues the send as a new job. The job that takes ``payload`` takes
    ``planned_steps`` with it."""
    job = await _locked(session, active.id)
    if job is None or job.status not in ACTIVE_JOB_STATUSES:
        return None
    follow_up = await _standing_follow_up(session, job)
    latest = follow_up or job
    if canonical_json(latest.payload) == canonical_json(payload):
        return EnqueueResult(latest, created=False, disposition="unchanged")
    if follow_up is None and job.status in _NOT_STARTED and not job.attempts:
        await _replace(
            session, job, payload, requested_by, idempotency_key, now, "replaced_queued", planned_steps
        )
        return EnqueueResult(job, created=True, disposition="replaced_queued")
    if follow_up is not None:
        await _replace(
            session, follow_up, payload, requested_by, idempotency_key, now, "follow_up_queued", planned_steps
        )
        return EnqueueResult(follow_up, created=True, disposition="follow_up_queued")
    created = await _insert_follow_up(
        session,
        job,
        payload,
        requested_by,
        idempotency_key,
        max_attempts=max_attempts,
        now=now,
        planned_steps=planned_steps,
    )
    if created is None:
        return None
    return EnqueueResult(created, created=True, disposition="follow_up_queued")


async def _replace(
    session: AsyncSession,
    job: SendJob,
    payload: dict[str, Any],
    requested_by: str | None,
    idempotency_key: str | None,
    now: datetime,
    disposition: Disposition,
    planned_steps: list[dict[str, str]] | None,
) -> None:
    previous_by = job.requested_by
    job.payload = payload
    job.planned_steps = planned_steps
    job.requested_by = requested_by
    if idempotency_key is not None:
        job.idempotency_key = idempotency_key
    job.updated_at = now
    await session.flush()
    waits = " behind the earlier send" if disposition == "follow_up_queued" else ""
    await write_audit(
        session,
        [
            audit_row(
                company_id=job.company_id,
                job_id=job.id,
                at=now,
                actor=requested_by or "system",
                event="job.send_replaced",
                message=f"Order {job.order_number} was sent again before this send started: it now "
                f"carries the latest order and choices{waits}",
                detail={"previous_requested_by": previous_by, "idempotency_key": idempotency_key},
            )
        ],
    )


async def _insert_follow_up(
    session: AsyncSession,
    job: SendJob,
    payload: dict[str, Any],
    requested_by: str | None,
    idempotency_key: str | None,
    *,
    max_attempts: int,
    now: datetime,
    planned_steps: list[dict[str, str]] | None,
) -> SendJob | None:
    values = job_values(
        company_id=job.company_id,
        order_number=job.order_number,
        target=job.target,
        status=JobStatus.WAITING_FOR_PREVIOUS_SEND,
        idempotency_key=idempotency_key,
        payload=payload,
        requested_by=requested_by,
        max_attempts=max_attempts,
        now=now,
        planned_steps=planned_steps,
    )
    # Waits behind the job under way: nothing to wake a worker for yet.
    return await insert_job_with_audit(
        session,
        values,
        enqueued_audit(
            values,
            event="job.follow_up_queued",
            message=f"Order {job.order_number} was sent again while send {job.id} was under way: "
            "this send updates the documents once that one has finished",
            detail={"after_job_id": str(job.id), "idempotency_key": idempotency_key},
        ),
        notify=False,
    )
