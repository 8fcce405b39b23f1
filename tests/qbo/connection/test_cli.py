"""`espqb reauth-reminders`, `rotate-keys`, `deliver-notifications` and `scheduler --check` as ops run them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from espqb.config import DEV_ENCRYPTION_KEY, get_settings
from espqb.db import Database
from espqb.db.models import Notification, QboConnection, ReauthReminder
from espqb.notifications import notify_company_admins
from espqb.security.crypto import SecretBox, generate_key
from espqb_cli.main import app
from tests.notifications.receivers import free_port
from tests.qbo.connection.connection_support import connection_row, seed_installed_company

runner = CliRunner()
REAUTHORIZED = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)  # policy deadline: 31 July 2026


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _env(database_url: str, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "ENV": "development", **extra}


def invoke(args: list[str], env: dict[str, str]) -> Result:
    get_settings.cache_clear()  # each command reads the environment it is given, as a new process would
    return runner.invoke(app, args, env=env)


def _seed(database_url: str, box: SecretBox, reauthorized: datetime = REAUTHORIZED) -> None:
    async def seed() -> None:
        db = Database.from_url(database_url)
        try:
            await seed_installed_company(db)
            async with db.transaction() as session:
                session.add(
                    QboConnection(
                        company_id="acme",
                        realm_id="9341453050000001",
                        company_name="ESP Demo Promotions",
                        status="connected",
                        access_token_enc=box.encrypt("access-token-value"),
                        refresh_token_enc=box.encrypt("refresh-token-value"),
                        connected_at=reauthorized,
                        reauthorized_at=reauthorized,
                        last_refresh_at=reauthorized + timedelta(days=170),
                        refresh_expires_at=reauthorized + timedelta(days=270),
                    )
                )
        finally:
            await db.dispose()

    asyncio.run(seed())


def test_reauth_reminders_prints_who_was_reminded_once(database_url: str) -> None:
    # Re-authorised 175 days ago: the 180-day policy deadline is 5 days away, by the real clock.
    reauthorized = datetime.now(UTC).replace(microsecond=0) - timedelta(days=175)
    _seed(database_url, SecretBox([DEV_ENCRYPTION_KEY]), reauthorized)
    env = _env(database_url, NOTIFY_WEBHOOK_URL="http://127.0.0.1:9/esp/hooks")
    deadline = (reauthorized + timedelta(days=180)).isoformat()

    first = invoke(["reauth-reminders"], env=env)

    assert first.exit_code == 0, first.output
    assert f"acme: ESP Demo Promotions must be re-authorised by {deadline} (policy)" in first.output
    assert "3 notification(s) queued" in first.output and "1 company reminded" in first.output
    assert asyncio.run(_outbox(database_url)) == (3, 1)
    again = invoke(["reauth-reminders"], env=env)
    assert "0 companies reminded" in again.output
    bad = invoke(["reauth-reminders", "--now", "next tuesday"], env=env)
    assert bad.exit_code != 0


def test_reauth_reminders_now_is_a_preview_that_queues_nothing(database_url: str) -> None:
    _seed(database_url, SecretBox([DEV_ENCRYPTION_KEY]))  # policy deadline 31 July 2026
    env = _env(database_url, NOTIFY_WEBHOOK_URL="http://127.0.0.1:9/esp/hooks")
    early = invoke(["reauth-reminders", "--now", "2026-07-20T09:00:00"], env=env)
    assert (early.exit_code, early.output.strip().splitlines()[-1]) == (
        0,
        "Preview at 2026-07-20T09:00:00+00:00: 0 companies would be reminded; nothing was queued",
    )

    preview = invoke(["reauth-reminders", "--now", "2026-07-26T09:00:00Z"], env=env)
    twice = invoke(["reauth-reminders", "--now", "2026-07-26T09:00:00Z"], env=env)

    assert preview.exit_code == 0, preview.output
    assert (
        "acme: ESP Demo Promotions must be re-authorised by 2026-07-31T09:00:00+00:00 (policy); "
        "3 notification(s) would be queued" in preview.output
    )
    assert "1 company would be reminded; nothing was queued" in preview.output
    assert twice.output == preview.output  # the once-per-deadline slot is still free
    assert asyncio.run(_outbox(database_url)) == (0, 0)


async def _outbox(database_url: str) -> tuple[int, int]:
    """(notifications queued, deadlines marked as reminded)."""
    db = Database.from_url(database_url)
    try:
        async with db.sessions() as session:
            notices = await session.scalar(select(func.count()).select_from(Notification))
            reminded = await session.scalar(select(func.count()).select_from(ReauthReminder))
            return int(notices or 0), int(reminded or 0)
    finally:
        await db.dispose()


def test_rotate_keys_reencrypts_so_the_old_key_can_go(database_url: str) -> None:
    _seed(database_url, SecretBox([DEV_ENCRYPTION_KEY]))
    new_key = generate_key()
    rotated = invoke(
        ["rotate-keys"], env=_env(database_url, ENCRYPTION_KEYS=f"{new_key},{DEV_ENCRYPTION_KEY}")
    )
    assert rotated.exit_code == 0, rotated.output
    assert "2 token(s) re-encrypted, 0 already on the newest key, 0 unreadable" in rotated.output
    only_new = invoke(["rotate-keys"], env=_env(database_url, ENCRYPTION_KEYS=new_key))
    assert "0 token(s) re-encrypted, 2 already on the newest key" in only_new.output
    row = asyncio.run(_row(database_url))
    assert row is not None and row.refresh_token_enc is not None
    assert SecretBox([new_key]).decrypt(row.refresh_token_enc) == "refresh-token-value"
    lost = invoke(["rotate-keys"], env=_env(database_url, ENCRYPTION_KEYS=generate_key()))
    assert lost.exit_code == 1 and "2 unreadable" in lost.output, lost.output


async def _row(database_url: str) -> QboConnection | None:
    db = Database.from_url(database_url)
    try:
        return await connection_row(db)
    finally:
        await db.dispose()


def test_deliver_notifications_reports_what_happened(database_url: str) -> None:
    async def queue() -> None:
        db = Database.from_url(database_url)
        try:
            await seed_installed_company(db, emails=["ann@acme.example"])
            async with db.transaction() as session:
                await notify_company_admins(
                    session,
                    "acme",
                    kind="qbo.reauth_required",
                    subject="QuickBooks Online needs to be re-authorised now",
                    body="…",
                    dedupe_key="cli-test",
                    settings=get_settings().model_copy(
                        update={"notify_webhook_url": f"http://127.0.0.1:{free_port()}/x"}
                    ),
                )
        finally:
            await db.dispose()

    asyncio.run(queue())
    result = invoke(["deliver-notifications"], env=_env(database_url))
    assert result.exit_code == 0, result.output
    assert "0 sent, 2 will be retried, 0 given up" in result.output
    assert "e-mail is not configured (SMTP_HOST is not set)" in result.output
    assert "the webhook could not be reached" in result.output


def test_scheduler_check_answers_whether_the_database_does(database_url: str) -> None:
    ok = invoke(["scheduler", "--check"], env=_env(database_url))
    assert (ok.exit_code, ok.output.strip()) == (0, "ok")
    down = invoke(["scheduler", "--check"], env=_env(f"postgresql://postgres@127.0.0.1:{free_port()}/none"))
    assert down.exit_code == 1
