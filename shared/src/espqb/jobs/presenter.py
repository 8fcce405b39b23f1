"""Turns job rows into what the API shows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStatus, JobStep, SendJob, StepStatus
from espqb.db.types import utcnow
from espqb.jobs import repository
from espqb.jobs.flags import flags_of
from espqb.jobs.links import RecordLinks
from espqb.jobs.schemas import JobOut, StepOut
from espqb.queue.labels import status_label
from espqb.queue.transitions import FINISHED_STATUSES


def job_out(
    job: SendJob,
    steps: Sequence[JobStep],
    last_poll: datetime | None = None,
    flags: Sequence[str] = (),
    links: RecordLinks | None = None,
    numbers: dict[tuple[str, str, str], str] | None = None,
) -> JobOut:
    numbers = numbers or {}
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
        waiting=_waiting(job, last_poll),
        steps=_steps(job, steps, links, numbers),
    )


def _steps(
    job: SendJob,
    rows: Sequence[JobStep],
    links: RecordLinks | None,
    numbers: dict[tuple[str, str, str], str],
) -> list[StepOut]:
    """The worker's steps; while the job is not finished, the steps planned at queue time that the
    worker has not reached yet follow them as ``pending`` (espqb.sending.planned_steps)."""
    out = [
        StepOut(
            key=s.key,
            kind=s.kind,
            action=s.action,
            status=s.status,
            qb_id=s.qb_id,
            summary=s.summary,
            error=s.error,
            link=(
                links.link(job.target, s.kind, s.qb_id, numbers.get((job.target, s.kind, s.qb_id or "")))
                if links is not None and s.status == StepStatus.SUCCEEDED
                else None
            ),
            updated_at=s.updated_at,
        )
        for s in rows
    ]
    if job.status in FINISHED_STATUSES or not job.planned_steps:
        return out
    recorded = {s.key for s in rows}
    out += [
        StepOut(
            key=planned["key"],
            kind=planned["kind"],  # type: ignore[arg-type]
            action=planned["action"],  # type: ignore[arg-type]
            status=StepStatus.PENDING,
            summary=planned.get("summary"),
            updated_at=job.created_at,
        )
        for planned in job.planned_steps
        if planned.get("key") not in recorded
    ]
    return out


def _ago(moment: datetime, now: datetime) -> str:
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute ago"
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hours ago"
    return f"{hours // 24} days ago"


def _waiting(job: SendJob, last_poll: datetime | None) -> str | None:
    """What a Desktop job waits for, in words: the Web Connector's next poll, and when it last came."""
    if job.status != JobStatus.WAITING_FOR_WEB_CONNECTOR:
        return None
    if last_poll is None:
        return "Waiting for the Web Connector: it has not connected yet (add the .qwc file and the password to it)"
    return f"Waiting for the Web Connector (last seen {_ago(last_poll, utcnow())})"


async def present(
    session: AsyncSession, jobs: Sequence[SendJob], links: RecordLinks | None = None
) -> list[JobOut]:
    """``links``: give steps their link into QuickBooks (see ``espqb.jobs.links``)."""
    steps = await repository.steps_of(session, [j.id for j in jobs])
    flags = await flags_of(session, [j.id for j in jobs])
    last_poll = None
    if any(j.target == "qbd" for j in jobs):
        last_poll = await repository.web_connector_last_poll(session, jobs[0].company_id)
    numbers: dict[tuple[str, str, str], str] = {}
    if links is not None and jobs:
        ids = [s.qb_id for j in jobs for s in steps[j.id] if s.qb_id is not None]
        numbers = await repository.ref_numbers(session, jobs[0].company_id, ids)
    return [job_out(j, steps[j.id], last_poll, flags[j.id], links, numbers) for j in jobs]
