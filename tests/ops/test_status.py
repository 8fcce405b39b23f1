"""`espqb status`: the dashboard's figures as tables in a terminal, read from the database."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from espqb.config import get_settings
from espqb.db import Database
from espqb.db.models import Company, QboConnection, QboWebhookNotice, QbwcCredential, SendJob
from espqb.db.types import utcnow
from espqb_cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def invoke(args: list[str], database_url: str) -> Result:
    get_settings.cache_clear()
    return runner.invoke(
        app, args, env={"DATABASE_URL": database_url, "ENV": "development", "COLUMNS": "250"}
    )


def _job(company: str, number: str, target: str, status: str, created: datetime, **extra: Any) -> SendJob:
    return SendJob(
        id=uuid.uuid4(),
        company_id=company,
        order_number=number,
        target=target,
        status=status,
        payload={},
        attempts=1,
        max_attempts=3,
        run_after=created,
        warnings=[],
        created_at=created,
        updated_at=created,
        **extra,
    )


def _connection(company: str, status: str, reauthorized: timedelta, rolling: timedelta, **extra: Any) -> Any:
    now = utcnow()
    return QboConnection(
        company_id=company,
        realm_id=f"realm-{company}",
        company_name=f"{company.title()} Books",
        status=status,
        connected_at=now - reauthorized,
        reauthorized_at=now - reauthorized,
        refresh_expires_at=now + rolling,
        last_refresh_at=now - timedelta(hours=3),
        **extra,
    )


def _notice(
    company: str, entity: str, entity_id: str, operation: str, status: str, received: datetime, **extra: Any
) -> QboWebhookNotice:
    return QboWebhookNotice(
        company_id=company,
        realm_id=f"realm-{company}",
        notice={"entity": entity, "entity_id": entity_id, "operation": operation, "occurred_at": None},
        status=status,
        attempts=8 if status == "failed" else 0,
        next_attempt_at=received,
        received_at=received,
        **extra,
    )


async def _seed(database_url: str) -> None:
    now = utcnow()
    db = Database.from_url(database_url)
    try:
        async with db.transaction() as session:
            for company in ("acme", "bolt", "cove", "dune"):
                session.add(Company(id=company, name=company.title()))
            await session.flush()
            session.add_all(
                [
                    _job("acme", "1", "qbo", "queued", now - timedelta(minutes=5)),
                    _job("acme", "2", "qbo", "queued", now - timedelta(minutes=1)),
                    _job("acme", "3", "qbo", "held", now - timedelta(hours=2), hold_reason="reauth"),
                    _job("bolt", "4", "qbd", "waiting_for_web_connector", now - timedelta(hours=1)),
                    _job(
                        "acme",
                        "5",
                        "qbo",
                        "succeeded",
                        now - timedelta(hours=5),
                        finished_at=now - timedelta(hours=4),
                    ),
                    _job(
                        "acme",
                        "6",
                        "qbo",
                        "succeeded",
                        now - timedelta(hours=3),
                        finished_at=now - timedelta(hours=2),
                    ),
                    _job(
                        "acme",
                        "7",
                        "qbo",
                        "failed",
                        now - timedelta(hours=2),
                        finished_at=now - timedelta(hours=1),
                        last_error="The income account is inactive in QuickBooks.",
                    ),
                    # Finished two days ago: outside the last 24 hours.
                    _job(
                        "acme",
                        "8",
                        "qbo",
                        "failed",
                        now - timedelta(days=3),
                        finished_at=now - timedelta(days=2),
                    ),
                    _job(
                        "bolt",
                        "9",
                        "qbd",
                        "succeeded",
                        now - timedelta(hours=6),
                        finished_at=now - timedelta(hours=5),
                    ),
                ]
            )
            session.add(
                QbwcCredential(
                    company_id="bolt",
                    username="esp-bolt",
                    file_id="{file}",
                    last_poll_at=now - timedelta(minutes=14),
                    last_session_outcome="Sent 1 order.",
                    failed_logins=0,
                )
            )
            session.add_all(
                [
                    # Reauthorised 170 days ago: ESP's 180-day policy ends in 10 days.
                    _connection("acme", "connected", timedelta(days=170), timedelta(days=90)),
                    # Far from any deadline: not listed.
                    _connection("cove", "connected", timedelta(days=10), timedelta(days=99)),
                    # Intuit refused the refresh token a day after it expired.
                    _connection(
                        "dune",
                        "needs_reauth",
                        timedelta(days=120),
                        -timedelta(days=1, hours=1),
                        last_error="Intuit refused the refresh token (invalid_grant).",
                    ),
                ]
            )
            session.add_all(
                [
                    _notice("acme", "Invoice", "130", "Void", "pending", now - timedelta(minutes=20)),
                    _notice("acme", "Payment", "131", "Create", "pending", now - timedelta(minutes=2)),
                    _notice("cove", "Bill", "7", "Delete", "processed", now - timedelta(hours=3)),
                    _notice(
                        "dune",
                        "Invoice",
                        "88",
                        "Update",
                        "failed",
                        now - timedelta(hours=2),
                        last_error="QboNeedsReauth: the connection needs re-authorisation",
                    ),
                    _notice(
                        "acme", "Bill", "9", "Void", "failed", now - timedelta(hours=5), last_error="older"
                    ),
                ]
            )
    finally:
        await db.dispose()


def test_status_json_has_every_figure(database_url: str) -> None:
    asyncio.run(_seed(database_url))

    result = invoke(["status", "--json"], database_url)

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(q["target"], q["status"], q["jobs"]) for q in report["queue"]] == [
        ("qbd", "waiting_for_web_connector", 1),
        ("qbo", "held", 1),
        ("qbo", "queued", 2),
    ]
    sends = {(s["company_id"], s["target"]): s for s in report["sends"]}
    assert set(sends) == {("acme", "qbo"), ("bolt", "qbd")}
    assert (sends["acme", "qbo"]["succeeded"], sends["acme", "qbo"]["failed"]) == (2, 1)  # order 8 is too old
    assert sends["acme", "qbo"]["last_failure"] == "order 7: The income account is inactive in QuickBooks."
    assert (sends["bolt", "qbd"]["succeeded"], sends["bolt", "qbd"]["failed"]) == (1, 0)
    [poll] = report["web_connector"]
    assert (poll["company_id"], poll["last_session_outcome"], poll["waiting_jobs"]) == (
        "bolt",
        "Sent 1 order.",
        1,
    )
    connections = {c["company_id"]: c for c in report["qbo_connections"]}
    assert connections["dune"]["status"] == "needs_reauth"
    assert connections["dune"]["last_error"] == "Intuit refused the refresh token (invalid_grant)."
    notices = report["qbo_webhook_notices"]
    assert (notices["pending"], notices["failed"]) == (2, 2)  # the processed one is not counted
    assert notices["oldest_pending_at"] is not None
    assert datetime.fromisoformat(notices["oldest_pending_at"]) < utcnow() - timedelta(minutes=19)
    assert notices["last_failure"] == (
        "dune: Invoice 88 Update — QboNeedsReauth: the connection needs re-authorisation"
    )
    assert [(d["company_id"], d["kind"], d["days_left"]) for d in report["deadlines"]] == [
        ("dune", "refresh_rolling", -2),
        ("acme", "policy", 9),
    ]


def test_status_tables_show_the_same_figures(database_url: str) -> None:
    asyncio.run(_seed(database_url))

    result = invoke(["status"], database_url)

    assert result.exit_code == 0, result.output
    out = result.stdout
    for title in (
        "Send queue (jobs not finished)",
        "Sends finished in the last 24 h",
        "Web Connector",
        "QuickBooks Online connections",
        "Re-authorisation deadlines in the next 14 days",
    ):
        assert title in out
    assert "waiting_for_web_connector" in out and "esp-bolt" in out and "(14 min ago)" in out
    assert "order 7: The income account is inactive in QuickBooks." in out
    assert "Intuit refused the refresh token (invalid_grant)." in out
    assert "Intuit's webhook notices" in out and "given up after every retry" in out
    assert "dune: Invoice 88 Update — QboNeedsReauth" in out and "(20 min ago)" in out
    assert "Acme Books" in out and "Cove Books" in out  # every connection is listed…
    deadlines = out.split("Re-authorisation deadlines in the next 14 days")[1]
    assert "Acme Books" in deadlines and "Cove Books" not in deadlines  # …only near deadlines here


def test_status_of_an_empty_installation_says_so(database_url: str) -> None:
    result = invoke(["status"], database_url)

    assert result.exit_code == 0, result.output
    assert "Send queue: empty" in result.stdout
    assert "Intuit's webhook notices: all applied" in result.stdout
    assert "Re-authorisation deadlines in the next 14 days: none" in result.stdout


def test_status_days_widens_the_deadline_window(database_url: str) -> None:
    asyncio.run(_seed(database_url))

    result = invoke(["status", "--json", "--days", "120"], database_url)

    companies = [d["company_id"] for d in json.loads(result.stdout)["deadlines"]]
    assert companies == ["dune", "acme", "cove"]
