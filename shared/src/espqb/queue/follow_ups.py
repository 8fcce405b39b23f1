"""Follow-up sends: a re-send of an order whose send is already under way waits behind it
(``waiting_for_previous_send``) and starts when that send has finished, so two sends of one order
never run at the same time and the latest one is what QuickBooks shows in the end.

Whoever ends a job (a worker's completion, a rescue that gives up, the Web Connector finishing a
Desktop job, a cancel) calls ``release_follow_ups`` in the same transaction. The job's own row is
locked by then, and a re-send that adds a follow-up locks that row first (``espqb.queue.resend``),
so a follow-up is never left behind a job that has already finished.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Table, case, exists, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from espqb.db.models.jobs import ACTIVE_JOB_STATUSES, JobStatus, SendJob
from espqb.queue.audit_trail import audit_row, write_audit
from espqb.queue.notify import notify_jobs_ready

__all__ = ["FINISHED_STATUSES", "is_follow_up", "release_follow_ups"]

FINISHED_STATUSES = frozenset(
    {JobStatus.SUCCEEDED, JobStatus.PARTIALLY_SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}
)

_jobs = cast(Table, SendJob.__table__)


def is_follow_up() -> ColumnElement[bool]:
    """The job waits behind its order's send, written as a literal so PostgreSQL probes the partial
    index uq_send_jobs_follow_up (see ``espqb.queue.job_lookup.is_active``)."""
    return text(f"send_jobs.status = '{JobStatus.WAITING_FOR_PREVIOUS_SEND}'")  # type: ignore[return-value]


async def release_follow_ups(
    executor: AsyncSession | AsyncConnection,
    orders: Iterable[tuple[str, str, str]],
    *,
    now: datetime,
    actor: str,
) -> int:
    """Start the follow-up of each (company, order, target) whose send just finished, in one
    statement; returns how many were started. Call it after the finished jobs' status is written."""
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
        (_jobs.c.target == "qbd", str(JobStatus.WAITING_FOR_WEB_CONNECTOR)), else_=str(JobStatus.QUEUED)
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
    for target in sorted({row.target for row in started if row.target != "qbd"}):
        await notify_jobs_ready(executor, target)
    return len(started)
