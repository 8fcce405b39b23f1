"""Helpers for the queue tests: a clock the test moves by hand, and fast seeding of many jobs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, insert, select

from espqb.db import Database
from espqb.db.models import AuditEntry, SendJob


class ManualClock:
    """A clock that only moves when told to: leases expire without sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def seed_queued_jobs(
    db: Database, company_id: str, count: int, *, target: str = "qbo"
) -> list[uuid.UUID]:
    """Many queued jobs in one statement, for the load tests (the enqueue path has its own tests)."""
    now = datetime.now(UTC) - timedelta(seconds=1)
    rows: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "company_id": company_id,
            "order_number": f"L{index}",
            "target": target,
            "status": "queued",
            "payload": {"order": f"L{index}"},
            "attempts": 0,
            "max_attempts": 3,
            "run_after": now,
            "warnings": [],
            "created_at": now,
            "updated_at": now,
        }
        for index in range(count)
    ]
    async with db.engine.begin() as conn:
        for start in range(0, count, 5000):
            await conn.execute(insert(cast(Table, SendJob.__table__)), rows[start : start + 5000])
    return [row["id"] for row in rows]


async def load_job(db: Database, job_id: uuid.UUID) -> SendJob:
    async with db.sessions() as session:
        job = await session.get(SendJob, job_id)
        assert job is not None
        return job


async def audit_events(db: Database, job_id: uuid.UUID) -> list[AuditEntry]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(AuditEntry).where(AuditEntry.job_id == job_id).order_by(AuditEntry.id)
        )
        return list(rows.scalars())


async def count_jobs(db: Database, **where: Any) -> int:
    async with db.sessions() as session:
        query = select(func.count()).select_from(SendJob)
        for column, value in where.items():
            query = query.where(getattr(SendJob, column) == value)
        return int((await session.execute(query)).scalar_one())
