"""A new send costs one statement: on PostgreSQL the job, its audit entry and the workers' wake-up
go in one data-modifying CTE (espqb.queue.job_rows); the JSON API's send runs it in a
``request_session`` that commits it by itself. A collision still settles in a transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from espqb.db import Database
from espqb.db.models import Company, JobStatus, SendJob
from espqb.queue import IdempotencyKeyReused, enqueue_send
from espqb.queue.enqueue import enqueue_batch, request_session
from espqb.queue.notify import JOBS_CHANNEL
from tests.queue.queue_support import audit_events, count_jobs

STEPS = [
    {"key": "invoice", "kind": "invoice", "action": "create", "summary": "Will create the invoice A7102"}
]


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """Every statement sent to the database: through SQLAlchemy's cursors, and on PostgreSQL also
    what asyncpg sends by itself (BEGIN, COMMIT, a statement given to the driver directly)."""
    seen: list[str] = []
    drivers: list[Any] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    def log_query(record: Any) -> None:
        seen.append(record.query)

    def on_checkout(dbapi_connection: Any, *_: Any) -> None:
        driver = dbapi_connection.driver_connection
        if driver not in drivers:
            drivers.append(driver)
            driver.add_query_logger(log_query)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    if db.is_postgres:
        event.listen(db.engine.sync_engine.pool, "checkout", on_checkout)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
        if db.is_postgres:
            event.remove(db.engine.sync_engine.pool, "checkout", on_checkout)
        for driver in drivers:
            driver.remove_query_logger(log_query)


def _verb(statement: str) -> str:
    return statement.split()[0].rstrip(";")


async def _send(session: Any, company_id: str, payload: dict[str, Any], **kwargs: Any) -> Any:
    options: dict[str, Any] = {"order_number": "A7102", "target": "qbo", "requested_by": "u1"}
    options.update(kwargs)
    return await enqueue_send(session, company_id=company_id, payload=payload, **options)


class Listener:
    """A LISTENing connection on the jobs channel (PostgreSQL)."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self._connection: asyncpg.Connection | None = None

    async def start(self, db: Database) -> None:
        dsn = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._connection = await asyncpg.connect(dsn)
        await self._connection.add_listener(JOBS_CHANNEL, lambda *args: self.received.append(args[3]))

    async def settle(self) -> list[str]:
        """What arrived, after a round trip on the listening connection (a notification committed
        before it is delivered before its answer)."""
        assert self._connection is not None
        await self._connection.execute("SELECT 1")
        await asyncio.sleep(0.05)
        return list(self.received)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()


@pytest.fixture
async def listener(db: Database) -> Any:
    if not db.is_postgres:
        pytest.skip("LISTEN/NOTIFY exists on PostgreSQL only; SQLite workers poll")
    listening = Listener()
    await listening.start(db)
    yield listening
    await listening.close()


