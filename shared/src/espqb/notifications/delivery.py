"""Delivering the outbox: claim due notifications, send each, record the outcome.

Three short transactions, none held open while talking to the network:

1. claim — due rows (pending, `next_attempt_at` passed) get one more attempt counted and their
   `next_attempt_at` pushed past the send timeout, so a second deliverer (another process, or the next
   scheduler tick) does not pick them up meanwhile; on PostgreSQL `FOR UPDATE SKIP LOCKED` makes
   concurrent claimers take different rows, on SQLite BEGIN IMMEDIATE serialises them;
2. send — webhook (signed, see `signing`) or e-mail, concurrently;
3. record — sent; or tried again later with capped exponential backoff and jitter; or, after
   `max_attempts` (or a permanent refusal), given up as failed with `last_error` kept. The update is
   fenced by the attempt number: a deliverer that stalled past its claim cannot overwrite a newer
   attempt's result.

A crash between 1 and 3 costs one attempt and a wait of `claim_seconds`, never a lost notification.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import Notification
from espqb.db.types import utcnow
from espqb.notifications.channels import Failure, post_webhook, send_email
from espqb.queue.clock import Clock

SendMail = Callable[[Notification, Settings], Awaitable[Failure | None]]


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 8
    base_seconds: float = 30.0  # 30 s, 1 min, 2 min, … (ceilings)
    max_seconds: float = 3600.0
    timeout_seconds: float = 10.0
    # Longer than any send can take (webhook timeout; SMTP timeout), so a claim outlives its attempt.
    claim_seconds: float = 120.0
    batch_size: int = 100
    concurrency: int = 10
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def retry_delay(self, attempt: int) -> timedelta:
        """Half the ceiling fixed, half random: never an immediate retry, never a synchronised herd."""
        ceiling = min(self.max_seconds, self.base_seconds * 2.0 ** min(max(attempt, 1) - 1, 60))
        return timedelta(seconds=ceiling / 2 + self.jitter() * ceiling / 2)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    gave_up: int = 0
    errors: list[str] = field(default_factory=list)  # "notification 12 (email): <reason>"

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.gave_up


async def _claim(db: Database, policy: DeliveryPolicy, clock: Clock) -> list[Notification]:
    now = clock()
    async with db.transaction() as session:
        due = (
            select(Notification)
            .where(Notification.status == "pending", Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(policy.batch_size)
        )
        if db.is_postgres:
            due = due.with_for_update(skip_locked=True)
        rows = list((await session.scalars(due)).all())
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + timedelta(seconds=policy.claim_seconds)
        await session.flush()
    return rows


async def deliver_due(
    db: Database,
    settings: Settings,
    *,
    http: httpx.AsyncClient,
    clock: Clock = utcnow,
    policy: DeliveryPolicy | None = None,
    send_mail: SendMail | None = None,
) -> DeliveryReport:
    """Send every notification that is due now; returns what came of each attempt."""
    policy = policy or DeliveryPolicy()
    claimed = await _claim(db, policy, clock)
    report = DeliveryReport()
    if not claimed:
        return report
    secret = settings.notify_webhook_secret.get_secret_value()
    limit = asyncio.Semaphore(policy.concurrency)

    async def attempt(notification: Notification) -> Failure | None:
        async with limit:
            if notification.channel == "webhook":
                return await post_webhook(
                    http,
                    notification,
                    secret=secret,
                    timeout_seconds=policy.timeout_seconds,
                    timestamp=int(clock().timestamp()),
                )
            if notification.channel == "email":
                if send_mail is not None:
                    return await send_mail(notification, settings)
                return await send_email(notification, settings, timeout_seconds=policy.timeout_seconds)
            return Failure(f"unknown channel {notification.channel!r}", permanent=True)

    outcomes = await asyncio.gather(*(attempt(n) for n in claimed))
    now = clock()
    async with db.transaction() as session:
        for notification, failure in zip(claimed, outcomes, strict=True):
            fence = (
                update(Notification)
                .where(
                    Notification.id == notification.id,
                    Notification.attempts == notification.attempts,
                    Notification.status == "pending",
                )
                .execution_options(synchronize_session=False)
            )
            if failure is None:
                await session.execute(fence.values(status="sent", sent_at=now, last_error=None))
                report.sent += 1
                continue
            report.errors.append(f"notification {notification.id} ({notification.channel}): {failure.reason}")
            if failure.permanent or notification.attempts >= policy.max_attempts:
                await session.execute(fence.values(status="failed", last_error=failure.reason))
                report.gave_up += 1
            else:
                retry_at = now + policy.retry_delay(notification.attempts)
                await session.execute(fence.values(next_attempt_at=retry_at, last_error=failure.reason))
                report.retrying += 1
    return report
