"""A new send job's row, inserted unless a conflicting one stands: shared by a first send, a follow-up
and a backfill batch.

On PostgreSQL a new send is ONE statement (``enqueue_statement``): a data-modifying CTE inserts the
job (``ON CONFLICT DO NOTHING``), its ``job.enqueued`` audit entry from the inserted row, and the
final SELECT returns the row and queues the workers' wake-up (``pg_notify``, delivered when the
transaction commits, never on rollback). A conflict inserts nothing, writes no audit entry and wakes
nobody: the SELECT then returns no row. SQLite cannot put an INSERT in a CTE: there the job and its
audit entry are two statements (and workers poll; there is no NOTIFY).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from functools import cache
from typing import Any, cast

import asyncpg
from sqlalchemy import Select, Table, TextClause, bindparam, case, func, insert, literal, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.util import greenlet_spawn

from espqb.db.insert_once import insert_ignoring_conflicts
from espqb.db.models.audit import AuditEntry
from espqb.db.models.jobs import JobStatus, SendJob
from espqb.queue.audit_trail import audit_row, write_audit
from espqb.queue.job_lookup import is_active
from espqb.queue.notify import JOBS_CHANNEL

_jobs = cast(Table, SendJob.__table__)

_audit = cast(Table, AuditEntry.__table__)

# The columns a new job is inserted with (every other column starts NULL).
_JOB_COLUMNS = (
    "id",
    "company_id",
    "order_number",
    "target",
    "status",
    "idempotency_key",
    "payload",
    "requested_by",
    "attempts",
    "max_attempts",
    "run_after",
    "hold_reason",
    "warnings",
    "planned_steps",
    "created_at",
    "updated_at",
)
_UNSET_COLUMNS = {column.key: None for column in _jobs.c if column.key not in _JOB_COLUMNS}
# The audit entry's own values; company, job and time come from the inserted row.
_AUDIT_PARAMS = ("audit_actor", "audit_event", "audit_message", "audit_detail")


def job_values(
    *,
    company_id: str,
    order_number: str,
    target: str,
    status: JobStatus,
    idempotency_key: str | None,
    payload: dict[str, Any],
    requested_by: str | None,
    max_attempts: int,
    now: datetime,
    hold_reason: str | None = None,
    planned_steps: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A new job row's values (``_JOB_COLUMNS``)."""
    return {
        "id": uuid.uuid4(),
        "company_id": company_id,
        "order_number": order_number,
        "target": target,
        "status": str(status),
        "idempotency_key": idempotency_key,
        "payload": payload,
        "requested_by": requested_by,
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_after": now,
        "hold_reason": hold_reason,
        "warnings": [],
        "planned_steps": planned_steps,
        "created_at": now,
        "updated_at": now,
    }


@cache
def enqueue_statement(notify: bool) -> Select[Any]:
    """INSERT job ON CONFLICT DO NOTHING + its audit entry (+ pg_notify of the job's target), as one
    PostgreSQL statement, built once: its parameters are ``_JOB_COLUMNS`` and ``_AUDIT_PARAMS``."""
    job = (
        pg_insert(_jobs)
        .values({name: bindparam(name, type_=_jobs.c[name].type) for name in _JOB_COLUMNS})
        .on_conflict_do_nothing()
        .returning(_jobs.c.id, _jobs.c.company_id, _jobs.c.target, _jobs.c.created_at)
        .cte("job")
    )
    audit = insert(_audit).from_select(
        ["company_id", "job_id", "at", "actor", "event", "message", "detail"],
        select(
            job.c.company_id,
            job.c.id,
            job.c.created_at,
            bindparam("audit_actor", type_=_audit.c.actor.type),
            bindparam("audit_event", type_=_audit.c.event.type),
            bindparam("audit_message", type_=_audit.c.message.type),
            bindparam("audit_detail", type_=_audit.c.detail.type),
        ),
    )
    columns: list[Any] = [job.c.id]
    if notify:
        # Wake the workers unless a ready job of the same company and target was already waiting
        # when this statement began: its own wake-up went out when it was committed, and a worker
        # that takes the company's jobs claims again while it finds work (each NOTIFY of a
        # committing transaction takes PostgreSQL's one notification-queue lock until the commit is
        # on disk, so one per job would make concurrent sends commit one after another).
        waiting = (
            select(literal(1))
            .select_from(_jobs)
            .where(
                _jobs.c.company_id == job.c.company_id,
                _jobs.c.target == job.c.target,
                is_active(),  # the partial index of the company's active jobs
                _jobs.c.status == literal(JobStatus.QUEUED.value),
                _jobs.c.run_after <= job.c.created_at,
            )
            .exists()
        )
        columns.append(
            case((~waiting, func.pg_notify(literal(JOBS_CHANNEL), job.c.target))).label("_notified")
        )
    return select(*columns).add_cte(audit.cte("audit"))


