"""Group leases: one worker at a time owns a group of jobs (PostgreSQL).

A gateway whose jobs fall into groups that must not be worked on by two processes at once gives its
`Worker` a `GroupLeases`: the group of a job is a SQL expression of its row (the QBO gateway: the realm
of the job's company), and a lease table records which worker owns which group until when. The queue
stays generic; it only knows "a key per job" and "a table of leases".

The claim (`claim_grouped`) is one statement: it takes ready jobs only of groups that are unleased,
lapsed, or leased by the claiming worker, and takes or extends those leases in the same statement, so
two workers can never both own a group (the lease row is the arbiter: ``INSERT … ON CONFLICT DO
UPDATE … WHERE expires_at < now`` succeeds for one of them only). Jobs without a group (NULL) are
claimed as usual.

Holding: a lease lasts ``lease_seconds + handover_seconds`` from the last claim or heartbeat that
found a job of the group; heartbeats extend the groups the worker has running jobs of. When the
worker has no more jobs of a group the lease is no longer extended and lapses ``handover_seconds``
later — what the owner did in the last rate window still counts at the far end, so the next owner
must not start earlier. A worker that dies stops heartbeating: its job leases expire first, the jobs
are rescued (``leases.rescue_expired``), and once its group leases lapse another worker takes the group
and its jobs. A clean stop (`release_groups`) cuts the wait to ``handover_seconds``.

Fairness: a claim never takes more new groups than it has free slots (nor more than ``max_groups``
owned at once), and ranks candidate jobs by how many jobs of their group the worker already has in
flight (and the group's earlier ones in this claim), so a worker's slots spread over its groups
round-robin and the groups spread over the workers. Groups the worker owns win ties, so a group it
holds is never left waiting while it takes new ones.

SQLite: one process only (its transactions are serialised), so there is nothing to share: the worker
claims as it would without groups.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, bindparam, text
from sqlalchemy.engine import Row
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import BindParameter

from espqb.db import Database
from espqb.db.models.jobs import JobStatus, SendJob
from espqb.db.types import UTCDateTime
from espqb.queue.clock import Clock, utcnow
from espqb.queue.transitions import attempt_started

__all__ = ["GroupLeases", "claim_grouped", "extend_groups", "owned_groups", "release_groups"]

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")

_JOB_COLUMNS = (
    "id",
    "company_id",
    "order_number",
    "target",
    "payload",
    "requested_by",
    "attempts",
    "max_attempts",
    "created_at",
)


@dataclass(frozen=True)
class GroupLeases:
    """How a worker's jobs are grouped and where their leases live.

    ``group_of_job`` is a SQL expression of a ``send_jobs`` row written with ``{job}`` for the row's
    alias, e.g. ``(SELECT c.realm_id FROM qbo_connections AS c WHERE c.company_id = {job}.company_id)``;
    NULL means the job belongs to no group. ``table`` has the columns ``key_column`` (primary key),
    ``owner``, ``expires_at`` and ``taken_at``. Both are code, never user input."""

    table: str
    key_column: str
    group_of_job: str
    # How long after its owner's last job of a group another worker must wait (a rate window).
    handover_seconds: float = 61.0
    # Most groups one worker owns at once (None: only its free slots limit it).
    max_groups: int | None = None
    # Most jobs of one group one worker has in flight (None: no limit but its slots).
    max_jobs_per_group: int | None = None
    _sql: dict[str, Executable] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in (self.table, self.key_column):
            if not _IDENTIFIER.fullmatch(name):
                raise ValueError(f"not a plain SQL identifier: {name!r}")
        if "{job}" not in self.group_of_job:
            raise ValueError("group_of_job must refer to the job row as {job}")

    def hold_until(self, now: datetime, lease_seconds: float) -> datetime:
        return now + timedelta(seconds=lease_seconds + self.handover_seconds)

    def _group(self, alias: str) -> str:
        return self.group_of_job.format(job=alias)

    def sql(self, name: str) -> Executable:
        cached = self._sql.get(name)
        if cached is None:
            cached = self._sql[name] = _BUILDERS[name](self)
        return cached


def _claim_sql(g: GroupLeases) -> Executable:
    t, key = g.table, g.key_column
    started = attempt_started(owner="", now=utcnow(), expires=utcnow())
    assignments = ", ".join(f"{name} = :set_{name}" for name in started)
    returning = ", ".join(f"j.{name}" for name in _JOB_COLUMNS)
    statement = text(  # identifiers checked by GroupLeases; values are bound
        f"""
        WITH ready AS (
            SELECT j.id, j.run_after, {g._group("j")} AS g
            FROM send_jobs AS j
            WHERE j.target = :target AND j.status = :queued AND j.run_after <= :now
        ),
        ranked AS (
            SELECT r.*, row_number() OVER (PARTITION BY r.g ORDER BY r.run_after, r.id) AS rn FROM ready AS r
        ),
        held AS (
            UPDATE {t} AS l SET expires_at = GREATEST(l.expires_at, :hold_until)
            WHERE l.owner = :worker_id AND l.expires_at >= :now
              AND l.{key} IN (SELECT r.g FROM ready AS r WHERE r.g IS NOT NULL)
            RETURNING l.{key} AS g
        ),
        busy AS (
            SELECT {g._group("x")} AS g, count(*) AS n
            FROM send_jobs AS x
            WHERE x.target = :target AND x.status = :running AND x.lease_owner = :worker_id
            GROUP BY 1
        ),
        room AS (
            SELECT :max_groups - count(*) AS n FROM {t} WHERE owner = :worker_id AND expires_at >= :now
        ),
        free AS (
            SELECT r.g, row_number() OVER (ORDER BY min(r.run_after)) AS k
            FROM ready AS r LEFT JOIN {t} AS l ON l.{key} = r.g
            WHERE r.g IS NOT NULL AND (l.{key} IS NULL OR l.expires_at < :now)
            GROUP BY r.g
        ),
        choice AS (
            SELECT r.id, r.g, (h.g IS NOT NULL) AS held
            FROM ranked AS r
            LEFT JOIN held AS h ON h.g = r.g
            LEFT JOIN busy AS b ON b.g = r.g
            LEFT JOIN free AS f ON f.g = r.g
            WHERE r.g IS NULL
               OR (h.g IS NOT NULL AND r.rn + COALESCE(b.n, 0) <= :per_group)
               OR (f.g IS NOT NULL AND r.rn <= :per_group AND f.k <= LEAST((SELECT n FROM room), :limit))
            ORDER BY CASE WHEN r.g IS NULL THEN 1 ELSE r.rn + COALESCE(b.n, 0) END,
                     (h.g IS NULL), r.run_after
            LIMIT :limit
        ),
        picked AS (
            SELECT j.id, c.g, c.held
            FROM send_jobs AS j JOIN choice AS c ON c.id = j.id
            WHERE j.status = :queued
            FOR UPDATE OF j SKIP LOCKED
        ),
        taken AS (
            INSERT INTO {t} ({key}, owner, expires_at, taken_at)
            SELECT DISTINCT p.g, :worker_id, :hold_until, :now FROM picked AS p
            WHERE p.g IS NOT NULL AND NOT p.held
            ON CONFLICT ({key}) DO UPDATE
                SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at, taken_at = EXCLUDED.taken_at
                WHERE {t}.expires_at < :now
            RETURNING {key} AS g
        )
        UPDATE send_jobs AS j SET {assignments}, attempts = j.attempts + 1
        FROM picked AS p
        WHERE j.id = p.id AND (p.g IS NULL OR p.held OR p.g IN (SELECT g FROM taken))
        RETURNING {returning}
        """  # noqa: S608
    )
    stamp = UTCDateTime()
    binds: list[BindParameter[Any]] = [bindparam(name, type_=stamp) for name in ("now", "hold_until")]
    binds += [
        bindparam(f"set_{name}", type_=stamp)
        for name, value in started.items()
        if isinstance(value, datetime)
    ]
    binds += [bindparam(name, type_=Integer()) for name in ("limit", "per_group", "max_groups")]
    binds += [bindparam(name, type_=String()) for name in ("target", "worker_id", "queued", "running")]
    jobs = SendJob.__table__.c
    return statement.bindparams(*binds).columns(*(jobs[name] for name in _JOB_COLUMNS))


def _extend_sql(g: GroupLeases) -> Executable:
    return text(
        f"""
        UPDATE {g.table} AS l SET expires_at = GREATEST(l.expires_at, :hold_until)
        WHERE l.owner = :worker_id AND l.{g.key_column} IN (
            SELECT {g._group("x")} FROM send_jobs AS x
            WHERE x.target = :target AND x.status = :running AND x.lease_owner = :worker_id
        )
        RETURNING l.{g.key_column}
        """  # noqa: S608
    ).bindparams(bindparam("hold_until", type_=UTCDateTime()))


def _release_sql(g: GroupLeases) -> Executable:
    return text(
        f"UPDATE {g.table} SET expires_at = LEAST(expires_at, :until) WHERE owner = :worker_id"  # noqa: S608
    ).bindparams(bindparam("until", type_=UTCDateTime()))


def _owned_sql(g: GroupLeases) -> Executable:
    return text(
        f"SELECT {g.key_column} FROM {g.table} WHERE owner = :worker_id AND expires_at >= :now "  # noqa: S608
        f"ORDER BY {g.key_column}"
    ).bindparams(bindparam("now", type_=UTCDateTime()))


_BUILDERS = {"claim": _claim_sql, "extend": _extend_sql, "release": _release_sql, "owned": _owned_sql}


async def claim_grouped(
    db: Database,
    groups: GroupLeases,
    *,
    target: str,
    worker_id: str,
    lease_seconds: float,
    limit: int,
    clock: Clock = utcnow,
) -> tuple[Sequence[Row[Any]], datetime]:
    """Take up to `limit` ready jobs of groups this worker owns or can take now, taking those groups'
    leases in the same statement (PostgreSQL only). Returns the job rows and their lease's expiry."""
    now = clock()
    expires = now + timedelta(seconds=lease_seconds)
    started = attempt_started(owner=worker_id, now=now, expires=expires)
    params: dict[str, Any] = {f"set_{name}": value for name, value in started.items()}
    params.update(
        now=now,
        hold_until=groups.hold_until(now, lease_seconds),
        target=target,
        worker_id=worker_id,
        queued=str(JobStatus.QUEUED),
        running=str(JobStatus.RUNNING),
        limit=limit,
        per_group=groups.max_jobs_per_group if groups.max_jobs_per_group is not None else limit + 1_000_000,
        max_groups=groups.max_groups if groups.max_groups is not None else 1_000_000,
    )
    params["set_status"] = str(started["status"])
    async with db.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        rows = (await conn.execute(groups.sql("claim"), params)).all()
    return rows, expires


