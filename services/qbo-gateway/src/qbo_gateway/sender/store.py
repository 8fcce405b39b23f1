"""Saving what a send did: mappings, job steps and (through ``record_step``) the audit log.

Each QuickBooks call's results are saved in one transaction right after the call, so an attempt
that stops half-way loses nothing it did, and a later attempt sees exactly which steps are done.

A QuickBooks customer, vendor or item belongs to one ESP record (``mappings.RecordOwned``): when the
record this send found or created turns out to be another ESP record's (a concurrent send claimed it
first), its result is not saved but handed back, so the send can create a record of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db import Database
from espqb.mappings import repository as mappings
from espqb.mappings.plan_bridge import mapping_target
from espqb.mappings.repository import RecordOwned
from espqb.plan import Operation
from espqb.queue import record_step
from espqb.queue.clock import Clock, utcnow
from qbo_gateway.sender.results import StepResult

__all__ = ["ResultStore"]

TARGET = "qbo"


class ResultStore:
    def __init__(
        self, db: Database, *, job_id: uuid.UUID, company_id: str, order_number: str, clock: Clock = utcnow
    ) -> None:
        self.db = db
        self.job_id = job_id
        self.company_id = company_id
        self.order_number = order_number
        self.clock = clock

    async def save(
        self, items: Iterable[tuple[Operation, StepResult]]
    ) -> list[tuple[Operation, RecordOwned]]:
        """Saves the results; returns the found or created list records another ESP record owns
        (those results are not saved)."""
        batch = [(op, result) for op, result in items if result.persist_step or result.persist_mapping]
        refused: list[tuple[Operation, RecordOwned]] = []
        if not batch:
            return refused
        for attempt in (1, 2):
            refused = []
            try:
                async with self.db.transaction() as session:
                    for op, result in batch:
                        owned = await self._save_one(session, op, result)
                        if owned is not None:
                            refused.append((op, owned))
                return refused
            except IntegrityError:
                # Another send mapped the same customer, vendor or item at the same moment (both
                # were told by QuickBooks it exists, 6240): read again, then it is an update.
                if attempt == 2:
                    raise
        return refused  # pragma: no cover - the loop returns or raises

    async def _save_one(self, session: AsyncSession, op: Operation, result: StepResult) -> RecordOwned | None:
        if result.succeeded and result.qb_id and result.persist_mapping:
            try:
                await self._map(session, op, result)
            except RecordOwned as owned:
                if result.kind not in ("customer", "vendor", "item"):
                    raise
                if result.origin != "linked":
                    return owned
                # Chosen by hand in the dialog: this order's documents use it, but it stays the
                # other ESP record's for later sends.
                result.summary = (
                    f"{result.summary or 'Linked'}; it stays linked to ESP record {owned.owner}, so later "
                    "sends do not use it unless chosen again"
                )
        if result.persist_step:
            await self._record(session, result)
        return None

    async def _map(self, session: AsyncSession, op: Operation, result: StepResult) -> None:
        assert result.qb_id is not None
        kind, esp_key = mapping_target(op, self.order_number)
        document = kind.value in ("invoice", "payment", "bill", "purchase_order")
        await mappings.upsert(
            session,
            company_id=self.company_id,
            target=TARGET,
            kind=kind,
            esp_key=esp_key,
            qb_id=result.qb_id,
            qb_version=result.qb_version,
            qb_name=result.qb_name,
            qb_ref_number=result.ref_number,
            order_number=self.order_number if document else None,
            origin=result.origin,
            job_id=str(self.job_id),
        )

    async def _record(self, session: AsyncSession, result: StepResult) -> None:
        await record_step(
            session,
            self.job_id,
            result.key,
            result.kind,
            result.action,
            result.status,
            qb_id=result.qb_id,
            qb_version=result.qb_version,
            summary=result.summary,
            error=result.error,
            request_id=result.in_doubt[0] if result.in_doubt else None,
            batch_item_id=result.in_doubt[1] if result.in_doubt else None,
            company_id=self.company_id,
            clock=self.clock,
        )