def job_from_values(session: AsyncSession, values: dict[str, Any], *, attach: bool = True) -> SendJob:
    """The row just inserted with ``values`` as a ``SendJob`` of the session, without reading it
    back: built the way the ORM builds a loaded row (every column as committed state, no change
    pending), then (``attach``) put in the session's identity map, so that a change the caller
    makes is flushed as an UPDATE."""
    if not _mapper.configured:
        configure_mappers()
    job = _mapper.class_manager.new_instance()
    job.__dict__.update(_UNSET_COLUMNS)
    job.__dict__.update(values)
    make_transient_to_detached(job)
    if attach:
        session.add(job)
    return job


_mapper = SendJob.__mapper__


@cache
def _driver_statement(notify: bool) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """``enqueue_statement`` as asyncpg takes it: the SQL, its parameters' names in order, and the
    values of those the statement itself carries."""
    compiled = enqueue_statement(notify).compile(dialect=asyncpg_dialect())
    names = tuple(compiled.positiontup or ())
    return str(compiled), names, {name: compiled.params[name] for name in names}


# Parameters whose columns are JSON: asyncpg's codec (as SQLAlchemy sets it up) takes JSON text.
_JSON_PARAMS = frozenset({"payload", "warnings", "planned_steps", "audit_detail"})


async def _execute_on_driver(driver: asyncpg.Connection, notify: bool, params: dict[str, Any]) -> bool:
    sql, names, fixed = _driver_statement(notify)
    args = []
    for name in names:
        value = params[name] if name in params else fixed[name]
        if name in _JSON_PARAMS:
            value = json.dumps(value, separators=(", ", ": "))  # as SQLAlchemy's JSON type writes it
        args.append(value)
    try:
        return await driver.fetchrow(sql, *args) is not None
    except asyncpg.IntegrityConstraintViolationError as exc:  # e.g. an unknown company
        raise IntegrityError(sql, None, exc) from exc


async def _execute_autocommitted(session: AsyncSession, notify: bool, params: dict[str, Any]) -> bool:
    """The statement in a session whose connection commits each statement by itself: on the
    connection the session's reads hold, else on one taken from the engine's pool for this statement
    alone (a session that read nothing has none, and needs none afterwards)."""
    if session.in_transaction():
        connection = await session.connection()
        driver = cast(Any, connection.sync_connection).connection.driver_connection
        return await _execute_on_driver(driver, notify, params)
    pooled = await cast(AsyncEngine, session.bind).raw_connection()
    try:
        inserted = await _execute_on_driver(cast(Any, pooled.driver_connection), notify, params)
    except (asyncpg.PostgresError, IntegrityError):
        await greenlet_spawn(pooled.close)  # the server refused the statement: the connection is fine
        raise
    except BaseException:
        # Lost, cancelled or timed out mid-statement: the connection's state is unknown.
        await greenlet_spawn(pooled.invalidate)
        raise
    await greenlet_spawn(pooled.close)
    return inserted


async def insert_job_with_audit(
    session: AsyncSession,
    values: dict[str, Any],
    audit: dict[str, Any],
    *,
    notify: bool,
    autocommit: bool = False,
) -> SendJob | None:
    """Insert the job ``values`` (``job_values``) with the audit entry ``audit`` (``audit_row`` of
    it), and queue a wake-up when ``notify``: the new job, or None when a unique index refused it
    (a repeated key, or the order's active or follow-up slot taken), and then nothing was written.
    The caller's transaction stays usable; other integrity errors (an unknown company) still raise.

    ``autocommit``: the session commits each statement by itself (``enqueue.request_session``);
    the statement then goes straight to asyncpg, as SQLAlchemy would send it, without its
    per-statement work (there is no transaction of SQLAlchemy's to begin first)."""
    if session.get_bind().dialect.name == "postgresql":
        params = dict(values)
        params.update(
            audit_actor=audit["actor"],
            audit_event=audit["event"],
            audit_message=audit["message"],
            audit_detail=audit["detail"],
        )
        if autocommit:
            inserted = await _execute_autocommitted(session, notify, params)
        else:
            connection = await session.connection()
            inserted = (await connection.execute(enqueue_statement(notify), params)).first() is not None
        # In a request session nothing is flushed later: the job needs no place in its identity map.
        return job_from_values(session, values, attach=not autocommit) if inserted else None
    job = await insert_job_unless_conflict(session, values)
    if job is not None:
        await write_audit(session, [{**audit, "job_id": job.id, "company_id": job.company_id}])
        # SQLite has no NOTIFY: workers there poll.
    return job


