"""Every query the Web Connector session makes. Only flushes: each callback's transaction is opened
and committed by the handler, before the answer goes back to the Web Connector."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from espqb.db.models import Integration, JobStatus, QbwcCredential, QbwcSession, SendJob

# A session left with work in flight (an unanswered message set, or jobs it had taken) is marked so
# the next session takes it over.
INTERRUPTED = "interrupted"
DESKTOP_WORK_STATUSES = (JobStatus.WAITING_FOR_WEB_CONNECTOR, JobStatus.RUNNING)


@dataclass(frozen=True, slots=True)
class LoginRow:
    company_id: str
    password_hash: str | None
    failed_logins: int
    cache_refreshed_at: datetime | None
    pinned_company: dict[str, Any] | None
    installed: bool
    has_jobs: bool
    has_unfinished_session: bool


def _login_statement() -> Any:
    jobs = exists().where(
        SendJob.company_id == QbwcCredential.company_id,
        SendJob.target == "qbd",
        or_(
            and_(
                SendJob.status == JobStatus.WAITING_FOR_WEB_CONNECTOR, SendJob.run_after <= bindparam("now")
            ),
            SendJob.status == JobStatus.RUNNING,
        ),
    )
    sessions = exists().where(
        QbwcSession.company_id == QbwcCredential.company_id,
        or_(QbwcSession.closed_at.is_(None), QbwcSession.outcome == INTERRUPTED),
    )
    return (
        select(
            QbwcCredential.company_id,
            QbwcCredential.password_hash,
            QbwcCredential.failed_logins,
            QbwcCredential.cache_refreshed_at,
            QbwcCredential.pinned_company,
            Integration.product,
            Integration.status,
            jobs.label("has_jobs"),
            sessions.label("has_sessions"),
        )
        .outerjoin(Integration, Integration.company_id == QbwcCredential.company_id)
        .where(QbwcCredential.username == bindparam("username"))
    )


# Built once: the idle poll runs it for every company every few minutes, and building the statement
# costs more than running it.
_LOGIN = _login_statement()


async def login_row(
    executor: AsyncConnection | AsyncSession, username: str, now: datetime
) -> LoginRow | None:
    """The idle poll's one query: the credential, whether Desktop is installed, and whether any
    work is pending (jobs, or a session left unfinished), by indexed lookups only."""
    row = (await executor.execute(_LOGIN, {"username": username, "now": now})).first()
    if row is None:
        return None
    return LoginRow(
        company_id=row.company_id,
        password_hash=row.password_hash,
        failed_logins=row.failed_logins or 0,
        cache_refreshed_at=row.cache_refreshed_at,
        pinned_company=row.pinned_company,
        installed=row.product == "qbd" and row.status == "installed",
        has_jobs=bool(row.has_jobs),
        has_unfinished_session=bool(row.has_sessions),
    )


_credentials = cast(Table, QbwcCredential.__table__)


async def update_credential(executor: AsyncConnection | AsyncSession, company_id: str, **values: Any) -> None:
    # A Core UPDATE on the table: the ORM's bulk-update machinery costs more than the idle poll's budget.
    await executor.execute(
        update(_credentials).where(_credentials.c.company_id == company_id).values(**values)
    )


async def credential(session: AsyncSession, company_id: str, *, for_update: bool = False) -> QbwcCredential:
    # Sessions do not autoflush: write pending changes first, or re-reading the row would drop them.
    await session.flush()
    stmt = select(QbwcCredential).where(QbwcCredential.company_id == company_id)
    if for_update:
        stmt = stmt.with_for_update()
    found = (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one()
    return found


async def session_by_ticket(session: AsyncSession, ticket_hash: str) -> QbwcSession | None:
    return (
        await session.execute(
            select(QbwcSession)
            .where(QbwcSession.ticket_hash == ticket_hash)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def unfinished_sessions(session: AsyncSession, company_id: str) -> Sequence[QbwcSession]:
    """Sessions not closed, or closed with work in flight, oldest first."""
    return (
        (
            await session.execute(
                select(QbwcSession)
                .where(
                    QbwcSession.company_id == company_id,
                    or_(QbwcSession.closed_at.is_(None), QbwcSession.outcome == INTERRUPTED),
                )
                .order_by(QbwcSession.created_at)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )


async def waiting_jobs(
    session: AsyncSession, company_id: str, *, exclude: Collection[str], limit: int, now: datetime
) -> Sequence[SendJob]:
    """Desktop jobs waiting for the Web Connector, oldest first, not yet seen in this session."""
    await session.flush()
    stmt = (
        select(SendJob)
        .where(
            SendJob.company_id == company_id,
            SendJob.target == "qbd",
            SendJob.status == JobStatus.WAITING_FOR_WEB_CONNECTOR,
            SendJob.run_after <= now,
        )
        .order_by(SendJob.created_at, SendJob.id)
        .limit(limit)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if exclude:
        stmt = stmt.where(SendJob.id.not_in([uuid.UUID(j) for j in exclude]))
    return (await session.execute(stmt)).scalars().all()


async def count_waiting(
    session: AsyncSession, company_id: str, *, exclude: Collection[str], now: datetime
) -> int:
    stmt = select(func.count()).where(
        SendJob.company_id == company_id,
        SendJob.target == "qbd",
        SendJob.status == JobStatus.WAITING_FOR_WEB_CONNECTOR,
        SendJob.run_after <= now,
    )
    if exclude:
        stmt = stmt.where(SendJob.id.not_in([uuid.UUID(j) for j in exclude]))
    return int((await session.execute(stmt)).scalar_one())


async def jobs_by_id(session: AsyncSession, ids: Collection[str]) -> dict[str, SendJob]:
    if not ids:
        return {}
    await session.flush()
    rows = (
        await session.execute(
            select(SendJob)
            .where(SendJob.id.in_([uuid.UUID(j) for j in ids]))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalars()
    return {str(job.id): job for job in rows}
