"""Re-authorisation reminders with an injected clock: each deadline once, even with two reminder
processes at the same time; and the daily keep-alive refresh."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import QboConnection, ReauthReminder
from espqb.security.crypto import SecretBox
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qbo_gateway.connection import TokenProvider
from qbo_gateway.connection.reminders import SentReminder, keep_alive, run_reauth_reminders
from tests.notifications.outbox_support import outbox
from tests.qbo.connection.connection_support import connection_row, seed_connection, seed_installed_company

NOW = datetime(2026, 8, 3, 6, 0, tzinfo=UTC)
DAY = timedelta(days=1)

# For each deadline kind, a connection whose earliest deadline is that one, five days from NOW.
SCENARIOS = {
    "policy": {
        "reauthorized_at": NOW - 175 * DAY,
        "refresh_expires_at": NOW + 90 * DAY,
        "refresh_hard_expires_at": NOW + 900 * DAY,
    },
    "refresh_rolling": {
        "reauthorized_at": NOW - 30 * DAY,
        "refresh_expires_at": NOW + 5 * DAY,
        "refresh_hard_expires_at": NOW + 900 * DAY,
    },
    "refresh_hard": {
        "reauthorized_at": NOW - 30 * DAY,
        "refresh_expires_at": NOW + 90 * DAY,
        "refresh_hard_expires_at": NOW + 5 * DAY,
    },
}


async def _seed(
    db: Database, box: SecretBox, company_id: str, status: str = "connected", **dates: datetime
) -> None:
    await seed_installed_company(db, company_id)
    async with db.transaction() as session:
        session.add(
            QboConnection(
                company_id=company_id,
                realm_id="9341453050000001",
                company_name=f"{company_id} books",
                status=status,
                access_token_enc=box.encrypt("not-a-real-access-token"),
                refresh_token_enc=box.encrypt("not-a-real-refresh-token"),
                access_expires_at=NOW,
                connected_at=dates["reauthorized_at"],
                last_refresh_at=NOW - DAY,
                **dates,
            )
        )


async def _reminders(db: Database) -> list[ReauthReminder]:
    async with db.sessions() as session:
        return list((await session.scalars(select(ReauthReminder).order_by(ReauthReminder.id))).all())


@pytest.mark.parametrize("kind", list(SCENARIOS))
async def test_each_deadline_is_notified_once(
    db: Database, box: SecretBox, settings: Settings, kind: str
) -> None:
    await _seed(db, box, "acme", **SCENARIOS[kind])
    seen: list[SentReminder] = []

    assert await run_reauth_reminders(db, settings, lambda: NOW - 3 * DAY) == 0  # 8 days ahead: too early
    assert await run_reauth_reminders(db, settings, lambda: NOW, on_sent=seen.append) == 1
    assert await run_reauth_reminders(db, settings, lambda: NOW) == 0
    assert await run_reauth_reminders(db, settings, lambda: NOW + 2 * DAY) == 0

    [reminder] = seen
    assert (reminder.deadline.kind.value, reminder.deadline.at, reminder.notifications) == (
        kind,
        NOW + 5 * DAY,
        3,
    )
    [row] = await _reminders(db)
    assert (row.deadline_kind, row.deadline_at) == (kind, NOW + 5 * DAY)
    notes = await outbox(db, "acme")
    assert sorted(n.channel for n in notes) == ["email", "email", "webhook"]
    assert {n.kind for n in notes} == {"qbo.reauth_due"}
    assert {n.payload["deadline_kind"] for n in notes} == {kind}
    assert {n.payload["days_left"] for n in notes} == {5}
    assert "8 August 2026" in notes[0].subject
    assert "Reconnect" in notes[0].body


async def test_two_reminder_processes_at_once_notify_each_deadline_once(
    db: Database, database_url: str, box: SecretBox, settings: Settings
) -> None:
    companies = [f"company-{i}" for i in range(4)]
    for company_id, kind in zip(companies, [*SCENARIOS, "policy"], strict=True):
        await _seed(db, box, company_id, **SCENARIOS[kind])
    other = Database.from_url(database_url)
    try:
        counts = await asyncio.gather(
            run_reauth_reminders(db, settings, lambda: NOW),
            run_reauth_reminders(other, settings, lambda: NOW),
        )
    finally:
        await other.dispose()
    assert sum(counts) == 4
    assert len(await _reminders(db)) == 4
    notes = await outbox(db)
    assert len(notes) == 12
    assert sorted({n.company_id for n in notes}) == companies


async def test_a_new_authorisation_brings_a_new_reminder(
    db: Database, box: SecretBox, settings: Settings
) -> None:
    await _seed(db, box, "acme", **SCENARIOS["policy"])
    assert await run_reauth_reminders(db, settings, lambda: NOW) == 1
    later = NOW + 180 * DAY
    async with db.transaction() as session:
        row = await session.get(QboConnection, "acme")
        assert row is not None
        row.reauthorized_at = NOW + 2 * DAY  # the admin re-authorised after the reminder
        row.refresh_expires_at = later + 90 * DAY
    assert await run_reauth_reminders(db, settings, lambda: later) == 1
    assert [r.deadline_at for r in await _reminders(db)] == [NOW + 5 * DAY, NOW + 182 * DAY]


async def test_connections_needing_reauthorisation_or_disconnected_are_not_reminded(
    db: Database, box: SecretBox, settings: Settings
) -> None:
    await _seed(db, box, "acme", status="needs_reauth", **SCENARIOS["policy"])
    await _seed(db, box, "globex", status="disconnected", **SCENARIOS["policy"])
    assert await run_reauth_reminders(db, settings, lambda: NOW) == 0
    assert await outbox(db) == []


async def test_keep_alive_refreshes_connections_not_refreshed_for_a_day(
    db: Database, box: SecretBox, sandbox: IntuitSandbox, provider: TokenProvider
) -> None:
    await seed_connection(db, box, sandbox)
    sandbox.advance(23 * 3600)
    assert await keep_alive(db, provider, sandbox.now) == 0
    sandbox.advance(2 * 3600)
    assert await keep_alive(db, provider, sandbox.now) == 1
    assert sandbox.refresh_calls == 1
    row = await connection_row(db)
    assert row is not None and row.last_refresh_at == sandbox.now()
    # The rolling expiry is pushed to 100 days from now again.
    assert row.refresh_expires_at == sandbox.now() + timedelta(days=100)
    assert await keep_alive(db, provider, sandbox.now) == 0


async def test_keep_alive_refused_by_intuit_marks_the_connection_and_notifies(
    db: Database, box: SecretBox, sandbox: IntuitSandbox, provider: TokenProvider
) -> None:
    await seed_connection(db, box, sandbox)
    sandbox.disconnect(DEMO_REALM_ID)
    sandbox.advance(25 * 3600)
    assert await keep_alive(db, provider, sandbox.now) == 0
    row = await connection_row(db)
    assert row is not None and row.status == "needs_reauth"
    assert {n.kind for n in await outbox(db, "acme")} == {"qbo.reauth_required"}
