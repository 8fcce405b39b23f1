"""Writing to the append-only audit log (every attempt and every outcome)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import AuditEntry
from espqb.observability.logging import redact


async def record_audit(
    session: AsyncSession,
    company_id: str,
    actor: str,
    event: str,
    message: str | None = None,
    detail: dict[str, Any] | None = None,
    *,
    job_id: uuid.UUID | None = None,
) -> None:
    session.add(
        AuditEntry(
            company_id=company_id,
            job_id=job_id,
            actor=actor,
            event=event,
            message=message,
            detail=redact(detail or {}),
        )
    )
    await session.flush()
