"""`espqb worker --check` and `--once`: the send worker as a process of its own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from espqb.config import get_settings
from espqb.db import Database
from espqb.db.models import SendJob
from espqb.integration import service as integration_service
from espqb.integration.schemas import SettingsBody
from espqb.orders import a7102_request
from espqb.queue import enqueue_send
from espqb_cli.main import app


@pytest.fixture
def env_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RUN_WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    try:
        yield database_url
    finally:
        get_settings.cache_clear()


async def _queue_a_send(database_url: str) -> uuid.UUID:
    db = Database.from_url(database_url)
    try:
        async with db.transaction() as session:
            await integration_service.install(session, "acme", "qbo", "alice")
            accounts = {
                role: {"id": str(n)} for n, role in enumerate(("ar", "income", "ap", "cogs"), start=1)
            }
            body = SettingsBody.model_validate({"default_accounts": accounts})
            await integration_service.update_settings(session, "acme", body, "alice")
            result = await enqueue_send(
                session,
                company_id="acme",
                order_number="10245",
                target="qbo",
                payload=a7102_request().model_dump(mode="json"),
                requested_by="alice",
            )
            return result.job.id
    finally:
        await db.dispose()


async def _status(database_url: str, job_id: uuid.UUID) -> str:
    db = Database.from_url(database_url)
    try:
        async with db.sessions() as session:
            job = await session.get(SendJob, job_id)
            assert job is not None
            return job.status
    finally:
        await db.dispose()


def test_check_reports_the_database_and_the_waiting_sends(env_database: str) -> None:
    asyncio.run(_queue_a_send(env_database))
    result = CliRunner().invoke(app, ["worker", "--check"])
    assert result.exit_code == 0, result.output
    assert "database: reachable" in result.output
    assert "QBO send jobs: queued 1" in result.output


def test_once_works_the_ready_sends_and_holds_those_of_an_unconnected_company(env_database: str) -> None:
    job_id = asyncio.run(_queue_a_send(env_database))
    result = CliRunner().invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 send job(s) processed" in result.output
    assert asyncio.run(_status(env_database, job_id)) == "held"


def test_check_fails_when_the_database_is_not_there(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/missing/none.sqlite3")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["worker", "--check"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "NOT reachable" in result.output
