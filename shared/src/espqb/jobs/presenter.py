"""Turns job rows into what the API shows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStatus, JobStep, SendJob
from espqb.jobs import repository
from espqb.jobs.flags import flags_of
from espqb.jobs.schemas import JobOut, StepOut
from espqb.queue.labels import status_label


def job_out(
    job: SendJob, steps: Sequence[JobStep], last_poll: datetime | None = None, flags: Sequence[str] = ()
) -> JobOut:
    return JobOut(
        id=job.id,
        order_number=job.order_number,
        target=job.target,
        status=job.status,
        status_label=status_label(job.status),
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        last_error=job.last_error,
        hold_reason=job.hold_reason,
        warnings=list(job.warnings or []),
        flags=list(flags),
        requested_by=job.requested_by,
        created_at=job.created_at,
        updated_at=job.updated_at,
        finished_at=job.finished_at,
        next_attempt_at=job.run_after if job.status == JobStatus.QUEUED else None,
        web_connector_last_poll=last_poll if job.target == "qbd" else None,
        steps=[
            StepOut(
                key=s.key,
                kind=s.kind,
                action=s.action,
                status=s.status,
                qb_id=s.qb_id,
                summary=s.summary,
                error=s.error,
                updated_at=s.updated_at,
            )
            for s in steps
        ],
    )


async def present(session: AsyncSession, jobs: Sequence[SendJob]) -> list[JobOut]:
    steps = await repository.steps_of(session, [j.id for j in jobs])
    flags = await flags_of(session, [j.id for j in jobs])
    last_poll = None
    if any(j.target == "qbd" for j in jobs):
        last_poll = await repository.web_connector_last_poll(session, jobs[0].company_id)
    return [job_out(j, steps[j.id], last_poll, flags[j.id]) for j in jobs]
