"""The reads behind ``espqb status`` and the metrics sampler. Each is one cheap statement over an
index or a small table: the sampler runs the first three every few seconds in every service.

Only flushes nothing and writes nothing; the caller owns the (read-only) transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import (
    ACTIVE_JOB_STATUSES,
    JobStatus,
    QboConnection,
    QboWebhookNotice,
    QbwcCredential,
    SendJob,
)
from espqb.ops.status_model import CompanySends, QueueDepth, WebConnectorPoll, WebhookNotices

__all__ = ["qbo_connections", "queue_depth", "sends_since", "web_connector_polls", "webhook_notices"]


async def queue_depth(session: AsyncSession) -> list[QueueDepth]:
    """Jobs not finished yet, by target and status, with the oldest one's age. Finished jobs are
    left out: they accumulate forever, and the claim index (target, status, run_after) answers this
    without reading them."""
    rows = await session.execute(
        select(SendJob.target, SendJob.status, func.count(), func.min(SendJob.created_at))
        .where(SendJob.status.in_(list(ACTIVE_JOB_STATUSES)))
        .group_by(SendJob.target, SendJob.status)
        .order_by(SendJob.target, SendJob.status)
    )
    return [QueueDepth(target, status, count, oldest) for target, status, count, oldest in rows.tuples()]


_OUTCOME_COLUMNS = {
    JobStatus.SUCCEEDED: "succeeded",
    JobStatus.PARTIALLY_SUCCEEDED: "partially_succeeded",
    JobStatus.FAILED: "failed",
    JobStatus.CANCELLED: "cancelled",
}


async def sends_since(session: AsyncSession, since: datetime) -> list[CompanySends]:
    """Sends that finished since ``since``, per company and target, with the latest failure's words."""
    rows = await session.execute(
        select(SendJob.company_id, SendJob.target, SendJob.status, func.count())
        .where(SendJob.finished_at >= since, SendJob.status.in_(list(_OUTCOME_COLUMNS)))
        .group_by(SendJob.company_id, SendJob.target, SendJob.status)
    )
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for company_id, target, status, count in rows.tuples():
        counts.setdefault((company_id, target), {})[_OUTCOME_COLUMNS[JobStatus(status)]] = count
    failures = await _latest_failures(session, since)
    return [
        CompanySends(
            company_id=company_id,
            target=target,
            succeeded=by_status.get("succeeded", 0),
            partially_succeeded=by_status.get("partially_succeeded", 0),
            failed=by_status.get("failed", 0),
            cancelled=by_status.get("cancelled", 0),
            last_failure=failures.get((company_id, target)),
        )
        for (company_id, target), by_status in sorted(counts.items())
    ]


async def _latest_failures(session: AsyncSession, since: datetime) -> dict[tuple[str, str], str]:
    latest = (
        select(SendJob.company_id, SendJob.target, func.max(SendJob.finished_at).label("at"))
        .where(
            SendJob.finished_at >= since,
            SendJob.status.in_([JobStatus.FAILED, JobStatus.PARTIALLY_SUCCEEDED]),
        )
        .group_by(SendJob.company_id, SendJob.target)
        .subquery()
    )
    rows = await session.execute(
        select(SendJob.company_id, SendJob.target, SendJob.order_number, SendJob.last_error).join(
            latest,
            (SendJob.company_id == latest.c.company_id)
            & (SendJob.target == latest.c.target)
            & (SendJob.finished_at == latest.c.at),
        )
    )
    return {
        (company_id, target): f"order {order_number}: {error or 'no reason recorded'}"
        for company_id, target, order_number, error in rows.tuples()
    }


async def web_connector_polls(session: AsyncSession) -> list[WebConnectorPoll]:
    """Every company with a Web Connector set up: when it last polled and how its last session
    ended, and how many orders wait for it."""
    waiting = (
        select(SendJob.company_id, func.count().label("waiting"))
        .where(SendJob.target == "qbd", SendJob.status == JobStatus.WAITING_FOR_WEB_CONNECTOR)
        .group_by(SendJob.company_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            QbwcCredential.company_id,
            QbwcCredential.username,
            QbwcCredential.last_poll_at,
            QbwcCredential.last_session_outcome,
            QbwcCredential.last_connection_error,
            QbwcCredential.failed_logins,
            func.coalesce(waiting.c.waiting, 0),
        )
        .outerjoin(waiting, waiting.c.company_id == QbwcCredential.company_id)
        .order_by(QbwcCredential.company_id)
    )
    return [WebConnectorPoll(*row) for row in rows.tuples()]


async def qbo_connections(session: AsyncSession) -> Sequence[QboConnection]:
    """Every QuickBooks Online connection row (the deadlines are computed from them)."""
    return (await session.scalars(select(QboConnection).order_by(QboConnection.company_id))).all()


async def webhook_notices(session: AsyncSession) -> WebhookNotices:
    """Intuit's webhook notices not applied yet (the oldest's arrival) and those given up on, with
    the latest of them. Processed notices are not read: the status index leads to the others."""
    rows = await session.execute(
        select(QboWebhookNotice.status, func.count(), func.min(QboWebhookNotice.received_at))
        .where(QboWebhookNotice.status.in_(["pending", "failed"]))
        .group_by(QboWebhookNotice.status)
    )
    counts = {status: (count, oldest) for status, count, oldest in rows.tuples()}
    pending, oldest_pending_at = counts.get("pending", (0, None))
    failed = counts.get("failed", (0, None))[0]
    last_failure = None
    if failed:
        latest = (
            await session.execute(
                select(QboWebhookNotice)
                .where(QboWebhookNotice.status == "failed")
                .order_by(QboWebhookNotice.received_at.desc(), QboWebhookNotice.id.desc())
                .limit(1)
            )
        ).scalar_one()
        notice = latest.notice
        last_failure = (
            f"{latest.company_id}: {notice.get('entity')} {notice.get('entity_id')} "
            f"{notice.get('operation')} — {latest.last_error or 'no reason recorded'}"
        )
    return WebhookNotices(pending, oldest_pending_at, failed, last_failure)
