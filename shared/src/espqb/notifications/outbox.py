"""Writing notifications into the outbox, in the caller's transaction.

A notification exists if and only if the event that caused it was committed; delivery happens
afterwards (`espqb.notifications.delivery`). One row is written per channel and recipient: the ESP
webhook (when the caller's settings set NOTIFY_WEBHOOK_URL: the process passes its `Settings`, this
module reads no environment) and each address of the company's `IntegrationSettings.notify_emails`. Each row's unique `dedupe_key` makes the same event written
twice — two reminder runs overlapping, a retried request — come out as one notification.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.config import Settings
from espqb.db.insert_once import insert_once
from espqb.db.models import IntegrationSettings, Notification
from espqb.db.types import utcnow
from espqb.queue.clock import Clock

log = logging.getLogger(__name__)

notifications = cast(Table, Notification.__table__)

_KEY_LENGTH = 300  # notifications.dedupe_key is VARCHAR(300)


def row_dedupe_key(dedupe_key: str, channel: str, recipient: str | None) -> str:
    """The per-row key: the event's key plus where it goes, shortened by hashing when too long."""
    raw = f"{dedupe_key}|{channel}" + (f":{recipient.lower()}" if channel == "email" and recipient else "")
    if len(raw) <= _KEY_LENGTH:
        return raw
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"{raw[: _KEY_LENGTH - len(digest) - 1]}#{digest}"


async def _recipients(session: AsyncSession, company_id: str, settings: Settings) -> list[tuple[str, str]]:
    targets: list[tuple[str, str]] = []
    if settings.notify_webhook_url:
        targets.append(("webhook", settings.notify_webhook_url))
    emails = await session.scalar(
        select(IntegrationSettings.notify_emails).where(IntegrationSettings.company_id == company_id)
    )
    seen: set[str] = set()
    for address in emails or []:
        address = str(address).strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            targets.append(("email", address))
    return targets


async def recipients(session: AsyncSession, company_id: str, settings: Settings) -> list[tuple[str, str]]:
    """(channel, recipient) of everyone ``notify_company_admins`` would write to, writing nothing."""
    return await _recipients(session, company_id, settings)


async def notify_company_admins(
    session: AsyncSession,
    company_id: str,
    *,
    kind: str,
    subject: str,
    body: str,
    dedupe_key: str,
    payload: dict[str, Any] | None = None,
    settings: Settings,
    clock: Clock = utcnow,
) -> int:
    """Queue `subject`/`body` for the company's admins on every channel; returns the rows written
    (0 when this event was already queued, or nobody is configured to hear about it)."""
    targets = await _recipients(session, company_id, settings)
    if not targets:
        log.warning(
            "No one to notify for company %s (%s): set NOTIFY_WEBHOOK_URL or the company's notify_emails",
            company_id,
            kind,
        )
        return 0
    now = clock()
    written = 0
    for channel, recipient in targets:
        inserted = await insert_once(
            session,
            notifications,
            {
                "company_id": company_id,
                "channel": channel,
                "kind": kind,
                "dedupe_key": row_dedupe_key(dedupe_key, channel, recipient),
                "recipient": recipient,
                "subject": subject,
                "body": body,
                "payload": payload or {},
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            },
        )
        written += int(inserted)
    return written
