"""Saving what a QuickBooks Online send did: its results go through ``espqb.sending.recording``
(mappings, job steps and their audit entries), in one transaction per QuickBooks call.

Each call's results are saved right after the call, so an attempt that stops half-way loses nothing
it did, and a later attempt sees exactly which steps are done. Results wait in ``ResultStore`` until
``flush``; a found or created customer, vendor or item that turns out to be another ESP record's (a
concurrent send claimed it first) is not saved but handed back, so the send can create a record of
its own.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db import Database
from espqb.db.models import StepStatus
from espqb.mappings.repository import RecordOwned
from espqb.plan import Operation
from espqb.sending.recording import StepRecorder
from qbo_gateway.sender.results import StepResult

__all__ = ["ResultStore", "WriteAhead"]


class ResultStore:
    """The results of one attempt not saved yet, and where they go."""

    def __init__(self, db: Database, recorder: StepRecorder, write_ahead: WriteAhead | None = None) -> None:
        self.db = db
        self.recorder = recorder
        self.write_ahead = write_ahead or WriteAhead(db)
        self._unsaved: list[tuple[Operation, StepResult]] = []

    def add(self, op: Operation, result: StepResult) -> None:
        self._unsaved.append((op, result))

    async def flush(self) -> list[tuple[Operation, RecordOwned]]:
        """Saves every result added since the last flush; returns the found or created list records
        another ESP record owns (those results are not saved)."""
        batch, self._unsaved = self._unsaved, []
        return await self.save(batch)

    async def save(self, items: list[tuple[Operation, StepResult]]) -> list[tuple[Operation, RecordOwned]]:
        batch = [(op, result) for op, result in items if result.persist_step]
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
        settled = result.settled
        if settled is not None:
            return await self.recorder.succeeded(
                session,
                op,
                settled,
                summary=result.summary or "",
                action=result.action,
                remap=result.persist_mapping,
            )
        await self.recorder.failed(
            session,
            op,
            result.error,
            status=result.status,
            action=result.action,
            summary=result.summary,
            in_doubt=result.in_doubt,
        )
        return None

    async def note_sent(self, writes: list[tuple[Operation, str, str, str]]) -> None:
        """Before a shared batch goes out: each ``(op, action, requestid, bId)``'s step, pending, names the
        request its write travels in (no audit entry), so the next attempt can repeat exactly it should
        this one end without an answer."""
        await self.write_ahead.note(self.recorder, writes)

    @property
    def pending(self) -> bool:
        return bool(self._unsaved)


SentWrite = tuple[Operation, str, str, str]  # (op, action, requestid, bId)


class WriteAhead:
    """The pending steps of one shared batch, every order's, saved in one transaction: the orders of
    a batch note theirs at the same moment (``BatchCoalescer`` awaits them together), and the first
    one's transaction takes whatever the others added before it began."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: list[tuple[StepRecorder, list[SentWrite]]] = []
        self._flush: asyncio.Future[None] | None = None

    async def note(self, recorder: StepRecorder, writes: list[SentWrite]) -> None:
        self._waiting.append((recorder, writes))
        if self._flush is None:
            self._flush = asyncio.ensure_future(self._save())
        await asyncio.shield(self._flush)

    async def _save(self) -> None:
        await asyncio.sleep(0)  # the other orders of the batch add theirs
        waiting, self._waiting, self._flush = self._waiting, [], None
        async with self.db.transaction() as session:
            for recorder, writes in waiting:
                for op, action, request_id, bid in writes:
                    await recorder.failed(
                        session,
                        op,
                        None,
                        status=StepStatus.PENDING,
                        action=action,
                        in_doubt=(request_id, bid),
                    )
