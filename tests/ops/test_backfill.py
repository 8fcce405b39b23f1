"""`espqb backfill FILE`: past orders sent one by one, only when asked, and never twice.

The headline scenario runs the command as ops would, on SQLite and PostgreSQL, for a QuickBooks
Desktop company: its sends wait for the Web Connector, so what the command queued is exactly what
is in the table afterwards. Two scenarios then follow backfilled orders all the way into
QuickBooks — Desktop through a Web Connector update, Online through the send worker the command
can run in-process — and run the backfill again.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from typer.testing import CliRunner, Result

from espqb.config import get_settings
from espqb.db import Database
from espqb.db.models import AuditEntry, Mapping, SendJob
from espqb.integration import service as integration_service
from espqb.integration.schemas import SettingsBody
from espqb.ops import OrderOutcome, OrderResult, parse_backfill_lines, run_backfill, wait_for_jobs
from espqb.orders.examples import a7102_request
from espqb_cli.main import app
from tests.qbo.sending.harness import send_harness
from tests.qbwc.harness import office

runner = CliRunner()
COMPANY = "acme"
ACCOUNTS = {
    "ar": {"name": "Accounts Receivable"},
    "income": {"name": "Sales"},
    "ap": {"name": "Accounts Payable"},
    "cogs": {"name": "Cost of Goods Sold"},
}


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def invoke(args: list[str], database_url: str) -> Result:
    get_settings.cache_clear()  # as a new process would, the command reads the environment it is given
    return runner.invoke(app, args, env={"DATABASE_URL": database_url, "ENV": "development"})


def request_body(number: int, *, bare: bool = False) -> dict[str, Any]:
    """The A7102 order under another number and customer; `bare`: the snapshot alone."""
    body = a7102_request().model_dump(mode="json")
    body["order"]["order_number"] = f"B{number:04d}"
    body["order"]["customer"]["esp_id"] = f"C{number:04d}"
    body["order"]["customer"]["company_name"] = f"Customer {number:04d}"
    return body["order"] if bare else body


def invalid_orders() -> dict[int, tuple[str, str]]:
    """Line number → (the line, the field path the report must name): five different reasons."""
    nameless = request_body(9001)
    nameless["order"]["customer"] = {"esp_id": "C9001"}
    stranger = request_body(9002, bare=True)
    stranger["lines"][0]["supplier_id"] = "S-UNKNOWN"
    wrong_total = request_body(9003)
    wrong_total["order"]["total"] = "300.00"
    overpaid = request_body(9004, bare=True)
    overpaid["payments"][0]["amount"] = "500.00"
    return {
        17: ('{"order": {"order_number": "B9000", "total": ', "line"),
        42: (json.dumps(nameless), "order.customer"),
        99: (json.dumps(stranger), "order.lines[0].supplier_id"),
        150: (json.dumps(wrong_total), "order.total"),
        188: (json.dumps(overpaid), "order.payments"),
    }


def write_file(path: Path, total: int, invalid: dict[int, tuple[str, str]]) -> list[str]:
    """`total` lines; the valid ones alternate between send requests and bare snapshots."""
    lines, numbers = [], []
    for line_number in range(1, total + 1):
        if line_number in invalid:
            lines.append(invalid[line_number][0])
            continue
        lines.append(json.dumps(request_body(line_number, bare=line_number % 2 == 0)))
        numbers.append(f"B{line_number:04d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return numbers


def summary(output: str) -> dict[str, int]:
    found = re.findall(r"^  (queued|would send|already sent|already queued|failed)\s+(\d+)$", output, re.M)
    return {name: int(count) for name, count in found}


async def _install(database_url: str, product: str, **settings: Any) -> None:
    db = Database.from_url(database_url)
    try:
        async with db.transaction() as session:
            await integration_service.install(session, COMPANY, product, "alice")  # type: ignore[arg-type]
            body = SettingsBody.model_validate({"default_accounts": ACCOUNTS, **settings})
            await integration_service.update_settings(session, COMPANY, body, "alice")
    finally:
        await db.dispose()


async def _jobs(database_url: str) -> list[SendJob]:
    db = Database.from_url(database_url)
    try:
        async with db.sessions() as session:
            return list((await session.scalars(select(SendJob).order_by(SendJob.order_number))).all())
    finally:
        await db.dispose()


def test_backfill_of_200_orders_with_5_invalid_sends_195_and_a_second_run_nothing_new(
    database_url: str, tmp_path: Path
) -> None:
    asyncio.run(_install(database_url, "qbd"))
    invalid = invalid_orders()
    valid_numbers = write_file(tmp_path / "orders.jsonl", 200, invalid)

    first = invoke(["backfill", str(tmp_path / "orders.jsonl"), "--company", COMPANY], database_url)

    assert first.exit_code == 1, first.output  # some orders failed
    assert summary(first.stdout) == {"queued": 195, "already sent": 0, "already queued": 0, "failed": 5}
    for line_number, (_text, path) in invalid.items():
        assert re.search(
            rf"^  line {line_number} \(order [^)]+\): {re.escape(path)}: \S", first.stdout, re.M
        ), (
            line_number,
            first.stdout,
        )
    assert "Traceback" not in first.output
    jobs = asyncio.run(_jobs(database_url))
    assert [job.order_number for job in jobs] == valid_numbers
    assert {job.status for job in jobs} == {"waiting_for_web_connector"}  # Desktop: the Web Connector pulls
    assert {job.idempotency_key for job in jobs} == {f"backfill:{n}" for n in valid_numbers}
    assert {job.requested_by for job in jobs} == {"espqb-backfill"}
    bare = next(job for job in jobs if job.order_number == "B0002")
    assert bare.payload["choices"]["customer"] is None  # a bare snapshot goes with the default choices

    second = invoke(["backfill", str(tmp_path / "orders.jsonl"), "--company", COMPANY], database_url)

    assert second.exit_code == 1
    assert summary(second.stdout) == {"queued": 0, "already sent": 0, "already queued": 195, "failed": 5}
    assert len(asyncio.run(_jobs(database_url))) == 195


def test_dry_run_reports_without_queueing(database_url: str, tmp_path: Path) -> None:
    asyncio.run(_install(database_url, "qbd"))
    invalid = {3: invalid_orders()[150]}
    write_file(tmp_path / "orders.jsonl", 4, invalid)

    result = invoke(
        ["backfill", str(tmp_path / "orders.jsonl"), "--company", COMPANY, "--dry-run"], database_url
    )

    assert result.exit_code == 1
    assert summary(result.stdout) == {"would send": 3, "already sent": 0, "already queued": 0, "failed": 1}
    assert "line 3 (order B9003): order.total: ESP's order total is 300.00" in result.stdout
    assert asyncio.run(_jobs(database_url)) == []


def test_an_order_asking_for_a_document_the_settings_forbid_fails_with_the_reason(
    database_url: str, tmp_path: Path
) -> None:
    asyncio.run(_install(database_url, "qbd", allow_bills=False))
    write_file(tmp_path / "orders.jsonl", 2, {})  # line 1 asks for a bill; line 2 takes the defaults

    result = invoke(["backfill", str(tmp_path / "orders.jsonl"), "--company", COMPANY], database_url)

    assert result.exit_code == 1
    assert summary(result.stdout) == {"queued": 1, "already sent": 0, "already queued": 0, "failed": 1}
    assert "line 1 (order B0001): order: Your company's QuickBooks settings do not allow sending bills" in (
        result.stdout
    )
    assert [job.order_number for job in asyncio.run(_jobs(database_url))] == ["B0002"]


def test_the_same_order_twice_in_a_file_is_refused_the_second_time(database_url: str, tmp_path: Path) -> None:
    asyncio.run(_install(database_url, "qbd"))
    once = json.dumps(request_body(1))
    changed = request_body(1)
    changed["order"]["lines"][0]["quantity"] = "50"
    changed["order"]["total"] = "103.50"
    (tmp_path / "orders.jsonl").write_text(f"{once}\n\n{json.dumps(changed)}\n", encoding="utf-8")

    result = invoke(["backfill", str(tmp_path / "orders.jsonl"), "--company", COMPANY], database_url)

    assert summary(result.stdout)["queued"] == 1
    assert "line 3 (order B0001): order.order_number: order B0001 is also on line 1" in result.stdout
    assert len(asyncio.run(_jobs(database_url))) == 1


def test_wait_reports_sends_still_waiting_for_the_web_connector(database_url: str, tmp_path: Path) -> None:
    asyncio.run(_install(database_url, "qbd"))
    write_file(tmp_path / "orders.jsonl", 3, {})

    result = invoke(
        ["backfill", str(tmp_path / "orders.jsonl"), "--company", COMPANY, "--wait", "--timeout", "0"],
        database_url,
    )

    assert result.exit_code == 3, result.output  # nothing failed, but the wait timed out
    assert summary(result.stdout)["queued"] == 3
    assert "Queued sends wait for the Web Connector" in result.stdout
    assert (
        "Queued sends: 0 sent to QuickBooks, 0 partly sent, 0 failed, 0 cancelled, 3 not finished yet"
        in result.stdout
    )
    assert "Timed out after 0 s with 3 send(s) not finished" in result.stderr


def test_a_company_without_quickbooks_is_refused_before_anything_is_read(
    database_url: str, tmp_path: Path
) -> None:
    write_file(tmp_path / "orders.jsonl", 2, {})

    result = invoke(["backfill", str(tmp_path / "orders.jsonl"), "--company", COMPANY], database_url)

    assert result.exit_code == 2
    assert "Cannot backfill company acme: Install QuickBooks Online or Desktop first" in result.output


def test_run_worker_is_only_for_quickbooks_online(database_url: str, tmp_path: Path) -> None:
    asyncio.run(_install(database_url, "qbd"))
    write_file(tmp_path / "orders.jsonl", 2, {})

    result = invoke(
        ["backfill", str(tmp_path / "orders.jsonl"), "--company", COMPANY, "--run-worker"], database_url
    )

    assert result.exit_code == 2
    assert "sent by the Web Connector" in result.output
    assert asyncio.run(_jobs(database_url)) == []


def _entries(numbers: range) -> list[Any]:
    return list(parse_backfill_lines(json.dumps(request_body(n)) for n in numbers))


async def test_desktop_orders_written_by_the_web_connector_count_as_already_sent(database_url: str) -> None:
    async with office(database_url) as place:
        db = Database.from_url(database_url)
        try:
            first = await run_backfill(db, _entries(range(1, 4)), company_id=COMPANY, max_attempts=3)
            assert [r.outcome for r in first.results] == [OrderOutcome.SENT] * 3

            await place.update()  # the Web Connector's next update writes them to the company file

            done = await wait_for_jobs(db, first.queued_job_ids, timeout_seconds=0)
            assert [(state.order_number, state.status) for state in done] == [
                ("B0001", "succeeded"),
                ("B0002", "succeeded"),
                ("B0003", "succeeded"),
            ]
            invoices = place.company.documents("Invoice")
            assert sorted(invoice["RefNumber"] for invoice in invoices) == ["B0001", "B0002", "B0003"]

            again = await run_backfill(db, _entries(range(1, 5)), company_id=COMPANY, max_attempts=3)
            assert [r.outcome for r in again.results] == [OrderOutcome.ALREADY_SENT] * 3 + [OrderOutcome.SENT]
            assert again.results[0].detail is not None and "invoice" in again.results[0].detail
        finally:
            await db.dispose()


async def test_online_orders_are_sent_by_the_worker_the_wait_runs(db: Database) -> None:
    async with send_harness(db) as harness:
        entries = _entries(range(1, 6))
        broken = copy.deepcopy(request_body(6))
        broken["order"]["total"] = "1.00"
        entries += list(parse_backfill_lines([json.dumps(broken)]))

        report = await run_backfill(db, entries, company_id=COMPANY, max_attempts=3)
        assert [r.outcome for r in report.results] == [OrderOutcome.SENT] * 5 + [OrderOutcome.FAILED]
        assert harness.books("Invoice") == []  # queued, not sent: the worker has not run

        states = await wait_for_jobs(
            db, report.queued_job_ids, timeout_seconds=60, run_worker=harness.runtime.run_once
        )

        assert [state.status for state in states] == ["succeeded"] * 5
        invoices = harness.books("Invoice")
        assert sorted(str(invoice["TotalAmt"]) for invoice in invoices) == ["218.5"] * 5
        again = await run_backfill(db, entries, company_id=COMPANY, max_attempts=3)
        assert [r.outcome for r in again.results] == [OrderOutcome.ALREADY_SENT] * 5 + [OrderOutcome.FAILED]
        async with db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(SendJob)) == 5


async def test_documents_quickbooks_reports_deleted_do_not_count_as_sent(
    db: Database, database_url: str
) -> None:
    await _install(database_url, "qbd")
    async with db.transaction() as session:
        for number, qb_status in (("B0001", None), ("B0002", "deleted")):
            session.add(
                Mapping(
                    company_id=COMPANY,
                    target="qbd",
                    kind="invoice",
                    esp_key=number,
                    order_number=number,
                    qb_id=f"TXN-{number}",
                    qb_ref_number=number,
                    qb_status=qb_status,
                )
            )

    report = await run_backfill(db, _entries(range(1, 3)), company_id=COMPANY, max_attempts=3)

    assert [(r.order_number, r.outcome) for r in report.results] == [
        ("B0001", OrderOutcome.ALREADY_SENT),
        ("B0002", OrderOutcome.SENT),
    ]
    assert report.results[0].detail == "already in QuickBooks: invoice B0001"


async def test_orders_are_queued_a_batch_per_statement_and_a_failed_earlier_send_is_reported_on_its_line(
    db: Database, database_url: str
) -> None:
    await _install(database_url, "qbd")
    first = await run_backfill(db, _entries(range(2, 3)), company_id=COMPANY, max_attempts=3)
    async with db.transaction() as session:  # that backfill send ended without writing the order
        job = await session.get(SendJob, first.queued_job_ids[0])
        assert job is not None
        job.status, job.last_error = "failed", "QuickBooks was closed"
    inserts: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith(("INSERT INTO send_jobs", "WITH job AS")):
            inserts.append(statement)

    heard: list[OrderResult] = []
    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        report = await run_backfill(
            db,
            _entries(range(1, 6)),
            company_id=COMPANY,
            max_attempts=3,
            batch_size=2,
            on_result=heard.append,
        )
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)

    assert [(r.order_number, r.outcome) for r in report.results] == [
        ("B0001", OrderOutcome.SENT),
        ("B0002", OrderOutcome.FAILED),
        ("B0003", OrderOutcome.SENT),
        ("B0004", OrderOutcome.SENT),
        ("B0005", OrderOutcome.SENT),
    ]
    assert heard == report.results
    assert (
        report.results[1]
        .problems[0]
        .message.startswith("an earlier backfill send of this order ended failed: QuickBooks was closed")
    )
    # Three batches (2 + 2 + 1 orders), one INSERT each, and B0002's own try as a single send (its
    # key was taken), which found its failed job.
    assert len(inserts) == 4
    jobs = await _jobs(database_url)
    assert [(job.order_number, job.status) for job in jobs] == [
        ("B0001", "waiting_for_web_connector"),
        ("B0002", "failed"),
        ("B0003", "waiting_for_web_connector"),
        ("B0004", "waiting_for_web_connector"),
        ("B0005", "waiting_for_web_connector"),
    ]
    async with db.sessions() as session:
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.event == "job.enqueued"))).all()
    assert sorted((e.job_id, e.actor, e.message) for e in entries) == sorted(
        (job.id, "espqb-backfill", f"Order {job.order_number} queued for QuickBooks Desktop") for job in jobs
    )
    assert all(job.planned_steps for job in jobs if job.order_number != "B0002")
