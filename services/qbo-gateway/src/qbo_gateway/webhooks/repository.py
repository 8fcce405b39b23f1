"""The queries the webhook needs: which company a realm is, and which mapping a QBO record is."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStatus, Mapping, QboConnection, SendJob

__all__ = ["companies_by_realm", "job_that_wrote", "mapping_of"]

TARGET = "qbo"


async def companies_by_realm(session: AsyncSession, realm_ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(realm_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(QboConnection.realm_id, QboConnection.company_id).where(QboConnection.realm_id.in_(wanted))
    )
    return {realm: company for realm, company in rows.all()}


async def mapping_of(session: AsyncSession, company_id: str, kind: str, qb_id: str) -> Mapping | None:
    return await session.scalar(
        select(Mapping)
        .where(
            Mapping.company_id == company_id,
            Mapping.target == TARGET,
            Mapping.kind == kind,
            Mapping.qb_id == qb_id,
        )
        .order_by(Mapping.id)
        .limit(1)
    )


async def job_that_wrote(session: AsyncSession, company_id: str, mapping: Mapping) -> SendJob | None:
    """The send job that last wrote a document: the one its mapping names, else the order's newest
    finished job."""
    if mapping.last_job_id:
        try:
            job_id = uuid.UUID(mapping.last_job_id)
        except ValueError:
            job_id = None
        if job_id is not None:
            job = await session.scalar(
                select(SendJob).where(SendJob.id == job_id, SendJob.company_id == company_id)
            )
            if job is not None:
                return job
    if mapping.order_number is None:
        return None
    return await session.scalar(
        select(SendJob)
        .where(
            SendJob.company_id == company_id,
            SendJob.order_number == mapping.order_number,
            SendJob.target == TARGET,
            SendJob.status.in_([JobStatus.SUCCEEDED, JobStatus.PARTIALLY_SUCCEEDED]),
        )
        .order_by(SendJob.finished_at.desc())
        .limit(1)
    )