async def extend_groups(
    db: Database,
    groups: GroupLeases,
    *,
    target: str,
    worker_id: str,
    lease_seconds: float,
    clock: Clock = utcnow,
) -> set[str]:
    """Extend the leases of the groups this worker has running jobs of (a heartbeat); returns them."""
    if not db.is_postgres:
        return set()
    params = {
        "hold_until": groups.hold_until(clock(), lease_seconds),
        "worker_id": worker_id,
        "target": target,
        "running": str(JobStatus.RUNNING),
    }
    async with db.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        return {str(key) for key in (await conn.execute(groups.sql("extend"), params)).scalars()}


async def release_groups(db: Database, groups: GroupLeases, *, worker_id: str, clock: Clock = utcnow) -> None:
    """A worker stops: its groups lapse one handover from now instead of a whole hold."""
    if not db.is_postgres:
        return
    until = clock() + timedelta(seconds=groups.handover_seconds)
    async with db.engine.begin() as conn:
        await conn.execute(groups.sql("release"), {"until": until, "worker_id": worker_id})


async def owned_groups(
    db: Database, groups: GroupLeases, *, worker_id: str, clock: Clock = utcnow
) -> list[str]:
    """The groups `worker_id` owns now (tests, status pages)."""
    if not db.is_postgres:
        return []
    async with db.engine.connect() as conn:
        result = await conn.execute(groups.sql("owned"), {"worker_id": worker_id, "now": clock()})
        return [str(key) for key in result.scalars()]
