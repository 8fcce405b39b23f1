"""Telling idle workers that a job is ready: PostgreSQL NOTIFY on one channel, payload the target.

NOTIFY issued inside a transaction is delivered when (and only if) that transaction commits, so a
worker is never woken for a job it cannot see yet, and a rolled-back request wakes nobody.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

JOBS_CHANNEL = "espqb_jobs"


def dialect_name(executor: AsyncSession | AsyncConnection) -> str:
    if isinstance(executor, AsyncSession):
        return executor.get_bind().dialect.name
    return executor.dialect.name


async def notify_jobs_ready(executor: AsyncSession | AsyncConnection, target: str) -> None:
    """Queue a wake-up for `target`'s workers; a no-op on SQLite, where workers poll."""
    if dialect_name(executor) != "postgresql":
        return
    # PostgreSQL folds identical notifications of one transaction into one, so a batch of
    # enqueues costs a single wake-up.
    await executor.execute(
        text("SELECT pg_notify(:channel, :target)"), {"channel": JOBS_CHANNEL, "target": target}
    )
