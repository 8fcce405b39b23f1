"""Intuit's notices kept in PostgreSQL until they are applied, so a replica killed between answering
Intuit and applying them loses none (Intuit got its 200 and never sends them again).

1. store — the endpoint writes the accepted notices (``qbo_webhook_notices``) in its own transaction,
   before the 200; each may be taken by the drain only ``settle_seconds`` later;
2. apply now — right after the answer the receiving process claims its own rows and applies them (the
   common case: applied within the request's life, as before);
3. drain — the scheduler (one process, ``qbo_gateway.connection.scheduler``) runs ``drain_notices``
   every few seconds: it takes notices still pending past their time, e.g. those of a replica killed
   before or while applying them, and notices due to be tried again.

Claiming a row counts an attempt and moves its time ``claim_seconds`` on, so no other process takes it
meanwhile (on PostgreSQL ``FOR UPDATE SKIP LOCKED``: concurrent claimers take different rows; on SQLite
one process and BEGIN IMMEDIATE). A notice is marked processed in the same transaction as the changes it
makes on mappings, jobs and the audit log, fenced by its attempt number (a process that stalled past its
claim writes nothing). A notice about the company itself (settings, tax codes, …) has the company read
again and stored first, and is marked afterwards; reading twice is harmless. Every notice is applied by
reading what QuickBooks shows now, so applying one twice changes nothing more
(``qbo_gateway.webhooks.processing``).

A notice whose attempt fails (QuickBooks unreachable, the connection needing re-authorisation, …) is
tried again with capped exponential backoff; after ``max_attempts`` (8: half an hour to an hour of
tries) it is logged as an error and left ``failed`` with its ``last_error``, for ops to see. Processed
notices are deleted after ``keep_processed`` (by the time they were marked: their ``next_attempt_at``
is then their claim's end).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db import Database
from espqb.db.models import QboWebhookNotice
from espqb.db.types import utcnow
from espqb.queue.clock import Clock
from qbo_gateway.webhooks.payloads import ChangeNotice
from qbo_gateway.webhooks.processing import ACTOR, ChangeProcessor, is_about_the_company

__all__ = ["NoticePolicy", "NoticeReport", "apply_received", "drain_notices", "store_notices"]

log = structlog.get_logger(__name__)

PENDING, PROCESSED, FAILED = "pending", "processed", "failed"


@dataclass(frozen=True)
class NoticePolicy:
    # The receiving process has this long to claim its notices before the drain may take them.
    settle_seconds: float = 30.0
    # Longer than applying a batch of notices takes (a few reads from QuickBooks each).
    claim_seconds: float = 120.0
    max_attempts: int = 8
    base_seconds: float = 30.0  # 30 s, 1 min, 2 min, … (ceilings)
    max_seconds: float = 3600.0
    batch_size: int = 100
    keep_processed: timedelta = timedelta(days=7)
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def retry_delay(self, attempt: int) -> timedelta:
        """Half the ceiling fixed, half random: never an immediate retry, never a synchronised herd."""
        ceiling = min(self.max_seconds, self.base_seconds * 2.0 ** min(max(attempt, 1) - 1, 60))
        return timedelta(seconds=ceiling / 2 + self.jitter() * ceiling / 2)


@dataclass
class NoticeReport:
    processed: int = 0
    retrying: int = 0
    gave_up: int = 0
    purged: int = 0

    @property
    def attempted(self) -> int:
        return self.processed + self.retrying + self.gave_up


@dataclass(frozen=True)
class _Claimed:
    id: int
    company_id: str
    attempts: int
    notice: ChangeNotice


def _as_json(notice: ChangeNotice) -> dict[str, Any]:
    return {
        "entity": notice.entity,
        "entity_id": notice.entity_id,
        "operation": notice.operation,
        "occurred_at": notice.occurred_at.isoformat() if notice.occurred_at else None,
    }


def _from_row(row: QboWebhookNotice) -> _Claimed:
    data = row.notice
    occurred = data.get("occurred_at")
    notice = ChangeNotice(
        realm_id=row.realm_id,
        entity=str(data["entity"]),
        entity_id=str(data["entity_id"]),
        operation=str(data["operation"]),
        occurred_at=datetime.fromisoformat(occurred) if occurred else None,
    )
    return _Claimed(row.id, row.company_id, row.attempts, notice)


async def store_notices(
    session: AsyncSession,
    notices: Iterable[ChangeNotice],
    companies: dict[str, str],
    *,
    clock: Clock = utcnow,
    policy: NoticePolicy | None = None,
) -> list[int]:
    """Writes the notices of our realms (``companies``: realm → company) in the caller's transaction;
    their ids, for ``apply_received``."""
    policy = policy or NoticePolicy()
    now = clock()
    rows = [
        QboWebhookNotice(
            company_id=companies[notice.realm_id],
            realm_id=notice.realm_id,
            notice=_as_json(notice),
            status=PENDING,
            attempts=0,
            next_attempt_at=now + timedelta(seconds=policy.settle_seconds),
            received_at=now,
        )
        for notice in notices
        if notice.realm_id in companies
    ]
    if not rows:
        return []
    session.add_all(rows)
    await session.flush()
    return [row.id for row in rows]


async def _claim(
    db: Database, policy: NoticePolicy, clock: Clock, ids: Sequence[int] | None = None
) -> list[_Claimed]:
    now = clock()
    async with db.transaction() as session:
        query = select(QboWebhookNotice).where(QboWebhookNotice.status == PENDING)
        if ids is None:
            query = query.where(QboWebhookNotice.next_attempt_at <= now).limit(policy.batch_size)
        else:  # the receiving process takes every notice it stored, however many one body carried
            query = query.where(QboWebhookNotice.id.in_(list(ids)))
        query = query.order_by(QboWebhookNotice.next_attempt_at, QboWebhookNotice.id)
        if db.is_postgres:
            query = query.with_for_update(skip_locked=True)
        rows = list((await session.scalars(query)).all())
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + timedelta(seconds=policy.claim_seconds)
        await session.flush()
        return [_from_row(row) for row in rows]


def _fence(claimed: _Claimed) -> Any:
    return (
        update(QboWebhookNotice)
        .where(
            QboWebhookNotice.id == claimed.id,
            QboWebhookNotice.attempts == claimed.attempts,
            QboWebhookNotice.status == PENDING,
        )
        .execution_options(synchronize_session=False)
    )


async def _mark_processed(session: AsyncSession, claimed: _Claimed, now: datetime) -> bool:
    """False when the notice is no longer ours to mark (another attempt took it after our claim lapsed)."""
    result: Any = await session.execute(
        _fence(claimed).values(status=PROCESSED, processed_at=now, last_error=None)
    )
    return bool(result.rowcount)


async def _failed(
    db: Database,
    claimed: _Claimed,
    error: BaseException,
    policy: NoticePolicy,
    clock: Clock,
    report: NoticeReport,
) -> None:
    reason = f"{type(error).__name__}: {error}"[:1000]
    context = {
        "notice_id": claimed.id,
        "company": claimed.company_id,
        "entity": claimed.notice.entity,
        "entity_id": claimed.notice.entity_id,
        "operation": claimed.notice.operation,
        "attempts": claimed.attempts,
    }
    now = clock()
    async with db.transaction() as session:
        if claimed.attempts >= policy.max_attempts:
            await session.execute(_fence(claimed).values(status=FAILED, last_error=reason))
            report.gave_up += 1
            log.error("qbo webhook notice given up", problem=reason, **context)
        else:
            retry_at = now + policy.retry_delay(claimed.attempts)
            await session.execute(_fence(claimed).values(next_attempt_at=retry_at, last_error=reason))
            report.retrying += 1
            log.warning("qbo webhook notice not applied; tried again later", problem=reason, **context)


async def _apply(
    db: Database, processor: ChangeProcessor, claimed: list[_Claimed], policy: NoticePolicy, clock: Clock
) -> NoticeReport:
    report = NoticeReport()
    about_company: dict[str, list[_Claimed]] = {}
    for item in claimed:
        if is_about_the_company(item.notice):
            about_company.setdefault(item.company_id, []).append(item)
            continue
        try:
            changes = await processor.read(item.company_id, item.notice)
            async with db.transaction() as session:
                if await _mark_processed(session, item, clock()):
                    await processor.write(session, item.company_id, item.notice, changes)
                    report.processed += 1
        except Exception as error:
            await _failed(db, item, error, policy, clock, report)
    # The company is read once however many notices about it came together.
    for company_id, items in about_company.items():
        try:
            await processor.profiles.refresh(company_id, actor=ACTOR)
        except Exception as error:
            for item in items:
                await _failed(db, item, error, policy, clock, report)
            continue
        async with db.transaction() as session:
            for item in items:
                report.processed += int(await _mark_processed(session, item, clock()))
    return report


async def apply_received(
    db: Database,
    processor: ChangeProcessor,
    ids: Sequence[int],
    *,
    clock: Clock = utcnow,
    policy: NoticePolicy | None = None,
) -> NoticeReport:
    """The receiving process applies the notices it just stored (``ids``), right after the answer."""
    policy = policy or NoticePolicy()
    claimed = await _claim(db, policy, clock, ids)
    return await _apply(db, processor, claimed, policy, clock)


async def drain_notices(
    db: Database, processor: ChangeProcessor, *, clock: Clock = utcnow, policy: NoticePolicy | None = None
) -> NoticeReport:
    """Applies the notices that are due: left by a process that died before applying them, or due to be
    tried again. Also deletes processed notices older than ``keep_processed``."""
    policy = policy or NoticePolicy()
    claimed = await _claim(db, policy, clock)
    report = await _apply(db, processor, claimed, policy, clock) if claimed else NoticeReport()
    if claimed:
        log.info(
            "qbo webhook notices drained",
            processed=report.processed,
            retrying=report.retrying,
            gave_up=report.gave_up,
        )
    async with db.transaction() as session:
        result: Any = await session.execute(
            delete(QboWebhookNotice)
            .where(
                QboWebhookNotice.status == PROCESSED,
                QboWebhookNotice.next_attempt_at < clock() - policy.keep_processed,
            )
            .execution_options(synchronize_session=False)
        )
        report.purged = int(result.rowcount or 0)
    return report
