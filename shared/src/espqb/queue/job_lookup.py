"""Loading one company's job for a change a person asked for."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models.jobs import ACTIVE_JOB_STATUSES, JobStatus, SendJob
from espqb.queue.errors import JobNotFound

# Written out as SQL literals, not bound parameters: PostgreSQL uses a partial index only when it
# can prove the query implies the index's WHERE, which it cannot do with parameters (and asyncpg
# prepares statements, so plans are generic). Bound, the "is this order already being sent?"
# lookup scans every job of the company; literal, it is one probe of uq_send_jobs_active_order.
_ACTIVE_STATUS_SQL = "send_jobs.status IN ({})".format(
    ", ".join(f"'{status}'" for status in ACTIVE_JOB_STATUSES)
)


def is_active() -> ColumnElement[bool]:
    """The job is queued, running, waiting for the Web Connector or held (the partial index's WHERE)."""
    return text(_ACTIVE_STATUS_SQL)  # type: ignore[return-value]


def is_follow_up() -> ColumnElement[bool]:
    """The job waits behind its order's send (``waiting_for_previous_send``), written as a literal so
    PostgreSQL probes the partial index uq_send_jobs_follow_up (as ``is_active`` does)."""
    return text(f"send_jobs.status = '{JobStatus.WAITING_FOR_PREVIOUS_SEND}'")  # type: ignore[return-value]


async def job_for_update(session: AsyncSession, company_id: str, job_id: uuid.UUID) -> SendJob:
    """The job, locked until the caller's transaction ends (PostgreSQL `FOR UPDATE`; on SQLite the
    transaction already holds the write lock). If a worker is claiming it at this moment, this waits
    for the claim to commit and then sees the job as running."""
    job = (
        await session.execute(
            select(SendJob)
            .where(SendJob.id == job_id, SendJob.company_id == company_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if job is None:
        raise JobNotFound("There is no such send for this company.")
    return job
