"""Re-authorisation reminders, and the daily keep-alive refresh.

`run_reauth_reminders` (hourly from the scheduler, or `espqb reauth-reminders` from cron) tells a
company's admins `REAUTH_NOTICE_DAYS` (7) before the connection's earliest deadline (deadlines.py).
"Once per deadline" is the database's job, not the scheduler's: a `reauth_reminders` row per
(company, deadline kind, deadline) with a unique constraint is inserted with ON CONFLICT DO NOTHING,
and only the run whose insert took writes the notifications — in the same transaction. Two runs
overlapping (two processes, a cron run during the scheduler's) therefore notify once.

`keep_alive` refreshes every connection not refreshed for a day, so Intuit's 100-day rolling expiry
(docs/quickbooks-online.md §1.4) stays ~100 days away and only the policy and the hard cap are ever reached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import structlog
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.audit import record_audit
from espqb.config import Settings
from espqb.db import Database
from espqb.db.insert_once import insert_once
from espqb.db.models import ReauthReminder
from espqb.db.types import utcnow
from espqb.notifications import notify_company_admins
from espqb.notifications.outbox import recipients
from espqb.queue.clock import Clock
from qbo_gateway.connection import notices, repository
from qbo_gateway.connection.deadlines import Deadline, earliest_deadline, reminder_due
from qbo_gateway.connection.errors import ConnectionProblem
from qbo_gateway.connection.statuses import CONNECTED
from qbo_gateway.connection.tokens import TokenProvider

log = structlog.get_logger(__name__)

reminders = cast(Table, ReauthReminder.__table__)

KEEP_ALIVE_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class SentReminder:
    company_id: str
    realm_id: str
    company_name: str | None
    deadline: Deadline
    notifications: int  # rows written to the outbox (webhook + e-mails); a preview: rows it would write
    preview: bool = False  # a dry run: nothing was written


async def _remind_one(
    db: Database, settings: Settings, company_id: str, now: datetime, *, dry_run: bool = False
) -> SentReminder | None:
    async with db.transaction() as session:
        row = await repository.get(session, company_id)
        if row is None or row.status != CONNECTED:
            return None  # needs_reauth was announced when it happened; disconnected needs nothing
        deadline = earliest_deadline(row, settings.reauth_policy_days)
        if not reminder_due(deadline, now, settings.reauth_notice_days):
            return None
        if dry_run:
            if await _reminded(session, company_id, deadline):
                return None
            would_notify = len(await recipients(session, company_id, settings))
            return SentReminder(
                company_id, row.realm_id, row.company_name, deadline, would_notify, preview=True
            )
        first_time = await insert_once(
            session,
            reminders,
            {
                "company_id": company_id,
                "deadline_kind": deadline.kind.value,
                "deadline_at": deadline.at,
                "notified_at": now,
            },
        )
        if not first_time:
            return None
        notice = notices.reauth_due(
            company_id=company_id,
            realm_id=row.realm_id,
            company_name=row.company_name,
            deadline=deadline,
            policy_days=settings.reauth_policy_days,
            reauthorized_at=row.reauthorized_at,
            now=now,
        )
        written = await notify_company_admins(
            session,
            company_id,
            kind=notice.kind,
            subject=notice.subject,
            body=notice.body,
            dedupe_key=notice.dedupe_key,
            payload=notice.payload,
            settings=settings,
            clock=lambda: now,
        )
        await record_audit(
            session,
            company_id,
            "system",
            "qbo.reauth_reminder",
            notice.subject,
            {
                "deadline_kind": deadline.kind.value,
                "deadline_at": deadline.at.isoformat(),
                "notifications": written,
            },
        )
        return SentReminder(company_id, row.realm_id, row.company_name, deadline, written)


async def _reminded(session: AsyncSession, company_id: str, deadline: Deadline) -> bool:
    """This deadline's reminder was already queued (the once-per-deadline row exists)."""
    found = await session.scalar(
        select(ReauthReminder.id).where(
            ReauthReminder.company_id == company_id,
            ReauthReminder.deadline_kind == deadline.kind.value,
            ReauthReminder.deadline_at == deadline.at,
        )
    )
    return found is not None


async def run_reauth_reminders(
    db: Database,
    settings: Settings,
    clock: Clock = utcnow,
    *,
    on_sent: Callable[[SentReminder], None] | None = None,
    dry_run: bool = False,
) -> int:
    """Remind every company whose connection must be re-authorised within the notice period and
    was not reminded of that deadline yet. Returns how many companies were reminded.

    ``dry_run``: only say who would be reminded at ``clock()``; nothing is written, so the real
    reminder still goes out when its time comes."""
    now = clock()
    async with db.transaction() as session:
        company_ids = await repository.company_ids_with_status(session, [CONNECTED])
    sent = 0
    for company_id in company_ids:
        try:
            reminder = await _remind_one(db, settings, company_id, now, dry_run=dry_run)
        except Exception:  # one company's trouble must not keep the others from their reminders
            log.exception("reauth reminder failed", company=company_id)
            continue
        if reminder is not None:
            sent += 1
            if not dry_run:
                log.info("reauth reminder queued", company=company_id, kind=reminder.deadline.kind.value)
            if on_sent is not None:
                on_sent(reminder)
    return sent


async def keep_alive(
    db: Database, provider: TokenProvider, clock: Clock = utcnow, *, max_age: timedelta = KEEP_ALIVE_AGE
) -> int:
    """Refresh connections whose last refresh is older than `max_age`; returns how many were refreshed.
    A refresh Intuit refuses marks that connection needs_reauth (and notifies) inside the provider."""
    async with db.transaction() as session:
        company_ids = await repository.company_ids_refreshed_before(session, CONNECTED, clock() - max_age)
    refreshed = 0
    for company_id in company_ids:
        try:
            refreshed += int(await provider.refresh_if_older_than(company_id, max_age))
        except ConnectionProblem as problem:
            log.warning(
                "keep-alive refresh did not happen", company=company_id, problem=type(problem).__name__
            )
    return refreshed
