"""Saving what a send did: mappings, job steps and (through ``record_step``) the audit log.

Each QuickBooks call's results are saved in one transaction right after the call, so an attempt
that stops half-way loses nothing it did, and a later attempt sees exactly which steps are done.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db import Database
from espqb.mappings import repository as mappings
from espqb.mappings.plan_bridge import mapping_target
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

    async def save(self, items: Iterable[tuple[Operation, StepResult]]) -> None:
        batch = [(op, result) for op, result in items if result.persist_step or result.persist_mapping]
        if not batch:
            return
        for attempt in (1, 2):
            try:
                async with self.db.transaction() as session:
                    for op, result in batch:
                        await self._save_one(session, op, result)
                return
            except IntegrityError:
                # Another send mapped the same customer, vendor or item at the same moment (both
                # were told by QuickBooks it exists, 6240): read again, then it is an update.
                if attempt == 2:
                    raise

    async def _save_one(self, session: AsyncSession, op: Operation, result: StepResult) -> None:
        if result.succeeded and result.qb_id and result.persist_mapping:
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
        if result.persist_step:
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
