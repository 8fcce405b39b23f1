"""espqb reauth-reminders / rotate-keys / scheduler / deliver-notifications: QuickBooks Online upkeep."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from espqb.config import Settings
    from qbo_gateway.connection.reminders import SentReminder


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 time, e.g. 2026-05-01T09:00:00Z") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _print_reminder(reminder: SentReminder) -> None:
    books = reminder.company_name or f"realm {reminder.realm_id}"
    queued = "would be queued" if reminder.preview else "queued"
    typer.echo(
        f"{reminder.company_id}: {books} must be re-authorised by {reminder.deadline.at.isoformat()} "
        f"({reminder.deadline.kind.value}); {reminder.notifications} notification(s) {queued}"
    )


def reauth_reminders(
    now: str | None = typer.Option(
        None,
        "--now",
        help="Preview: who would be reminded at this time (ISO 8601, UTC if no offset). Nothing is "
        "queued or marked as reminded.",
    ),
) -> None:
    """Queue re-authorisation reminders for QuickBooks Online connections due within REAUTH_NOTICE_DAYS.

    Safe to run from cron as often as you like, and alongside `espqb scheduler`: each deadline is
    reminded once. Prints every company reminded; `espqb deliver-notifications` (or the scheduler)
    sends them. With --now it is a dry run: it prints what would be sent then, writes nothing, and
    the reminders still go out when the real clock reaches them."""
    from espqb.config import get_settings
    from espqb.db import Database
    from espqb.db.types import utcnow
    from qbo_gateway.connection.reminders import run_reauth_reminders

    moment = _parse_now(now)
    settings = get_settings()

    def clock() -> datetime:
        return moment or utcnow()

    async def run() -> int:
        db = Database.from_url(settings.database_url)
        try:
            return await run_reauth_reminders(
                db, settings, clock, on_sent=_print_reminder, dry_run=moment is not None
            )
        finally:
            await db.dispose()

    sent = asyncio.run(run())
    companies = f"{sent} compan{'y' if sent == 1 else 'ies'}"
    if moment is None:
        typer.echo(f"{companies} reminded")
    else:
        typer.echo(f"Preview at {moment.isoformat()}: {companies} would be reminded; nothing was queued")


def rotate_keys() -> None:
    """Re-encrypt every stored QuickBooks Online token with the newest key of ENCRYPTION_KEYS.

    Put the new key first in ENCRYPTION_KEYS (keep the old ones after it), run this, then the old
    keys can be removed. Exits 1 if some token could not be decrypted with any configured key."""
    from espqb.config import get_settings
    from espqb.db import Database
    from espqb.security.crypto import SecretBox
    from qbo_gateway.connection.key_rotation import rotate_token_encryption

    settings = get_settings()

    async def run() -> tuple[int, int, int, int]:
        db = Database.from_url(settings.database_url)
        try:
            report = await rotate_token_encryption(
                db, SecretBox.from_setting(settings.encryption_keys.get_secret_value())
            )
        finally:
            await db.dispose()
        return report.connections, report.rotated, report.already_current, report.unreadable

    connections, rotated, current, unreadable = asyncio.run(run())
    typer.echo(
        f"{connections} connection(s): {rotated} token(s) re-encrypted, {current} already on the newest key, "
        f"{unreadable} unreadable"
    )
    if unreadable:
        typer.echo(
            "Some tokens are encrypted with a key that is no longer configured; keep the old keys.", err=True
        )
        raise typer.Exit(1)


async def _database_answers(settings: Settings) -> bool:
    from sqlalchemy import text

    from espqb.db import Database

    db = Database.from_url(settings.database_url)
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        await db.dispose()


def scheduler(
    check: bool = typer.Option(
        False, "--check", help="Only check that the database answers (exit 0) and stop."
    ),
    metrics_port: int = typer.Option(
        0, "--metrics-port", help="Serve Prometheus metrics on this port while running (0: do not)."
    ),
) -> None:
    """Run the QuickBooks Online scheduler until stopped (SIGTERM/Ctrl-C): re-authorisation reminders
    hourly, the keep-alive token refresh daily, notification delivery every 10 seconds.

    Run it in exactly one process; each run also takes a PostgreSQL advisory lock, so a second copy
    only skips runs. `--check` is a container health check."""
    from espqb.config import get_settings

    settings = get_settings()
    if check:
        if not asyncio.run(_database_answers(settings)):
            typer.echo("the database does not answer", err=True)
            raise typer.Exit(1)
        typer.echo("ok")
        return

    asyncio.run(_run_scheduler(settings, metrics_port))


async def _run_scheduler(settings: Settings, metrics_port: int) -> None:
    from espqb.db import Database
    from espqb.observability.logging import configure_from_settings
    from espqb.observability.metrics import serve_metrics
    from espqb.security.crypto import SecretBox
    from qbo_gateway.connection.runtime import build_runtime

    configure_from_settings(settings)
    # Keep-alive token refreshes (and their failures) are counted in this process.
    serve_metrics(metrics_port)
    db = Database.from_url(settings.database_url)
    runtime = build_runtime(db, settings, SecretBox.from_setting(settings.encryption_keys.get_secret_value()))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    runtime.start_scheduler()
    typer.echo("scheduler running (reminders hourly, keep-alive daily, notifications every 10 s)")
    try:
        await stop.wait()
    finally:
        await runtime.aclose()
        await db.dispose()


def deliver_notifications() -> None:
    """Send every notification that is due now (webhook to ESP, e-mail) once, and print the result.

    The scheduler does this every 10 seconds; this command is for cron set-ups and for trying out
    the SMTP and webhook settings."""
    import httpx

    from espqb.config import get_settings
    from espqb.db import Database
    from espqb.notifications import deliver_due

    settings = get_settings()

    async def run() -> tuple[int, int, int, list[str]]:
        db = Database.from_url(settings.database_url)
        try:
            async with httpx.AsyncClient(timeout=30.0) as http:
                report = await deliver_due(db, settings, http=http)
        finally:
            await db.dispose()
        return report.sent, report.retrying, report.gave_up, report.errors

    sent, retrying, gave_up, errors = asyncio.run(run())
    for error in errors:
        typer.echo(error, err=True)
    typer.echo(f"{sent} sent, {retrying} will be retried, {gave_up} given up")
