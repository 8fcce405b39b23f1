"""A new send job's row, inserted unless a conflicting one stands: shared by a first send and a follow-up."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.insert_once import insert_ignoring_conflicts
from espqb.db.models.jobs import JobStatus, SendJob


async def insert_job_unless_conflict(
    session: AsyncSession,
    *,
    company_id: str,
    order_number: str,
    target: str,
    status: JobStatus,
    idempotency_key: str | None,
    payload: dict[str, Any],
    requested_by: str | None,
    max_attempts: int,
    now: datetime,
    hold_reason: str | None = None,
) -> SendJob | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the new job, or None when a unique index refused it
    (a repeated key, or the order's active or follow-up slot taken). The caller's transaction stays usable;
    other integrity errors (an unknown company) still raise."""
    values = {
        "id": uuid.uuid4(),
        "company_id": company_id,
        "order_number": order_number,
        "target": target,
        "status": status,
        "idempotency_key": idempotency_key,
        "payload": payload,
        "requested_by": requested_by,
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_after": now,
        "hold_reason": hold_reason,
        "warnings": [],
        "created_at": now,
        "updated_at": now,
    }
    statement = (
        insert_ignoring_conflicts(session, SendJob)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(SendJob)
    )
    return (await session.scalars(statement, execution_options={"populate_existing": True})).first()
