"""How a Desktop job's attempt ends, from what its operations came to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.config import Settings
from espqb.db.models import JobStatus, SendJob
from espqb.jobs.flags import raise_flag
from espqb.plan import BillOp, InvoiceOp, PaymentOp, Plan, PurchaseOrderOp
from espqb.queue import JobOutcome
from espqb.sending import wording

from . import job_lifecycle
from .state import JobProgress, SessionState
from .writes import CallbackWrites

_DOCUMENTS = (InvoiceOp, PaymentOp, PurchaseOrderOp, BillOp)


def _written(plan: Plan, progress: JobProgress) -> str:
    """The job's summary, worded as on QuickBooks Online (``espqb.sending.wording.sent``)."""
    documents = [op for op in plan.operations if isinstance(op, _DOCUMENTS) and op.key in progress.done]
    return wording.sent(wording.QUICKBOOKS_DESKTOP, documents)


def outcome_of(plan: Plan | None, progress: JobProgress) -> JobOutcome:
    if progress.retry_next_session is not None:
        return job_lifecycle.retry_next_session(progress.retry_next_session)
    assert plan is not None
    warnings = (*plan.notes, *progress.warnings)
    if not progress.failed:
        return JobOutcome.succeeded(_written(plan, progress), warnings)
    problems = " ".join(dict.fromkeys(progress.failed.values()))
    if progress.wrote:
        return JobOutcome.partially_succeeded(problems, summary=_written(plan, progress), warnings=warnings)
    return JobOutcome.failed(problems)


async def finish(
    session: AsyncSession,
    job: SendJob,
    progress: JobProgress,
    plan: Plan | None,
    state: SessionState,
    *,
    now: datetime,
    settings: Settings,
    writes: CallbackWrites | None = None,
) -> JobStatus:
    status = await job_lifecycle.finish(session, job, outcome_of(plan, progress), now=now, writes=writes)
    if progress.drift and status in (JobStatus.SUCCEEDED, JobStatus.PARTIALLY_SUCCEEDED):
        await raise_flag(session, job, "drift", progress.drift, settings=settings)
    progress.finished = True
    tally = state.tally
    if status == JobStatus.SUCCEEDED:
        tally.succeeded += 1
    elif status == JobStatus.PARTIALLY_SUCCEEDED:
        tally.partly += 1
    elif status == JobStatus.FAILED:
        tally.failed += 1
    else:
        tally.retry += 1
    return status


async def finish_unplannable(
    session: AsyncSession,
    job: SendJob,
    progress: JobProgress,
    reason: str,
    state: SessionState,
    *,
    now: datetime,
    writes: CallbackWrites | None = None,
) -> None:
    """The order cannot be written as it stands: trying again would fail the same way."""
    await job_lifecycle.finish(session, job, JobOutcome.failed(reason), now=now, writes=writes)
    progress.finished = True
    state.tally.failed += 1
