"""Every query about `qbo_connections`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import QboConnection


async def get(session: AsyncSession, company_id: str) -> QboConnection | None:
    return await session.scalar(
        select(QboConnection)
        .where(QboConnection.company_id == company_id)
        .execution_options(populate_existing=True)
    )


async def get_locked(session: AsyncSession, company_id: str) -> QboConnection | None:
    """The row, locked until the transaction ends, as committed by whoever held the lock before.

    PostgreSQL: SELECT … FOR UPDATE (a second process waits here, then reads the first one's
    result). SQLite: the transaction began with BEGIN IMMEDIATE (espqb.db.engine), which already
    serialises writers; FOR UPDATE is dropped by SQLAlchemy there.
    """
    return await session.scalar(
        select(QboConnection)
        .where(QboConnection.company_id == company_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def company_ids_with_status(session: AsyncSession, statuses: Sequence[str]) -> list[str]:
    rows = await session.scalars(
        select(QboConnection.company_id)
        .where(QboConnection.status.in_(list(statuses)))
        .order_by(QboConnection.company_id)
    )
    return list(rows)


async def company_ids_refreshed_before(session: AsyncSession, status: str, before: datetime) -> list[str]:
    rows = await session.scalars(
        select(QboConnection.company_id)
        .where(
            QboConnection.status == status,
            QboConnection.refresh_token_enc.is_not(None),
            or_(QboConnection.last_refresh_at.is_(None), QboConnection.last_refresh_at <= before),
        )
        .order_by(QboConnection.company_id)
    )
    return list(rows)


async def all_locked(session: AsyncSession) -> list[QboConnection]:
    rows = await session.scalars(
        select(QboConnection)
        .order_by(QboConnection.company_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(rows)
