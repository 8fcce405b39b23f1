"""Writing notifications: one row per channel and recipient, once per event."""

from __future__ import annotations

from espqb.db import Database
from espqb.notifications import notify_company_admins
from espqb.notifications.outbox import row_dedupe_key
from tests.notifications.outbox_support import notify_settings, outbox, seed_company


async def _notify(db: Database, settings: object, key: str = "qbo.reauth_due:acme:policy:2026-09-01") -> int:
    async with db.transaction() as session:
        return await notify_company_admins(
            session,
            "acme",
            kind="qbo.reauth_due",
            subject="Re-authorise QuickBooks Online by 1 September 2026",
            body="The connection must be re-authorised.",
            dedupe_key=key,
            payload={"deadline_kind": "policy"},
            settings=settings,  # type: ignore[arg-type]
        )


async def test_one_row_for_the_webhook_and_one_per_admin_address(db: Database, database_url: str) -> None:
    await seed_company(db, emails=["ann@acme.example", "bob@acme.example", "ANN@acme.example "])
    written = await _notify(db, notify_settings(database_url))
    rows = await outbox(db)
    assert written == 3
    assert sorted((r.channel, r.recipient) for r in rows) == [
        ("email", "ann@acme.example"),
        ("email", "bob@acme.example"),
        ("webhook", "http://127.0.0.1:9/esp/hooks"),
    ]
    assert {r.status for r in rows} == {"pending"}
    assert all(r.payload == {"deadline_kind": "policy"} for r in rows)


async def test_the_same_event_written_twice_is_one_notification(db: Database, database_url: str) -> None:
    await seed_company(db, emails=["ann@acme.example"])
    settings = notify_settings(database_url)
    assert await _notify(db, settings) == 2
    assert await _notify(db, settings) == 0
    assert len(await outbox(db)) == 2
    assert await _notify(db, settings, key="qbo.reauth_due:acme:policy:2027-03-01") == 2
    assert len(await outbox(db)) == 4


async def test_without_webhook_url_only_emails_are_written(db: Database, database_url: str) -> None:
    await seed_company(db, emails=["ann@acme.example"])
    assert await _notify(db, notify_settings(database_url, notify_webhook_url=None)) == 1
    assert [r.channel for r in await outbox(db)] == ["email"]


async def test_nobody_to_tell_writes_nothing(db: Database, database_url: str) -> None:
    await seed_company(db, emails=[])
    assert await _notify(db, notify_settings(database_url, notify_webhook_url=None)) == 0
    assert await outbox(db) == []


def test_row_keys_stay_within_the_column_and_distinct() -> None:
    long_key = "qbo.reauth_due:" + "x" * 400
    first = row_dedupe_key(long_key, "email", "a@example.com")
    second = row_dedupe_key(long_key, "email", "b@example.com")
    assert len(first) <= 300 and len(second) <= 300
    assert first != second
    assert row_dedupe_key("k", "email", "A@Example.com") == row_dedupe_key("k", "email", "a@example.com")
