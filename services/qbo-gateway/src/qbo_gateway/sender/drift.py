"""After an attempt: documents QuickBooks Online stored with other figures than ESP planned flag the
job ``drift`` (``GET /v1/jobs?flag=drift``) and tell the company's admins, once per job."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import SendJob
from espqb.jobs.flags import raise_flag
from qbo_gateway.sender.results import StepResult

__all__ = ["report_drift"]


async def report_drift(
    db: Database, job_id: uuid.UUID, results: Sequence[StepResult], *, settings: Settings
) -> bool:
    """Flags the job when a step drifted; True when it did (the flag may have been raised before)."""
    drifted = [r for r in results if r.drift is not None]
    if not drifted:
        return False
    warnings = [r.summary or r.drift or "" for r in drifted]
    async with db.transaction() as session:
        job = await session.get(SendJob, job_id)
        if job is not None:
            await raise_flag(session, job, "drift", warnings, settings=settings)
    return True
