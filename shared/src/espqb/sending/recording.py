"""Recording what came of a plan operation, on either product: the mapping (where the record lives
in QuickBooks, so a later send links or updates instead of duplicating) and the job step a person
reads (with its audit entry, ``espqb.queue.record_step``).

One ``StepRecorder`` per job and attempt (or Desktop round trip); each call works in the caller's
session and transaction::

    recorder = StepRecorder(company_id=..., target="qbd", job_id=job.id, order_number=plan.order_number,
                            actor=ACTOR, clock=lambda: now)
    owned = await recorder.succeeded(session, op, Settled(qb_id, version, name, ref_number, origin),
                                     summary=wording.created(QUICKBOOKS_DESKTOP, op, qb_id, ...))
    if owned is not None: ...   # a record found by name is another ESP record's: nothing recorded
    await recorder.failed(session, op, "QuickBooks refused …")
    await recorder.failed(session, op, reason, status=StepStatus.SKIPPED)
    await recorder.pending(session, op)
    await recorder.note_version(session, op, edit_sequence)   # QuickBooks changed the record since

A QuickBooks customer, vendor or item belongs to one ESP record (``mappings.RecordOwned``). When
the record settled for ``op`` is another ESP record's: if the plan chose it (origin ``linked``: a
mapping, the dialog, the CRM link) this order uses it and the step says it stays the other
record's; otherwise (ESP created or found it) nothing is recorded and ``succeeded`` hands the
``RecordOwned`` back, so the caller finds the record a name of its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStep, MappingKind, StepStatus
from espqb.mappings import repository as mappings
from espqb.mappings.plan_bridge import mapping_target
from espqb.mappings.repository import RecordOwned
from espqb.plan import ListEntryOp, Operation, Target
from espqb.queue import record_step
from espqb.queue.audit_trail import WORKER_ACTOR
from espqb.queue.clock import Clock, utcnow
from espqb.sending.wording import stays_with_owner, with_notes

__all__ = ["DOCUMENT_KINDS", "LIST_KINDS", "Origin", "Settled", "StepRecorder"]

# The one list of document kinds: a document's mapping belongs to its order; every other kind is a
# list record (customer, vendor, item) an ESP record claims.
DOCUMENT_KINDS = frozenset(
    {MappingKind.INVOICE, MappingKind.PAYMENT, MappingKind.PURCHASE_ORDER, MappingKind.BILL}
)
LIST_KINDS = mappings.CLAIMED_KINDS

# created: ESP wrote it (or updated it); linked: the plan chose it; found: ESP meant to create it and
# found one of that name.
Origin = Literal["created", "linked", "found"]


@dataclass(frozen=True, slots=True)
class Settled:
    """Where an operation's record lives in QuickBooks, as QuickBooks answered."""

    qb_id: str  # QBO Id / Desktop ListID or TxnID
    version: str | None = None  # SyncToken / EditSequence
    name: str | None = None  # a list record's name (kept for customers, vendors and items only)
    ref_number: str | None = None  # a document's number
    origin: Origin = "created"


@dataclass(frozen=True, slots=True)
class StepRecorder:
    """Records one job's results (see the module's docstring)."""

    company_id: str
    target: Target
    job_id: uuid.UUID
    order_number: str
    actor: str = WORKER_ACTOR
    clock: Clock = utcnow

    async def succeeded(
        self,
        session: AsyncSession,
        op: Operation,
        settled: Settled,
        *,
        summary: str,
        action: str | None = None,
        remap: bool = True,
    ) -> RecordOwned | None:
        """Map ``op`` to its record (unless ``remap`` is False: the mapping already says exactly
        this) and record its step as succeeded (``action``: what was done, ``op.action`` unless
        given). Returns the ``RecordOwned`` of a created or found list record another ESP record
        holds; then nothing was recorded."""
        if remap:
            try:
                await self.remember(session, op, settled)
            except RecordOwned as owned:
                if op.kind not in LIST_KINDS:
                    raise
                if settled.origin != "linked":
                    return owned
                summary = with_notes(summary, stays_with_owner(owned.owner))
        await self._step(
            session,
            op,
            action or op.action,
            StepStatus.SUCCEEDED,
            qb_id=settled.qb_id,
            qb_version=settled.version,
            summary=summary,
        )
        return None

    async def remember(self, session: AsyncSession, op: Operation, settled: Settled) -> None:
        """Map ``op`` to its record. Raises ``RecordOwned`` when another ESP record holds the
        customer, vendor or item. Terms, classes and the other reference lists are not kept: the plan
        links them from the company's lists as read (``espqb.plan.lists``), and two names of one entry
        (a sales rep's initials and name) would claim its one QuickBooks id twice."""
        if isinstance(op, ListEntryOp):
            return
        kind, esp_key = mapping_target(op, self.order_number)
        await mappings.upsert(
            session,
            company_id=self.company_id,
            target=self.target,
            kind=kind,
            esp_key=esp_key,
            qb_id=settled.qb_id,
            qb_version=settled.version,
            qb_name=settled.name if kind in LIST_KINDS else None,
            qb_ref_number=settled.ref_number,
            order_number=self.order_number if kind in DOCUMENT_KINDS else None,
            origin=settled.origin,
            job_id=str(self.job_id),
        )

    async def note_version(self, session: AsyncSession, op: Operation, version: str) -> None:
        """Keep the mapping's version (SyncToken / EditSequence) current after QuickBooks changed
        the record (a payment applied to an invoice, a bill receiving a purchase order, a re-read):
        a later update sends it."""
        kind, esp_key = mapping_target(op, self.order_number)
        row = await mappings.get(session, self.company_id, self.target, kind, esp_key)
        if row is not None:
            row.qb_version = version

    async def failed(
        self,
        session: AsyncSession,
        op: Operation,
        error: str | None,
        *,
        status: StepStatus = StepStatus.FAILED,
        action: str | None = None,
        summary: str | None = None,
        in_doubt: tuple[str, str | None] | None = None,
    ) -> JobStep:
        """Record ``op``'s step as failed (or skipped). ``in_doubt``: the requestid (and batch item
        id) of a write that got no answer, to be repeated as that request."""
        return await self._step(
            session,
            op,
            action or op.action,
            status,
            summary=summary,
            error=error,
            request_id=in_doubt[0] if in_doubt else None,
            batch_item_id=in_doubt[1] if in_doubt else None,
        )

    async def pending(self, session: AsyncSession, op: Operation) -> JobStep:
        """Record ``op``'s step as not sent yet (no audit entry), so the job shows its plan."""
        return await self._step(session, op, op.action, StepStatus.PENDING)

    async def _step(
        self,
        session: AsyncSession,
        op: Operation,
        action: str,
        status: StepStatus,
        *,
        qb_id: str | None = None,
        qb_version: str | None = None,
        summary: str | None = None,
        error: str | None = None,
        request_id: str | None = None,
        batch_item_id: str | None = None,
    ) -> JobStep:
        return await record_step(
            session,
            self.job_id,
            op.key,
            op.kind,
            action,
            status,
            qb_id=qb_id,
            qb_version=qb_version,
            summary=summary,
            error=error,
            request_id=request_id,
            batch_item_id=batch_item_id,
            company_id=self.company_id,
            actor=self.actor,
            clock=self.clock,
        )