async def insert_job_unless_conflict(session: AsyncSession, values: dict[str, Any]) -> SendJob | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING, without an audit entry: the new job, or None."""
    statement = (
        insert_ignoring_conflicts(session, SendJob)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(SendJob)
    )
    return (await session.scalars(statement, execution_options={"populate_existing": True})).first()


def enqueued_audit(
    values: dict[str, Any], *, message: str, event: str = "job.enqueued", detail: dict[str, Any]
) -> dict[str, Any]:
    """The audit entry of a job about to be inserted with ``values``."""
    return audit_row(
        company_id=values["company_id"],
        job_id=values["id"],
        at=values["created_at"],
        actor=values["requested_by"] or "system",
        event=event,
        message=message,
        detail=detail,
    )


async def insert_jobs_with_audit(
    session: AsyncSession, rows: list[dict[str, Any]], *, target_name: str, notify_target: str | None
) -> set[uuid.UUID]:
    """Many new jobs (``job_values`` each) in one statement, each with its ``job.enqueued`` audit
    entry; a wake-up for ``notify_target`` if any was inserted. The ids inserted: a row a unique
    index refused (its key or its order's active slot taken) is left out, with nothing written.

    PostgreSQL: one statement (job rows, audit entries from the rows inserted, one wake-up).
    SQLite: the jobs in one statement, their audit entries in one executemany."""
    if not rows:
        return set()
    if session.get_bind().dialect.name != "postgresql":
        statement = (
            insert_ignoring_conflicts(session, _jobs)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(_jobs.c.id)
        )
        inserted = set((await session.execute(statement)).scalars())
        await write_audit(
            session,
            [
                enqueued_audit(
                    values,
                    message=f"Order {values['order_number']} queued for {target_name}",
                    detail={
                        "target": values["target"],
                        "status": values["status"],
                        "idempotency_key": values["idempotency_key"],
                    },
                )
                for values in rows
                if values["id"] in inserted
            ],
        )
        return inserted
    params = {
        "rows": json.dumps(rows, default=str, separators=(",", ":")),
        "target_name": f" queued for {target_name}",
    }
    if notify_target is not None:
        params.update(channel=JOBS_CHANNEL, target=notify_target)
    connection = await session.connection()
    result = await connection.execute(_batch_statement(notify_target is not None), params)
    return {row.id for row in result}


@cache
def _batch_statement(notify: bool) -> TextClause:
    """The rows go as one JSON array (``jsonb_to_recordset``): one parameter, so one prepared
    statement serves every batch size. One wake-up: PostgreSQL folds a transaction's identical
    notifications."""
    record = ", ".join(f"{name} {_RECORD_TYPES[name]}" for name in _JOB_COLUMNS)
    columns = ", ".join(_JOB_COLUMNS)
    wake = ", pg_notify(:channel, :target)" if notify else ""
    return text(
        f"""WITH job AS (
    INSERT INTO send_jobs ({columns})
    SELECT {columns} FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({record})
    ON CONFLICT DO NOTHING
    RETURNING id, company_id, order_number, target, status, idempotency_key, requested_by, created_at
), audit AS (
    INSERT INTO audit_log (company_id, job_id, at, actor, event, message, detail)
    SELECT company_id, id, created_at, coalesce(requested_by, 'system'), 'job.enqueued',
        'Order ' || order_number || CAST(:target_name AS text),
        jsonb_build_object('target', target, 'status', status, 'idempotency_key', idempotency_key)
    FROM job
)
SELECT id{wake} FROM job"""  # noqa: S608 (column names and types are this module's constants)
    )


# The PostgreSQL types of _JOB_COLUMNS, to read a batch's rows out of JSON.
_RECORD_TYPES = {
    "id": "uuid",
    "company_id": "varchar",
    "order_number": "varchar",
    "target": "varchar",
    "status": "varchar",
    "idempotency_key": "varchar",
    "payload": "jsonb",
    "requested_by": "varchar",
    "attempts": "integer",
    "max_attempts": "integer",
    "run_after": "timestamptz",
    "hold_reason": "text",
    "warnings": "jsonb",
    "planned_steps": "jsonb",
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
}
