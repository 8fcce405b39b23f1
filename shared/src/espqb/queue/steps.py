"""Per-document results of a send: what was linked, created or updated in QuickBooks, its id, and
what went wrong in plain words. One row per (job, plan operation key), overwritten as the send
progresses, plus an audit entry for every outcome."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models.jobs import JobStep, SendJob, StepStatus
from espqb.queue.audit_trail import WORKER_ACTOR, audit_row, write_audit
from espqb.queue.clock import Clock, utcnow
from espqb.queue.errors import JobNotFound
from espqb.queue.notify import dialect_name


def step_audit_row(
    *,
    company_id: str,
    job_id: uuid.UUID,
    at: datetime,
    actor: str,
    key: str,
    kind: str,
    action: str,
    status: StepStatus,
    qb_id: str | None,
    qb_version: str | None,
    summary: str | None,
    error: str | None,
) -> dict[str, Any]:
    """The audit entry of a step's outcome (a pending step has none): ``step.<status>``, worded by
    the error when it failed, else by its summary."""
    return audit_row(
        company_id=company_id,
        job_id=job_id,
        at=at,
        actor=actor,
        event=f"step.{status}",
        message=error if status is StepStatus.FAILED and error else summary,
        detail={
            "key": key,
            "kind": kind,
            "action": action,
            "qb_id": qb_id,
            "qb_version": qb_version,
            "error": error,
        },
    )


def step_record(
    *,
    company_id: str,
    job_id: uuid.UUID,
    key: str,
    kind: str,
    action: str,
    status: StepStatus,
    qb_id: str | None = None,
    qb_version: str | None = None,
    summary: str | None = None,
    error: str | None = None,
    request_id: str | None = None,
    batch_item_id: str | None = None,
    actor: str,
    at: datetime,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """What recording the step ``key`` of a job writes: its row's values (without ``job_id`` and
    ``key``) and its audit entry (``step_audit_row``; None for a pending step)."""
    values: dict[str, Any] = {
        "kind": kind,
        "action": action,
        "status": str(status),
        "qb_id": qb_id,
        "qb_version": qb_version,
        "summary": summary,
        "error": error,
        "request_id": request_id,
        "batch_item_id": batch_item_id,
        "updated_at": at,
    }
    if status is StepStatus.PENDING:
        return values, None
    audit = step_audit_row(
        company_id=company_id,
        job_id=job_id,
        at=at,
        actor=actor,
        key=key,
        kind=kind,
        action=action,
        status=status,
        qb_id=qb_id,
        qb_version=qb_version,
        summary=summary,
        error=error,
    )
    return values, audit


async def record_step(
    session: AsyncSession,
    job_id: uuid.UUID,
    key: str,
    kind: str,
    action: str,
    status: StepStatus | str,
    qb_id: str | None = None,
    qb_version: str | None = None,
    summary: str | None = None,
    error: str | None = None,
    *,
    request_id: str | None = None,
    batch_item_id: str | None = None,
    company_id: str | None = None,
    actor: str = WORKER_ACTOR,
    clock: Clock = utcnow,
) -> JobStep:
    """Create or overwrite the step `key` of a job (e.g. key "invoice", kind "invoice", action
    "create", status succeeded, qb_id "1042", summary worded by ``espqb.sending.wording``)."""
    status = StepStatus(status)
    if company_id is None:
        company_id = (
            await session.execute(select(SendJob.company_id).where(SendJob.id == job_id))
        ).scalar_one_or_none()
        if company_id is None:
            raise JobNotFound("There is no such send.")
    values, audit = step_record(
        company_id=company_id,
        job_id=job_id,
        key=key,
        kind=kind,
        action=action,
        status=status,
        qb_id=qb_id,
        qb_version=qb_version,
        summary=summary,
        error=error,
        request_id=request_id,
        batch_item_id=batch_item_id,
        actor=actor,
        at=clock(),
    )
    insert = postgresql_insert if dialect_name(session) == "postgresql" else sqlite_insert
    # An upsert rather than select-then-insert: a retried attempt rewrites the same step row.
    statement = (
        insert(JobStep)
        .values(job_id=job_id, key=key, **values)
        .on_conflict_do_update(index_elements=["job_id", "key"], set_=values)
        .returning(JobStep)
        .execution_options(populate_existing=True)
    )
    step = (await session.execute(statement)).scalar_one()
    if audit is not None:
        await write_audit(session, [audit])
    return step
