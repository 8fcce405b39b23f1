"""The queue takes its settings from its caller: an app built with ``create_app(settings=X)`` sends
with X's values even when the environment says otherwise (nothing below the app reads it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import cast

import pytest
from sqlalchemy import select

from espqb.config import Settings, get_settings
from espqb.db import Database
from espqb.db.models import Notification
from espqb.queue import BackoffPolicy, ClaimedJob, JobOutcome, Worker
from qb_sandbox.webconnector import SessionOutcome
from qbo_gateway.client import TokenSource
from qbo_gateway.worker import build_sending
from tests.qbwc.harness import office, set_tax_rate, taxed_a7102
from tests.queue.queue_support import audit_events

# What the environment says; the app's settings say otherwise.
ENVIRONMENT = {
    "JOB_MAX_ATTEMPTS": "5",
    "JOB_LEASE_SECONDS": "600",
    "JOB_POLL_SECONDS": "9",
    "JOB_BACKOFF_BASE_SECONDS": "100",
    "JOB_BACKOFF_MAX_SECONDS": "1000",
    "NOTIFY_WEBHOOK_URL": "https://environment.example/hook",
}
APP_HOOK = "https://esp.example/quickbooks-events"


def _queue_settings() -> Settings:
    """A process's settings with other queue values than the environment's."""
    return Settings(
        env="development",
        job_lease_seconds=7,
        job_poll_seconds=0.25,
        job_backoff_base_seconds=3,
        job_backoff_max_seconds=30,
    )


@pytest.fixture
def environment_says_otherwise(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()  # whoever would read the environment now reads the values above
    assert get_settings().job_max_attempts == 5
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("environment_says_otherwise")
async def test_an_enqueue_and_a_desktop_retry_honour_the_apps_settings(
    database_url: str, db: Database
) -> None:
    async with office(database_url, job_max_attempts=2) as desk:
        report = await desk.read_lists()
        assert report.outcome is SessionOutcome.COMPLETED, report.last_error
        job = await desk.send()
        assert (await desk.job(job["id"]))["max_attempts"] == 2

        desk.company.inject_record_in_use("Invoice", code=3175)
        await desk.update()
        waiting = await desk.job(job["id"])
        assert (waiting["status"], waiting["attempts"]) == ("waiting_for_web_connector", 1)

        desk.company.inject_record_in_use("Invoice", code=3175)
        await desk.update()
        failed = await desk.job(job["id"])
        # The second attempt was the last the app's settings allow (the environment would allow 5).
        assert (failed["status"], failed["attempts"]) == ("failed", 2)
        assert "someone is working on it in QuickBooks" in failed["last_error"]

    failures = [
        e.message or "" for e in await audit_events(db, uuid.UUID(job["id"])) if e.event == "job.failed"
    ]
    assert len(failures) == 1 and failures[0].startswith("Gave up after 2 attempts")


@pytest.mark.usefixtures("environment_says_otherwise")
async def test_a_desktop_drift_tells_the_apps_webhook(database_url: str, db: Database) -> None:
    async with office(database_url, notify_webhook_url=APP_HOOK) as desk:
        assert (await desk.read_lists()).outcome is SessionOutcome.COMPLETED
        job = await desk.send(taxed_a7102(tax="quickbooks_default"))
        # The plan checked ESP's tax against the rate it read; someone changes the rate in QuickBooks
        # after that, so QuickBooks computes another total.
        set_tax_rate(desk.company, "State Sales Tax", "9.25")
        await desk.update()
        assert (await desk.job(job["id"]))["flags"] == ["drift"]
    async with db.sessions() as session:
        told = (await session.execute(select(Notification.channel, Notification.recipient))).all()
    assert [tuple(row) for row in told] == [("webhook", APP_HOOK)]


@pytest.mark.usefixtures("environment_says_otherwise")
async def test_the_qbo_process_sends_with_its_settings(db: Database) -> None:
    settings = _queue_settings()
    runtime = build_sending(db, settings, cast(TokenSource, object()))
    try:
        worker = runtime.worker
        assert (worker.lease_seconds, worker.poll_seconds, worker.waker.poll_seconds) == (7, 0.25, 0.25)
        assert worker.backoff == BackoffPolicy(base_seconds=3, max_seconds=30)
        assert runtime.sender.app_settings is settings  # a drift flag tells this process's webhook
    finally:
        await runtime.aclose()


@pytest.mark.usefixtures("environment_says_otherwise")
def test_a_worker_built_from_settings_takes_their_lease_poll_and_backoff(db: Database) -> None:
    settings = _queue_settings()

    async def handler(job: ClaimedJob) -> JobOutcome:
        return JobOutcome.succeeded()

    worker = Worker.from_settings(db, settings, target="qbo", handler=handler, concurrency=2)
    assert (worker.lease_seconds, worker.poll_seconds, worker.waker.poll_seconds) == (7, 0.25, 0.25)
    assert worker.backoff == BackoffPolicy(base_seconds=3, max_seconds=30)
    assert worker.backoff.ceiling(4) == timedelta(seconds=24).total_seconds()
    assert worker.concurrency == 2
    # Options given on top win over the settings.
    assert (
        Worker.from_settings(db, settings, target="qbo", handler=handler, lease_seconds=1).lease_seconds == 1
    )
