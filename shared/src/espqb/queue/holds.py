"""Holding a company's queued sends while its QuickBooks Online connection needs re-authorisation,
and releasing them when it reconnects: held, not failed, so nothing is lost and no attempt is spent
against a connection that cannot work."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models.jobs import JobStatus, SendJob
from espqb.queue.audit_trail import write_audit
from espqb.queue.clock import Clock, utcnow
from espqb.queue.notify import notify_jobs_ready
from espqb.queue.transitions import held, held_audit, ready_status, released, released_audit

DEFAULT_HOLD_REASON = "QuickBooks Online needs re-authorisation; the send will continue after reconnecting."


async def hold_jobs(
    session: AsyncSession,
    company_id: str,
    target: str,
    reason: str = DEFAULT_HOLD_REASON,
    *,
    actor: str = "system",
    clock: Clock = utcnow,
) -> int:
    """Queued sends of the company for `target` → held. Running sends finish their attempt; a sender
    that meets the expired connection answers `JobOutcome.hold(...)`. Returns how many were held."""
    now = clock()
    held_ids = (
        (
            await session.execute(
                update(SendJob)
                .where(
                    SendJob.company_id == company_id,
                    SendJob.target == target,
                    SendJob.status == JobStatus.QUEUED,
                )
                .values(**held(reason, now))
                .returning(SendJob.id)
            )
        )
        .scalars()
        .all()
    )
    await write_audit(
        session,
        [
            held_audit(company_id=company_id, job_id=job_id, reason=reason, actor=actor, now=now)
            for job_id in held_ids
        ],
    )
    return len(held_ids)


async def release_held(
    session: AsyncSession, company_id: str, target: str, *, actor: str = "system", clock: Clock = utcnow
) -> int:
    """Held sends of the company for `target` go back to waiting, ready at once. Returns how many."""
    now = clock()
    released_ids = (
        (
            await session.execute(
                update(SendJob)
                .where(
                    SendJob.company_id == company_id,
                    SendJob.target == target,
                    SendJob.status == JobStatus.HELD,
                )
                .values(**released(target, now))
                .returning(SendJob.id)
            )
        )
        .scalars()
        .all()
    )
    await write_audit(
        session,
        [
            released_audit(company_id=company_id, job_id=job_id, actor=actor, now=now)
            for job_id in released_ids
        ],
    )
    if released_ids and ready_status(target) == JobStatus.QUEUED:
        await notify_jobs_ready(session, target)
    return len(released_ids)
