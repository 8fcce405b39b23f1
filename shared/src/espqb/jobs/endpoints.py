"""HTTP only: the send jobs of the caller's company."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from espqb import queue
from espqb.api.context import AppContext
from espqb.api.deps import ContextDep, PrincipalDep, SessionDep
from espqb.api.errors import V1_PROBLEMS, NotFound
from espqb.jobs import presenter, repository
from espqb.jobs.flags import Flag
from espqb.jobs.links import RecordLinks, qbo_app_url
from espqb.jobs.schemas import JobOut, JobPage

router = APIRouter(prefix="/v1", tags=["jobs"], responses=V1_PROBLEMS)

# A job id is a UUID: 36 characters, said in the schema (an empty id is no job).
JobId = Annotated[uuid.UUID, Path(json_schema_extra={"minLength": 36, "maxLength": 36})]


def record_links(ctx: AppContext) -> RecordLinks:
    """Steps' links into QuickBooks, for this deployment (espqb.jobs.links)."""
    return RecordLinks(qbo_app_url(ctx.settings.intuit_api_base_url, ctx.settings.qbo_app_url))


StatusFilter = Literal[
    "queued",
    "running",
    "waiting_for_web_connector",
    "held",
    "succeeded",
    "partially_succeeded",
    "failed",
    "cancelled",
]


@router.get("/jobs", summary="Send jobs, newest first")
async def list_jobs(
    session: SessionDep,
    principal: PrincipalDep,
    ctx: ContextDep,
    status: StatusFilter | None = None,
    order_number: Annotated[str | None, Query(max_length=64)] = None,
    target: Literal["qbo", "qbd"] | None = None,
    flag: Annotated[
        Flag | None,
        Query(description="Only jobs carrying this flag: drift, voided or deleted (see JobOut.flags)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> JobPage:
    jobs, total = await repository.search(
        session,
        principal.company_id,
        status=status,
        order_number=order_number,
        target=target,
        limit=limit,
        offset=offset,
        flag=flag,
    )
    items = await presenter.present(session, jobs, record_links(ctx))
    return JobPage(items=items, total=total, limit=limit, offset=offset)


async def _job_or_404(
    session: SessionDep, company_id: str, job_id: uuid.UUID, ctx: AppContext | None = None
) -> JobOut:
    job = await repository.get_for_company(session, company_id, job_id)
    if job is None:
        raise NotFound(f"There is no send job {job_id}.")
    links = record_links(ctx) if ctx is not None else None
    return (await presenter.present(session, [job], links))[0]


@router.get("/jobs/{job_id}", summary="One send job with its per-document steps")
async def get_job(job_id: JobId, session: SessionDep, principal: PrincipalDep, ctx: ContextDep) -> JobOut:
    """Each step that wrote or linked a record carries `link`: QuickBooks Online's page for it, or on
    Desktop the document's number and TxnID (a list record's ListID)."""
    return await _job_or_404(session, principal.company_id, job_id, ctx)


@router.post("/jobs/{job_id}/retry", summary="Send a failed, partly sent or cancelled job again")
async def retry_job(job_id: JobId, session: SessionDep, principal: PrincipalDep, ctx: ContextDep) -> JobOut:
    """Documents already written are updated in place, never duplicated."""
    await _job_or_404(session, principal.company_id, job_id)
    await queue.retry(session, principal.company_id, job_id, principal.user_id)
    return await _job_or_404(session, principal.company_id, job_id, ctx)


@router.post("/jobs/{job_id}/cancel", summary="Cancel a job that has not started sending")
async def cancel_job(job_id: JobId, session: SessionDep, principal: PrincipalDep, ctx: ContextDep) -> JobOut:
    await _job_or_404(session, principal.company_id, job_id)
    await queue.cancel(session, principal.company_id, job_id, principal.user_id)
    return await _job_or_404(session, principal.company_id, job_id, ctx)
