"""What one callback writes about its jobs, in a few multi-row statements instead of one per row.

A message set carries up to ``max_jobs_per_message_set`` orders of about ten operations each, and
every operation leaves a job step (and, once settled, an audit entry), so writing them one by one
made a 100-order update cost thousands of statements. The ``Conversation`` of a callback collects
them here and writes them with ``flush``, still inside the callback's transaction, before its answer
leaves the server (docs/web-connector.md, "What one callback costs"):

* job steps: one executemany of ``INSERT … ON CONFLICT (job_id, key) DO UPDATE``, the last word on
  each step winning, as the one-row upsert (``espqb.queue.record_step``) would leave it;
* documents' new mappings: one executemany (``MappingCache.flush``);
* list records QuickBooks returned (a customer it created…): one upsert into the list cache;
* audit entries: one multi-row insert, in the order they were made (a job's "sending" before its
  steps' entries, its steps' before its "ended");
* ended attempts: their columns are set on the job at once (``transitions.apply``); their audit
  entries, the follow-up sends they release and the wake-ups go in one call of
  ``transitions.after_ended`` for all of them.

The buffer lives as long as one callback; nothing of a session is kept in the process (a session's
calls may reach another replica).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStep, StepStatus
from espqb.queue import transitions
from espqb.queue.audit_trail import write_audit
from espqb.queue.notify import dialect_name
from espqb.queue.steps import step_record

from ..listcache import CachedEntry
from ..listcache import repository as cache_repository
from .mapping_cache import MappingCache

# Rows per executemany.
CHUNK = 500
_JOB_STEPS = cast(Table, JobStep.__table__)
_STEP_COLUMNS = (
    "kind",
    "action",
    "status",
    "qb_id",
    "qb_version",
    "summary",
    "error",
    "request_id",
    "batch_item_id",
    "updated_at",
)


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


class CallbackWrites:
    def __init__(
        self, session: AsyncSession, *, now: datetime, actor: str, mappings: MappingCache | None = None
    ) -> None:
        self.session = session
        self.mappings = mappings
        self.now = now
        self.actor = actor
        self._steps: dict[tuple[uuid.UUID, str], dict[str, Any]] = {}
        self._audit: list[dict[str, Any]] = []
        self._ended: list[transitions.Ended] = []
        self._cache: dict[str, list[CachedEntry]] = {}

    @property
    def empty(self) -> bool:
        return not (self._steps or self._audit or self._ended or self._cache)

    def cache_entries(self, company_id: str, entries: list[CachedEntry]) -> None:
        """List records to put in the list cache (the last of one ListID wins, as one by one)."""
        self._cache.setdefault(company_id, []).extend(entries)

    def step(
        self,
        *,
        company_id: str,
        job_id: uuid.UUID,
        key: str,
        kind: str,
        action: str,
        status: StepStatus,
        qb_id: str | None = None,
        qb_version: str | None = None,
        summary: str | None = None,
        error: str | None = None,
        request_id: str | None = None,
        batch_item_id: str | None = None,
        actor: str,
        at: datetime,
    ) -> JobStep:
        """The step ``key`` of a job, with its audit entry unless it is pending (as
        ``espqb.queue.record_step``). Returns the step as it will be written (not in the session)."""
        values, audit = step_record(
            company_id=company_id,
            job_id=job_id,
            key=key,
            kind=kind,
            action=action,
            status=status,
            qb_id=qb_id,
            qb_version=qb_version,
            summary=summary,
            error=error,
            request_id=request_id,
            batch_item_id=batch_item_id,
            actor=actor,
            at=at,
        )
        # Re-inserted at the end only when new: a step keeps the place it was first recorded at.
        self._steps[(job_id, key)] = {"job_id": job_id, "key": key, **values}
        if audit is not None:
            self._audit.append(audit)
        return JobStep(job_id=job_id, key=key, **values)

    def audit(self, row: dict[str, Any]) -> None:
        self._audit.append(row)

    def ended(self, ended: transitions.Ended) -> None:
        self._ended.append(ended)

    async def flush(self) -> None:
        """Write what was collected (a handful of statements), in the callback's transaction."""
        if self.mappings is not None:
            await self.mappings.flush()
        if self.empty:
            return
        steps, audit, ended, cache = list(self._steps.values()), self._audit, self._ended, self._cache
        self._steps, self._audit, self._ended, self._cache = {}, [], [], {}
        for company_id, entries in cache.items():
            await cache_repository.upsert_entries(self.session, company_id, entries)
        if steps:
            insert = postgresql_insert if dialect_name(self.session) == "postgresql" else sqlite_insert
            statement = insert(_JOB_STEPS)
            statement = statement.on_conflict_do_update(
                index_elements=["job_id", "key"],
                set_={column: statement.excluded[column] for column in _STEP_COLUMNS},
            )
            for chunk in _chunks(steps):
                # An executemany of one statement (compiled once, cached), in step order.
                await self.session.execute(statement, chunk)
        for chunk in _chunks(audit):
            await write_audit(self.session, chunk)
        if ended:
            await self.session.flush()  # the follow-up release reads the finished jobs' status
            await transitions.after_ended(self.session, ended, now=self.now, actor=self.actor)