async def test_a_new_send_is_one_statement_that_writes_the_job_and_its_audit_entry(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    with statements(db) as seen:
        async with request_session(db) as session:
            result = await _send(session, company_id, payload, idempotency_key="k1", planned_steps=STEPS)
            await asyncio.sleep(0)  # asyncpg calls its query loggers soon after, not at once
            sent = list(seen)
            if db.is_postgres:  # the statement committed by itself: other connections see the job
                assert await count_jobs(db) == 1
    # PostgreSQL: no BEGIN, no COMMIT, one statement. SQLite cannot put an INSERT in a CTE: there the
    # request is a transaction (BEGIN IMMEDIATE) with the job and its audit entry.
    assert len(sent) == (1 if db.is_postgres else 3), sent
    assert result.created and result.disposition == "queued"
    assert result.job.status == JobStatus.QUEUED and result.job.planned_steps == STEPS
    async with db.sessions() as session:
        stored = await session.get(SendJob, result.job.id)
    assert stored is not None
    assert (stored.order_number, stored.idempotency_key, stored.payload) == ("A7102", "k1", payload)
    assert stored.planned_steps == STEPS and stored.attempts == 0 and stored.warnings == []
    assert stored.created_at == result.job.created_at
    entries = await audit_events(db, result.job.id)
    assert [(e.event, e.actor, e.company_id) for e in entries] == [("job.enqueued", "u1", company_id)]
    assert entries[0].detail == {"target": "qbo", "status": "queued", "idempotency_key": "k1"}


async def test_inside_a_transaction_a_new_send_is_one_statement_between_begin_and_commit(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    with statements(db) as seen:
        async with db.transaction() as session:
            await _send(session, company_id, payload)
    if db.is_postgres:
        assert sorted(_verb(statement) for statement in seen) == ["BEGIN", "COMMIT", "WITH"], seen
    else:
        assert len(seen) == 3, seen  # BEGIN IMMEDIATE, the job, its audit entry


async def test_the_job_a_send_answers_is_the_sessions_and_a_change_to_it_is_saved(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    async with db.transaction() as session:
        result = await _send(session, company_id, payload)
        assert await session.get(SendJob, result.job.id) is result.job
        result.job.hold_reason = "changed in the same transaction"
    async with db.sessions() as session:
        stored = await session.get(SendJob, result.job.id)
    assert stored is not None and stored.hold_reason == "changed in the same transaction"


async def test_the_same_send_again_in_a_request_session_returns_the_standing_job(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    async with request_session(db) as session:
        first = await _send(session, company_id, payload, idempotency_key="k1")
    async with request_session(db) as session:
        again = await _send(session, company_id, dict(reversed(payload.items())), idempotency_key="k1")
    assert (again.job.id, again.created, again.disposition) == (first.job.id, False, "unchanged")
    with pytest.raises(IdempotencyKeyReused):
        async with request_session(db) as session:
            await _send(session, company_id, {**payload, "send_invoice": False}, idempotency_key="k1")
    assert await count_jobs(db) == 1
    assert [e.event for e in await audit_events(db, first.job.id)] == ["job.enqueued"]


async def test_a_changed_send_in_a_request_session_takes_over_the_waiting_job_with_its_steps(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    async with request_session(db) as session:
        first = await _send(session, company_id, payload, planned_steps=STEPS)
    changed = {**payload, "send_invoice": False}
    new_steps = [{**STEPS[0], "key": "bill:S1", "kind": "bill"}]
    async with request_session(db) as session:
        second = await _send(session, company_id, changed, planned_steps=new_steps)
    assert (second.job.id, second.disposition) == (first.job.id, "replaced_queued")
    async with db.sessions() as session:
        stored = await session.get(SendJob, first.job.id)
    assert stored is not None and stored.payload == changed and stored.planned_steps == new_steps
    events = [e.event for e in await audit_events(db, first.job.id)]
    assert events == ["job.enqueued", "job.send_replaced"]


async def test_a_send_for_an_unknown_company_writes_nothing(db: Database, payload: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError):
        async with request_session(db) as session:
            await _send(session, "nobody", payload)
    assert await count_jobs(db) == 0
    async with db.sessions() as session:
        assert (await session.execute(text("SELECT count(*) FROM audit_log"))).scalar_one() == 0


async def test_a_send_uses_the_connection_its_reads_hold_or_borrows_one_for_its_statement(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    if not db.is_postgres:
        pytest.skip("on SQLite the request is one ordinary transaction")
    pool = db.engine.sync_engine.pool
    checkouts: list[Any] = []

    def on_checkout(dbapi_connection: Any, *_: Any) -> None:
        checkouts.append(dbapi_connection)

    event.listen(pool, "checkout", on_checkout)
    try:
        async with request_session(db) as session:
            assert pool.checkedout() == 0  # a request session takes nothing before it needs to
            await _send(session, company_id, payload, order_number="A1")
            assert (len(checkouts), pool.checkedout()) == (1, 0)  # borrowed for the statement alone
            await session.execute(text("SELECT 1 FROM companies"))
            assert (len(checkouts), pool.checkedout()) == (2, 1)  # the reads hold a connection
            await _send(session, company_id, payload, order_number="A2")
            assert (len(checkouts), pool.checkedout()) == (2, 1)  # the send goes on that one
        assert pool.checkedout() == 0
        with pytest.raises(IntegrityError):
            async with request_session(db) as session:
                await _send(session, "nobody", payload, order_number="N1")
        assert pool.checkedout() == 0  # a refused statement gives its connection back
        async with request_session(db) as session:
            await _send(session, company_id, payload, order_number="A3")
    finally:
        event.remove(pool, "checkout", on_checkout)
    assert await count_jobs(db) == 3


async def test_the_wake_up_arrives_when_the_send_commits_and_never_after_a_rollback(
    db: Database, company_id: str, payload: dict[str, Any], listener: Listener
) -> None:
    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        async with db.transaction() as session:
            await _send(session, company_id, payload, order_number="R1")
            raise Undo
    assert await listener.settle() == []
    async with db.transaction() as session:
        await _send(session, company_id, payload, order_number="A1")
        assert await listener.settle() == []  # not before the commit
    assert await listener.settle() == ["qbo"]


async def test_a_send_behind_a_ready_job_of_its_company_wakes_nobody_again(
    db: Database, company_id: str, payload: dict[str, Any], listener: Listener
) -> None:
    async with request_session(db) as session:
        await _send(session, company_id, payload, order_number="A1")
    assert await listener.settle() == ["qbo"]
    # A1 still waits for a worker: the workers were woken for it and claim again while they find work.
    async with request_session(db) as session:
        await _send(session, company_id, payload, order_number="A2")
    assert await listener.settle() == ["qbo"]
    # Another company's first job, a job whose wait (backoff) has not run out, a Desktop job: their own.
    async with db.transaction() as session:
        session.add(Company(id="globex", name="Globex"))
    async with request_session(db) as session:
        await _send(session, "globex", payload, order_number="G1")
    assert await listener.settle() == ["qbo", "qbo"]
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE send_jobs SET run_after = run_after + interval '1 hour' WHERE company_id = :c"),
            {"c": company_id},
        )
    async with request_session(db) as session:
        await _send(session, company_id, payload, order_number="A3")
        await _send(
            session,
            company_id,
            payload,
            order_number="D1",
            initial_status=JobStatus.WAITING_FOR_WEB_CONNECTOR,
        )
    assert await listener.settle() == ["qbo", "qbo", "qbo"]


async def test_a_pooled_connection_the_server_closed_is_replaced_at_checkout(
    db: Database, company_id: str, payload: dict[str, Any]
) -> None:
    if not db.is_postgres:
        pytest.skip("SQLite has no server to close connections")
    async with db.engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    other = Database.from_url(db.engine.url.render_as_string(hide_password=False))
    try:  # another pool's connection ends the one idling in ours, as a server restart would
        async with other.engine.connect() as killer:
            await killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()
    await asyncio.sleep(0.1)  # the pooled connection reads the server's goodbye while it idles
    async with request_session(db) as session:
        result = await _send(session, company_id, payload)
    assert await count_jobs(db, id=result.job.id) == 1
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid


async def test_a_batch_of_sends_is_one_statement_with_one_wake_up(
    db: Database, company_id: str, payload: dict[str, Any], listener: Listener
) -> None:
    odd = {**payload, "note": 'Ünïcode, "quotes", \\ and 10 % off', "lines": [{"qty": 1.5}]}
    sends = [
        {
            "company_id": company_id,
            "order_number": f"B{n}",
            "target": "qbo",
            "payload": odd,
            "requested_by": "u1",
            "idempotency_key": f"key-{n}",
            "planned_steps": STEPS,
        }
        for n in range(3)
    ]
    async with request_session(db) as session:
        await _send(session, company_id, payload, order_number="B1")  # already queued: left out
    assert await listener.settle() == ["qbo"]
    with statements(db) as seen:
        async with db.transaction() as session:
            results = await enqueue_batch(session, sends)
    assert sorted(_verb(statement) for statement in seen) == ["BEGIN", "COMMIT", "WITH"], seen
    assert [None if r is None else r.job.order_number for r in results] == ["B0", None, "B2"]
    assert await listener.settle() == ["qbo", "qbo"]
    for result in results:
        if result is not None:
            events = [(e.event, e.message) for e in await audit_events(db, result.job.id)]
            assert events == [
                ("job.enqueued", f"Order {result.job.order_number} queued for QuickBooks Online")
            ]
    assert await count_jobs(db) == 3
    last = results[2]
    assert last is not None
    async with db.sessions() as session:
        stored = await session.get(SendJob, last.job.id)
    assert stored is not None
    assert (stored.payload, stored.planned_steps, stored.idempotency_key) == (odd, STEPS, "key-2")
    assert (stored.status, stored.created_at, stored.attempts) == ("queued", last.job.created_at, 0)
