"""The scheduler: runs guarded by a PostgreSQL advisory lock, and the real APScheduler loop doing its
jobs (reminder queued, then delivered to a local webhook receiver)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from espqb.api.deps import gateway_state
from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import QboConnection
from espqb.db.types import utcnow
from espqb.security.crypto import SecretBox
from qbo_gateway.app import create_app
from qbo_gateway.connection import TokenProvider
from qbo_gateway.connection.runtime import ConnectionRuntime
from qbo_gateway.connection.scheduler import ConnectionScheduler, advisory_lock_key, run_exclusively
from qbo_gateway.state import QboState
from tests.notifications.outbox_support import outbox
from tests.notifications.receivers import webhook_receiver
from tests.qbo.connection.conftest import INTUIT_TEST_URL, intuit_settings
from tests.qbo.connection.connection_support import seed_installed_company
from tests.support.api import running

LOCK = advisory_lock_key("espqb.tests.scheduler")


async def test_a_run_is_skipped_while_another_process_holds_its_lock(db: Database) -> None:
    runs: list[str] = []

    async def job() -> None:
        runs.append("ran")

    if not db.is_postgres:
        assert await run_exclusively(db, LOCK, job) is True  # SQLite: no second process to guard against
        assert runs == ["ran"]
        return
    async with db.engine.connect() as other_process:
        assert await other_process.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK})
        assert await run_exclusively(db, LOCK, job) is False
        assert runs == []
        await other_process.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK})
        await other_process.commit()
    assert await run_exclusively(db, LOCK, job) is True
    assert await run_exclusively(db, LOCK, job) is True  # and it let go of the lock after the run
    assert runs == ["ran", "ran"]


async def test_two_overlapping_runs_one_runs_one_skips(db: Database) -> None:
    if not db.is_postgres:
        pytest.skip("advisory locks are PostgreSQL's")
    started, release = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        started.set()
        await release.wait()

    first = asyncio.create_task(run_exclusively(db, LOCK, slow))
    await started.wait()
    second = await run_exclusively(db, LOCK, slow)
    release.set()
    assert (await first, second) == (True, False)


async def test_the_scheduler_reminds_and_delivers_on_its_own(
    db: Database, box: SecretBox, settings: Settings, provider: TokenProvider
) -> None:
    now = utcnow()
    await seed_installed_company(db, emails=[])
    async with db.transaction() as session:
        session.add(
            QboConnection(
                company_id="acme",
                realm_id="9341453050000001",
                status="connected",
                refresh_token_enc=box.encrypt("not-a-real-refresh-token"),
                connected_at=now - timedelta(days=176),
                reauthorized_at=now - timedelta(days=176),
                last_refresh_at=now,
                refresh_expires_at=now + timedelta(days=100),
            )
        )
    async with webhook_receiver() as receiver, httpx.AsyncClient() as http:
        hooked = settings.model_copy(update={"notify_webhook_url": receiver.url})
        scheduler = ConnectionScheduler(db, hooked, provider, http, delivery_every=timedelta(seconds=0.2))
        scheduler.start()
        try:
            await asyncio.wait_for(receiver.arrived.wait(), 10)
        finally:
            await scheduler.stop()
        assert not scheduler.running
    [note] = await outbox(db, "acme")
    assert (note.kind, note.status) == ("qbo.reauth_due", "sent")
    assert receiver.received[0].headers["x-espqb-event"] == "qbo.reauth_due"


async def test_the_gateway_runs_the_scheduler_in_process_only_when_told(database_url: str) -> None:
    for in_process in (True, False):
        settings = intuit_settings(database_url, INTUIT_TEST_URL, run_worker_in_process=in_process)
        async with running(create_app, settings) as (app, _client):
            runtime: ConnectionRuntime = gateway_state(app.state.ctx, QboState).connection
            scheduler = runtime.scheduler
            assert (scheduler is not None and scheduler.running) is in_process
        assert runtime.scheduler is None
