"""Delivering the outbox to a real local HTTP receiver (ESP's webhook) and a real SMTP server."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx

from espqb.config import Settings
from espqb.db import Database
from espqb.notifications import DeliveryPolicy, deliver_due, notify_company_admins, verify_signature
from tests.notifications.outbox_support import notify_settings, outbox, seed_company
from tests.notifications.receivers import SmtpSink, WebhookReceiver, free_port
from tests.queue.queue_support import ManualClock

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SECRET = "esp-webhook-secret"
# A generous timeout: the receiver runs on this machine, and a loaded CI machine must not turn a slow
# answer into a retry (no test here is about timeouts).
POLICY = DeliveryPolicy(
    max_attempts=3, base_seconds=30, max_seconds=600, timeout_seconds=15, jitter=lambda: 1.0
)


def _settings(
    database_url: str, receiver: WebhookReceiver | None, smtp: SmtpSink | None, **extra: object
) -> Settings:
    values: dict[str, object] = {
        "notify_webhook_url": receiver.url if receiver else None,
        "notify_webhook_secret": SECRET,
        "smtp_host": smtp.host if smtp else None,
        "smtp_port": smtp.port if smtp else 25,
        "smtp_from": "QuickBooks integration <qb@esp.example>",
    }
    values.update(extra)
    return notify_settings(database_url, **values)


async def _queue(
    db: Database, settings: Settings, clock: ManualClock, key: str = "qbo.reauth_required:acme:1"
) -> None:
    async with db.transaction() as session:
        await notify_company_admins(
            session,
            "acme",
            kind="qbo.reauth_required",
            subject="QuickBooks Online needs to be re-authorised now",
            body="Orders are held until an admin reconnects.",
            dedupe_key=key,
            payload={"realm_id": "9341453050000001"},
            settings=settings,
            clock=clock,
        )


async def test_webhook_arrives_signed_and_email_arrives(
    db: Database, database_url: str, receiver: WebhookReceiver, smtp: SmtpSink
) -> None:
    clock = ManualClock(START)
    settings = _settings(database_url, receiver, smtp)
    await seed_company(db, emails=["ann@acme.example"])
    await _queue(db, settings, clock)
    async with httpx.AsyncClient() as http:
        report = await deliver_due(db, settings, http=http, clock=clock, policy=POLICY)

    assert (report.sent, report.retrying, report.gave_up) == (2, 0, 0)
    [hook] = receiver.received
    assert hook.headers["x-espqb-event"] == "qbo.reauth_required"
    assert verify_signature(
        SECRET, hook.headers["x-espqb-signature"], hook.body, now=int(clock().timestamp())
    )
    document = json.loads(hook.body)
    assert document["event"] == "qbo.reauth_required"
    assert document["company_id"] == "acme"
    assert document["data"] == {"realm_id": "9341453050000001"}
    assert hook.headers["x-espqb-delivery"] == str(document["id"])

    [mail] = smtp.messages
    assert mail.recipients == ["ann@acme.example"]
    assert mail.message["Subject"] == "QuickBooks Online needs to be re-authorised now"
    assert "Orders are held" in mail.message.get_payload()
    assert {(n.status, n.attempts) for n in await outbox(db)} == {("sent", 1)}


async def test_failed_webhook_is_retried_after_a_backoff_then_delivered(
    db: Database, database_url: str, receiver: WebhookReceiver
) -> None:
    clock = ManualClock(START)
    settings = _settings(database_url, receiver, None)
    await seed_company(db)
    await _queue(db, settings, clock)
    receiver.answers = [500, 503]
    async with httpx.AsyncClient() as http:
        first = await deliver_due(db, settings, http=http, clock=clock, policy=POLICY)
        [row] = await outbox(db)
        assert (first.retrying, row.status, row.attempts) == (1, "pending", 1)
        assert row.last_error == "the webhook answered HTTP 500"
        assert row.next_attempt_at == START + timedelta(seconds=30)  # first ceiling, jitter pinned to 1

        too_soon = await deliver_due(db, settings, http=http, clock=clock, policy=POLICY)
        assert too_soon.attempted == 0

        clock.advance(30)
        second = await deliver_due(db, settings, http=http, clock=clock, policy=POLICY)
        [row] = await outbox(db)
        assert second.retrying == 1
        assert row.next_attempt_at == clock() + timedelta(seconds=60)  # doubled

        clock.advance(60)
        third = await deliver_due(db, settings, http=http, clock=clock, policy=POLICY)
    [row] = await outbox(db)
    assert third.sent == 1
    assert (row.status, row.attempts, row.last_error, row.sent_at) == ("sent", 3, None, clock())
    assert len(receiver.received) == 3
    # The same delivery id on every retry, so ESP can drop duplicates.
    assert len({r.headers["x-espqb-delivery"] for r in receiver.received}) == 1


async def test_gives_up_after_max_attempts_and_keeps_the_error(
    db: Database, database_url: str, receiver: WebhookReceiver
) -> None:
    clock = ManualClock(START)
    settings = _settings(database_url, receiver, None)
    await seed_company(db)
    await _queue(db, settings, clock)
    receiver.answers = [500, 500, 500, 200]
    async with httpx.AsyncClient() as http:
        for _ in range(POLICY.max_attempts):
            await deliver_due(db, settings, http=http, clock=clock, policy=POLICY)
            clock.advance(POLICY.max_seconds)
        after = await deliver_due(db, settings, http=http, clock=clock, policy=POLICY)
    [row] = await outbox(db)
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "the webhook answered HTTP 500")
    assert after.attempted == 0
    assert len(receiver.received) == 3


async def test_mail_server_down_is_retried_and_a_refused_mailbox_is_given_up(
    db: Database, database_url: str, smtp: SmtpSink
) -> None:
    clock = ManualClock(START)
    smtp.refuse.add("gone@acme.example")
    settings = _settings(database_url, None, smtp)
    down = _settings(database_url, None, None, smtp_host="127.0.0.1", smtp_port=free_port())
    await seed_company(db, emails=["ann@acme.example", "gone@acme.example"])
    await _queue(db, settings, clock)
    async with httpx.AsyncClient() as http:
        report = await deliver_due(db, down, http=http, clock=clock, policy=POLICY)
        assert report.retrying == 2
        assert all("could not be reached" in (n.last_error or "") for n in await outbox(db))
        clock.advance(30)
        report = await deliver_due(db, settings, http=http, clock=clock, policy=POLICY)
    by_recipient = {n.recipient: n for n in await outbox(db)}
    assert (report.sent, report.gave_up) == (1, 1)
    assert by_recipient["ann@acme.example"].status == "sent"
    refused = by_recipient["gone@acme.example"]
    assert (refused.status, refused.attempts) == ("failed", 2)
    assert refused.last_error == "the mail server refused the address gone@acme.example"
    assert [m.recipients for m in smtp.messages] == [["ann@acme.example"]]


async def test_two_deliverers_at_once_send_each_notification_once(
    db: Database, database_url: str, receiver: WebhookReceiver
) -> None:
    clock = ManualClock(START)
    settings = _settings(database_url, receiver, None)
    await seed_company(db)
    for index in range(10):
        await _queue(db, settings, clock, key=f"event-{index}")
    other = Database.from_url(database_url)
    try:
        async with httpx.AsyncClient() as http:
            reports = await asyncio.gather(
                deliver_due(db, settings, http=http, clock=clock, policy=POLICY),
                deliver_due(other, settings, http=http, clock=clock, policy=POLICY),
            )
    finally:
        await other.dispose()
    assert sum(r.sent for r in reports) == 10, [r.errors for r in reports]
    ids = sorted(r.headers["x-espqb-delivery"] for r in receiver.received)
    assert len(ids) == 10 and len(set(ids)) == 10
