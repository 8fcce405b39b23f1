"""Queries for reading jobs (the queue's own writes live in espqb.queue)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStep, Mapping, QbwcCredential, SendJob
from espqb.jobs.flags import Flag, flagged


async def get_for_company(session: AsyncSession, company_id: str, job_id: uuid.UUID) -> SendJob | None:
    return await session.scalar(select(SendJob).where(SendJob.id == job_id, SendJob.company_id == company_id))


async def steps_of(session: AsyncSession, job_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[JobStep]]:
    out: dict[uuid.UUID, list[JobStep]] = {j: [] for j in job_ids}
    if not job_ids:
        return out
    for step in await session.scalars(
        select(JobStep).where(JobStep.job_id.in_(list(job_ids))).order_by(JobStep.id)
    ):
        out[step.job_id].append(step)
    return out


def _filtered(
    company_id: str, *, status: str | None, order_number: str | None, target: str | None, flag: Flag | None
) -> Select[SendJob]:
    stmt = select(SendJob).where(SendJob.company_id == company_id)
    if flag:
        stmt = stmt.where(flagged(flag))
    if status:
        stmt = stmt.where(SendJob.status == status)
    if order_number:
        stmt = stmt.where(SendJob.order_number == order_number)
    if target:
        stmt = stmt.where(SendJob.target == target)
    return stmt


async def search(
    session: AsyncSession,
    company_id: str,
    *,
    status: str | None,
    order_number: str | None,
    target: str | None,
    limit: int,
    offset: int,
    flag: Flag | None = None,
) -> tuple[Sequence[SendJob], int]:
    """One page of the company's jobs, newest first, and how many jobs match the filters in all."""
    stmt = _filtered(company_id, status=status, order_number=order_number, target=target, flag=flag)
    page = stmt.order_by(SendJob.created_at.desc(), SendJob.id).limit(limit).offset(offset)
    jobs = (await session.scalars(page)).all()
    if offset == 0 and len(jobs) < limit:
        return jobs, len(jobs)  # the whole result is on this page: no second query
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    return jobs, int(total or 0)


async def ref_numbers(
    session: AsyncSession, company_id: str, qb_ids: Sequence[str]
) -> dict[tuple[str, str, str], str]:
    """The document numbers recorded for these QuickBooks ids: (target, kind, qb_id) → number."""
    if not qb_ids:
        return {}
    rows = await session.execute(
        select(Mapping.target, Mapping.kind, Mapping.qb_id, Mapping.qb_ref_number).where(
            Mapping.company_id == company_id,
            Mapping.qb_id.in_(list(dict.fromkeys(qb_ids))),
            Mapping.qb_ref_number.is_not(None),
        )
    )
    return {(r.target, r.kind, r.qb_id): r.qb_ref_number for r in rows}


async def web_connector_last_poll(session: AsyncSession, company_id: str):  # type: ignore[no-untyped-def]
    return await session.scalar(
        select(QbwcCredential.last_poll_at).where(QbwcCredential.company_id == company_id)
    )
