"""Audit entries the queue writes. The audit log is append-only (the migration's triggers refuse
UPDATE and DELETE), so these only ever insert."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from espqb.db.models.audit import AuditEntry

_audit_log = cast(Table, AuditEntry.__table__)

WORKER_ACTOR = "worker"  # the worker's own id goes into `detail`: actor is a short column


def audit_row(
    *,
    company_id: str,
    job_id: uuid.UUID | None,
    at: datetime,
    actor: str,
    event: str,
    message: str | None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "company_id": company_id,
        "job_id": job_id,
        "at": at,
        "actor": actor[:64],
        "event": event,
        "message": message,
        "detail": detail or {},
    }


async def write_audit(executor: AsyncSession | AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Insert many entries in one executemany (the worker completes jobs in batches)."""
    if rows:
        await executor.execute(insert(_audit_log), rows)
