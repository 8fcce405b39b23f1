"""What a Web Connector callback costs in SQL statements (docs/web-connector.md, "What one callback
costs"): an idle poll is one read and one update; queued orders are written in a few statements per
callback however many travel together, and what they record reads as before."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import Engine, event, select

from espqb.db import Database
from espqb.db.models import AuditEntry
from qb_sandbox.webconnector import SessionOutcome
from tests.qbwc.harness import Office, renumbered

# Transaction control is not a statement of the callback's own.
_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def statements_per_call(http: httpx.AsyncClient) -> Iterator[Counter[str]]:
    """SQL statements each SOAP method issued (summed over its calls), on every engine."""
    per_method: Counter[str] = Counter()
    current: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if current and not statement.lstrip().upper().startswith(_CONTROL):
            per_method[current[0]] += 1

    async def started(request: httpx.Request) -> None:
        if request.url.path == "/qbwc" and request.method == "POST":
            current[:] = [request.headers.get("soapaction", "").strip('"').rsplit("/", 1)[-1]]

    async def ended(_response: httpx.Response) -> None:
        current.clear()

    event.listen(Engine, "before_cursor_execute", count)
    http.event_hooks["request"].append(started)
    http.event_hooks["response"].append(ended)
    try:
        yield per_method
    finally:
        event.remove(Engine, "before_cursor_execute", count)
        http.event_hooks["request"].remove(started)
        http.event_hooks["response"].remove(ended)


async def test_an_idle_poll_is_one_read_and_one_update(desk: Office) -> None:
    await desk.update()  # the first poll of the day may do more (nothing here, but not measured)

    with statements_per_call(desk.http) as statements:
        report = await desk.update()

    assert report.outcome is SessionOutcome.NOTHING_TO_DO
    assert statements["authenticate"] == 2  # the credential read, and when it last polled
    assert statements["closeConnection"] == 0  # no session was started: nothing to look up
    assert sum(statements.values()) == 2


async def _update_with(desk: Office, count: int, first: int) -> tuple[int, dict[str, int]]:
    jobs = [(await desk.send(renumbered(f"C{first + n:04d}")))["id"] for n in range(count)]
    with statements_per_call(desk.http) as statements:
        report = await desk.update()
    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    assert report.round_trips == 1
    for job_id in jobs:
        assert (await desk.job(job_id))["status"] == "succeeded"
    return sum(statements.values()), dict(statements)


async def test_queued_orders_cost_a_few_statements_per_callback_not_per_record(desk: Office) -> None:
    await desk.read_lists()
    await _update_with(desk, 1, 1)  # the customer and the items exist from here on

    two, _ = await _update_with(desk, 2, 100)
    eight, by_method = await _update_with(desk, 8, 200)

    # Each order has nine operations (customer, items, invoice, payment, purchase orders, bills):
    # written one by one, an order took ~60 statements; now an order adds the reads of its plan
    # (one in each callback: 2 today), its steps, audit entries and mappings go with the others'.
    per_order = (eight - two) / 6
    assert per_order <= 4, (two, eight, by_method)
    assert by_method["authenticate"] <= 12 and by_method["closeConnection"] <= 12, by_method


async def test_a_jobs_record_reads_in_order_after_a_shared_update(desk: Office, database_url: str) -> None:
    await desk.read_lists()
    jobs = [(await desk.send(renumbered(f"D{n:04d}")))["id"] for n in range(3)]
    report = await desk.update()
    assert report.outcome is SessionOutcome.COMPLETED, report.last_error

    db = Database.from_url(database_url)
    try:
        async with db.transaction() as session:
            for job_id in jobs:
                rows = await session.execute(
                    select(AuditEntry.event)
                    .where(AuditEntry.job_id == uuid.UUID(job_id))
                    .order_by(AuditEntry.id)
                )
                events = [e for (e,) in rows if e != "job.enqueued"]
                assert events[0] == "job.sending", events
                assert events[-1] == "job.succeeded", events
                assert events[1:-1] and all(e == "step.succeeded" for e in events[1:-1]), events
        job = await desk.job(jobs[0])
        steps = job["steps"]
        assert steps and all(s["status"] == "succeeded" and s["qb_id"] for s in steps), steps
    finally:
        await db.dispose()
