"""What a job learns from QuickBooks' answers, and where it is recorded.

Every settled operation is recorded three ways: in the job's progress (so the next round trip
refers to it by id), in the mappings (ListID/TxnID and EditSequence, so a later send links or
updates instead of duplicating), and as a job step a person can read. The mapping and the step are
recorded and worded the way both products do (``espqb.sending.recording`` and ``.wording``); what
is the Desktop's own here is reading qbXML answers (ListID/TxnID, EditSequence, RefNumber) and the
list cache, into which list records go at once, so the lookups show a customer the moment it was
created.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStep, Mapping, StepStatus
from espqb.mappings import repository as mappings_repository
from espqb.mappings.plan_bridge import mapping_target
from espqb.money import format_money
from espqb.plan import (
    BillOp,
    CustomerOp,
    InvoiceOp,
    ItemOp,
    ListEntryOp,
    Operation,
    Plan,
    PurchaseOrderOp,
    VendorOp,
)
from espqb.sending import wording
from espqb.sending.recording import DOCUMENT_KINDS, LIST_KINDS, Origin, Settled, StepRecorder

from ..encoder import Done, JobEncoding, Purpose
from ..listcache import cached_entry
from ..listcache import repository as cache_repository
from ..responses import Decision, QbResponse, Ret, decide, refusal, warning
from .job_lifecycle import ACTOR
from .mapping_cache import MappingCache
from .state import JobProgress
from .writes import CallbackWrites

TARGET: Final = "qbd"
PRODUCT = wording.QUICKBOOKS_DESKTOP
# How the mapping records where a settled record came from ("unchanged" writes no mapping).
_MAPPING_ORIGIN: dict[wording.Outcome, Origin] = {
    "created": "created",
    "updated": "created",
    "linked": "linked",
    "found": "found",
    "unchanged": "linked",
}
# How often an operation is retried after 3100/3140 (look up or refresh, then once more) and 3200.
MAX_RETRIES = {Decision.LINK_EXISTING: 1, Decision.REFRESH_AND_RETRY: 1, Decision.REREAD_AND_RETRY: 2}


@dataclass(frozen=True, slots=True)
class _CollectedSteps(StepRecorder):
    """A ``StepRecorder`` whose steps (and their audit entries) go to the callback's
    ``CallbackWrites``, written together at its end, and whose mappings come from the callback's
    ``MappingCache`` (read once, written with the session's next flush)."""

    writes: CallbackWrites | None = field(default=None, kw_only=True)
    mappings: MappingCache | None = field(default=None, kw_only=True)

    async def remember(self, session: AsyncSession, op: Operation, settled: Settled) -> None:
        cache = self.mappings
        if cache is None or isinstance(op, ListEntryOp):
            await StepRecorder.remember(self, session, op, settled)
            return
        kind, esp_key = mapping_target(op, self.order_number)
        row = await cache.get(kind, esp_key)
        if kind in LIST_KINDS and (row is None or row.qb_id != settled.qb_id):
            # A QuickBooks record this ESP record does not hold yet: who holds it (and the unique
            # constraint) decide, as for every send.
            cache.forget(kind, esp_key)
            await StepRecorder.remember(self, session, op, settled)
            return
        if row is None:
            row = Mapping(
                company_id=self.company_id,
                target=self.target,
                kind=kind,
                esp_key=esp_key,
                qb_id=settled.qb_id,
                origin=settled.origin,
            )
            cache.add(row)  # inserted with the callback's other new mappings
        mappings_repository.assign(
            row,
            qb_id=settled.qb_id,
            qb_version=settled.version,
            qb_name=settled.name if kind in LIST_KINDS else None,
            qb_ref_number=settled.ref_number,
            order_number=self.order_number if kind in DOCUMENT_KINDS else None,
            origin=settled.origin,
            job_id=str(self.job_id),
        )

    async def note_version(self, session: AsyncSession, op: Operation, version: str) -> None:
        if self.mappings is None:
            await StepRecorder.note_version(self, session, op, version)
            return
        row = await self.mappings.get(*mapping_target(op, self.order_number))
        if row is not None:
            row.qb_version = version

    async def _step(
        self, session: AsyncSession, op: Operation, action: str, status: StepStatus, **fields: Any
    ) -> JobStep:
        if self.writes is None:
            return await StepRecorder._step(self, session, op, action, status, **fields)
        return self.writes.step(
            company_id=self.company_id,
            job_id=self.job_id,
            key=op.key,
            kind=op.kind,
            action=action,
            status=status,
            actor=self.actor,
            at=self.clock(),
            **fields,
        )


@dataclass
class JobContext:
    session: AsyncSession
    company_id: str
    job_id: uuid.UUID
    order_number: str
    plan: Plan
    progress: JobProgress
    now: datetime
    # The callback's collected writes (``session.writes``); None: each step is written at once.
    writes: CallbackWrites | None = None
    # The callback's mappings (``session.mapping_cache``); None: each is read when settled.
    mappings: MappingCache | None = None

    @property
    def recorder(self) -> StepRecorder:
        """Records this job's results the way both products do (``espqb.sending.recording``), at the
        callback's one instant: the job's own times use it too, so its timeline reads in order."""
        now = self.now
        return _CollectedSteps(
            company_id=self.company_id,
            target=TARGET,
            job_id=self.job_id,
            order_number=self.order_number,
            actor=ACTOR,
            clock=lambda: now,
            writes=self.writes,
            mappings=self.mappings,
        )


async def settle(
    ctx: JobContext,
    op: Operation,
    done: Done,
    *,
    origin: wording.Outcome,
    ref_number: str | None = None,
    figures: str | None = None,
) -> None:
    """Record a settled operation: progress, mapping and step (with its audit entry), worded and
    recorded as on QuickBooks Online (``espqb.sending``). ``figures``: a note with QuickBooks'
    figure next to the planned one, when they differ."""
    if origin == "created" and op.action == "update":
        origin = "updated"
    summary = wording.with_notes(
        wording.settled(PRODUCT, op, origin, done.qb_id, name=done.name, number=ref_number), figures
    )
    settled = Settled(done.qb_id, done.version, done.name, ref_number, origin=_MAPPING_ORIGIN[origin])
    owned = await ctx.recorder.succeeded(
        ctx.session, op, settled, summary=summary, remap=origin != "unchanged"
    )
    if owned is not None and isinstance(op, CustomerOp | VendorOp | ItemOp):
        # Another ESP record's customer, vendor or item, which ESP did not choose: never shared.
        await _claimed_by_another(ctx, op, owned)
        return
    ctx.progress.done[op.key] = done
    if origin in ("created", "updated"):
        ctx.progress.wrote = True
    ctx.progress.find_first.pop(op.key, None)
    ctx.progress.read_first.discard(op.key)


async def _claimed_by_another(
    ctx: JobContext, op: CustomerOp | VendorOp | ItemOp, owned: mappings_repository.RecordOwned
) -> None:
    """The record of that name is another ESP record's (claimed by another job of this round trip):
    never share it. The next plan sees its owner and creates one under a name of its own."""
    progress = ctx.progress
    progress.find_first.pop(op.key, None)
    if progress.retry(op.key) <= MAX_RETRIES[Decision.LINK_EXISTING] + 2:
        return
    await fail(
        ctx,
        op,
        f"QuickBooks' {op.kind} “{owned.qb_name or op.name}” belongs to another ESP "
        f"record and no free name was found for this one; send the order again.",
    )


async def fail(ctx: JobContext, op: Operation, error: str, *, status: StepStatus = StepStatus.FAILED) -> None:
    ctx.progress.failed[op.key] = error
    await ctx.recorder.failed(ctx.session, op, error, status=status)


def _done_from(ret: Ret) -> tuple[Done, str | None]:
    qb_id = ret.text("ListID") or ret.text("TxnID") or ""
    line_ids: tuple[str, ...] = ()
    lines = ret.data.get("PurchaseOrderLineRet")
    if lines is not None:
        rows = lines if isinstance(lines, list) else [lines]
        line_ids = tuple(
            str(row.get("TxnLineID")) for row in rows if isinstance(row, dict) and row.get("TxnLineID")
        )
    name = ret.text("FullName") or ret.text("Name") or ret.text("Initial")  # a sales rep's initials
    return Done(qb_id, ret.text("EditSequence"), name, line_ids), ret.text("RefNumber")


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _invoice_figures(op: InvoiceOp, ret: Ret) -> str | None:
    """For the invoice's step: QuickBooks' total next to ESP's, when they differ."""
    subtotal, tax = _decimal(ret.text("Subtotal")), _decimal(ret.text("SalesTaxTotal"))
    total = (subtotal or Decimal(0)) + (tax or Decimal(0))
    if subtotal is None or total == op.total:
        return None
    return wording.figures_differ(PRODUCT, total, op.total)


def _invoice_differences(op: InvoiceOp, ret: Ret) -> list[str]:
    """QuickBooks computes the invoice itself; say so when its figures differ from ESP's."""
    subtotal, tax = _decimal(ret.text("Subtotal")), _decimal(ret.text("SalesTaxTotal"))
    if subtotal is None:
        return []
    total = subtotal + (tax or Decimal(0))
    notes: list[str] = []
    if tax is not None and op.tax.mode != "item" and tax != op.tax.amount:
        notes.append(
            f"QuickBooks computed the sales tax of invoice {op.doc_number} as {format_money(tax)}; "
            f"ESP's tax is {format_money(op.tax.amount)}."
        )
    if total != op.total:
        notes.append(
            f"QuickBooks shows invoice {op.doc_number} at {format_money(total)}; ESP's total is {format_money(op.total)}."
        )
    return notes


# The element of each purchase document's ``…Ret`` that holds its total (lines plus the purchase tax
# QuickBooks adds in Canadian and UK files): ``BillRet/AmountDue`` is the bill's amount (what is still
# open is ``OpenAmount``), ``PurchaseOrderRet/TotalAmount`` the order's.
_PURCHASE_TOTAL = {"purchase_order": "TotalAmount", "bill": "AmountDue"}


def _purchase_total(op: PurchaseOrderOp | BillOp, ret: Ret) -> Decimal | None:
    return _decimal(ret.text(_PURCHASE_TOTAL[op.kind]))


def _purchase_differences(op: PurchaseOrderOp | BillOp, ret: Ret) -> list[str]:
    """QuickBooks adds the purchase tax of the lines' codes itself (Canada/UK): say so when its total
    differs from the plan's (ESP's cost plus the tax the plan expected, ``tax_amount``)."""
    total = _purchase_total(op, ret)
    if total is None or total == op.total:
        return []
    noun = op.kind.replace("_", " ")
    return [
        f"QuickBooks shows {noun} {op.doc_number} at {format_money(total)}; ESP planned {format_money(op.total)}"
        + (f" (with {format_money(op.tax_amount)} of purchase tax)." if op.tax_amount else ".")
    ]


def _differences(op: Operation, ret: Ret) -> tuple[list[str], str | None]:
    """What QuickBooks computed otherwise than planned, and the figures for the document's step."""
    if isinstance(op, InvoiceOp):
        notes = _invoice_differences(op, ret)
        return notes, _invoice_figures(op, ret) if notes else None
    if isinstance(op, PurchaseOrderOp | BillOp):
        notes = _purchase_differences(op, ret)
        shown = _purchase_total(op, ret)
        return notes, wording.figures_differ(PRODUCT, shown, op.total) if notes else None
    return [], None


async def apply(
    ctx: JobContext, op: Operation, purpose: Purpose, response: QbResponse, sent_name: str | None = None
) -> None:
    """Apply one answer to the operation it was for; ``sent_name`` is the list name the request
    carried (the plan of this round trip may name the entry differently)."""
    if purpose is Purpose.FIND_BY_NAME:
        await _found(ctx, op, response, sent_name)
    elif purpose is Purpose.READ_VERSION:
        await _reread(ctx, op, response)
    elif purpose is Purpose.NOTE_VERSION:
        await _note_version(ctx, op, response)
    else:
        await _written(ctx, op, response, sent_name)


async def _cache(ctx: JobContext, response: QbResponse) -> None:
    entries = [e for e in (cached_entry(ret) for ret in response.rets) if e is not None]
    if entries and ctx.writes is not None:
        ctx.writes.cache_entries(ctx.company_id, entries)
    elif entries:
        await cache_repository.upsert_entries(ctx.session, ctx.company_id, entries)


async def _written(ctx: JobContext, op: Operation, response: QbResponse, sent_name: str | None) -> None:
    progress = ctx.progress
    decision = decide(response.status)
    if decision is Decision.STORE and response.rets:
        done, ref_number = _done_from(response.rets[0])
        if response.status.is_warning:
            progress.warnings.append(warning(wording.mention(op), response.status))
        differences, figures = _differences(op, response.rets[0])
        if differences:
            progress.warnings.extend(differences)
            progress.drift.extend(differences)
        await _cache(ctx, response)
        await settle(
            ctx,
            op,
            done,
            origin="updated" if op.action == "update" else "created",
            ref_number=ref_number,
            figures=figures,
        )
        return
    if decision is Decision.NOT_THE_CAUSE:
        return  # an earlier request of the set failed; this one is sent again or skipped
    limit = MAX_RETRIES.get(decision)
    if limit is not None and progress.retry(op.key) <= limit:
        if decision is Decision.LINK_EXISTING and isinstance(
            op, CustomerOp | VendorOp | ItemOp | ListEntryOp
        ):
            progress.find_first[op.key] = sent_name or op.name or ""
            return
        if decision is Decision.REFRESH_AND_RETRY:
            progress.needs_refresh = True
            return
        if decision is Decision.REREAD_AND_RETRY and isinstance(op, InvoiceOp | PurchaseOrderOp | BillOp):
            progress.versions.pop(op.key, None)
            progress.read_first.add(op.key)
            return
    if decision is Decision.RETRY_NEXT_SESSION:
        progress.retry_next_session = (
            f"{wording.mention(op).capitalize()} could not be saved because someone is working on it in QuickBooks "
            f"({' '.join(response.status.message.split())}); it will be sent again at the next update."
        )
        return
    await fail(ctx, op, refusal(wording.mention(op), response.status))


async def _found(ctx: JobContext, op: Operation, response: QbResponse, sent_name: str | None) -> None:
    progress = ctx.progress
    decision = decide(response.status, is_query=True)
    ret = response.rets[0] if response.rets and decision is Decision.STORE else None
    linked_by_name = op.action == "link"
    if ret is not None:
        done, _ = _done_from(ret)
        await _cache(ctx, response)
        await settle(ctx, op, done, origin="linked" if linked_by_name else "found")
        return
    name = sent_name or getattr(op, "name", None) or ""
    noun = wording.LIST_NOUNS[op.list_kind] if isinstance(op, ListEntryOp) else op.kind
    if linked_by_name:
        await fail(ctx, op, f"QuickBooks has no {noun} named “{name}” to link to.")
        return
    # The name is taken by another kind of record (a vendor, an employee…): refresh the cache so
    # the planner picks a free name, and try once more.
    progress.find_first.pop(op.key, None)
    if progress.retry(op.key) <= MAX_RETRIES[Decision.LINK_EXISTING] + 1:
        progress.needs_refresh = True
        return
    await fail(
        ctx,
        op,
        f"QuickBooks says the name “{name}” is already in use, but not by a {noun}; rename that "
        f"record in QuickBooks or link the {noun} by hand, then send the order again.",
    )


async def _reread(ctx: JobContext, op: Operation, response: QbResponse) -> None:
    progress = ctx.progress
    ret = response.rets[0] if response.rets and not response.status.is_error else None
    version = ret.text("EditSequence") if ret is not None else None
    if version is None:
        await fail(
            ctx,
            op,
            f"{wording.mention(op).capitalize()} is no longer in QuickBooks (it may have been deleted), so it "
            "could not be updated.",
        )
        return
    progress.versions[op.key] = version
    progress.read_first.discard(op.key)
    await ctx.recorder.note_version(ctx.session, op, version)


async def _note_version(ctx: JobContext, op: Operation, response: QbResponse) -> None:
    """Keep the stored EditSequence current after a payment or a bill changed the document."""
    done = ctx.progress.done.get(op.key)
    if done is None or response.status.is_error:
        return
    ret = next((r for r in response.rets if r.text("TxnID") == done.qb_id), None)
    version = ret.text("EditSequence") if ret is not None else None
    if version is None:
        return
    ctx.progress.done[op.key] = Done(done.qb_id, version, done.name, done.line_ids)
    await ctx.recorder.note_version(ctx.session, op, version)


async def skip(ctx: JobContext, op: Operation, reason: str) -> None:
    await fail(ctx, op, reason, status=StepStatus.SKIPPED)


async def record_unsent(ctx: JobContext, encoding: JobEncoding) -> None:
    """Record what the encoder settled without a request: links and documents already in QuickBooks
    as planned, and operations it will not send at all (skipped)."""
    for key, done in encoding.answered.items():
        op = ctx.plan.operation(key)
        await settle(ctx, op, done, origin="unchanged" if op.kind == "payment" else "linked")
    for key, reason in encoding.skipped.items():
        if key not in ctx.progress.failed:
            await skip(ctx, ctx.plan.operation(key), reason)


async def record_pending(ctx: JobContext) -> None:
    """One "not sent yet" step per operation, so the job shows its plan from the start."""
    for op in ctx.plan.operations:
        if op.key not in ctx.progress.done:
            await ctx.recorder.pending(ctx.session, op)
