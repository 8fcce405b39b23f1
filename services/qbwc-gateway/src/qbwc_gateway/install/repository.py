"""Every query of the install and status pages. Only flushes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStatus, Mapping, QbwcCredential, QbwcSession, SendJob


async def credential(session: AsyncSession, company_id: str) -> QbwcCredential | None:
    return (
        await session.execute(
            select(QbwcCredential)
            .where(QbwcCredential.company_id == company_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def pending_counts(session: AsyncSession, company_id: str) -> tuple[int, int, datetime | None]:
    """(waiting for the Web Connector, being sent, when the oldest waiting one was queued)."""
    rows = await session.execute(
        select(SendJob.status, func.count(), func.min(SendJob.created_at))
        .where(
            SendJob.company_id == company_id,
            SendJob.target == "qbd",
            SendJob.status.in_([JobStatus.WAITING_FOR_WEB_CONNECTOR, JobStatus.RUNNING]),
        )
        .group_by(SendJob.status)
    )
    waiting = running = 0
    oldest: datetime | None = None
    for status, count, first in rows:
        if status == JobStatus.WAITING_FOR_WEB_CONNECTOR:
            waiting, oldest = int(count), first
        else:
            running = int(count)
    return waiting, running, oldest


async def last_session(session: AsyncSession, company_id: str) -> QbwcSession | None:
    return await session.scalar(
        select(QbwcSession)
        .where(QbwcSession.company_id == company_id)
        .order_by(QbwcSession.created_at.desc())
        .limit(1)
    )


async def forget_desktop_mappings(session: AsyncSession, company_id: str) -> None:
    await session.execute(delete(Mapping).where(Mapping.company_id == company_id, Mapping.target == "qbd"))
