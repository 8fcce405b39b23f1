"""One wave of independent writes: each operation prepared as a ``Write``, the writes grouped into
calls (a batch or singles, ``writes.compose_calls``; an unanswered call repeated exactly,
``writes.replay_calls``), and QuickBooks Online's answers sorted.

Items of one batch cannot see each other (docs/quickbooks-online.md §2.7), so a later wave refers
to ids the earlier ones produced. Each answer is an entity (accepted), a passing fault (the step
fails, the attempt ends after the call's results are saved), a refusal with a repair (``recover``,
``recovery.follow_up``) or any other refusal (the step fails with Intuit's words).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from espqb.plan import BillOp, ListEntryOp, Operation
from espqb.sending import wording
from qbo_gateway.client import DuplicateName, ObjectNotFound, QboFault, StaleObject
from qbo_gateway.encoder import (
    EncodeError,
    PurchaseOrderLink,
    as_sparse_update,
    cleared_on_update,
    encode,
    entity_of,
)
from qbo_gateway.sender.attempt import Attempt, by_name, list_entry_by_name
from qbo_gateway.sender.results import AttemptInterrupted
from qbo_gateway.sender.writes import Call, Write, compose_calls, replay_calls, wants_batch

__all__ = ["REPAIRABLE", "Recover", "prepare", "run_wave"]

# The refusals a repair may answer (6240 duplicate name, 5010 stale object, 610 object not found).
REPAIRABLE = (DuplicateName, StaleObject, ObjectNotFound)

# Repairs one write QBO refused with a REPAIRABLE fault (``recovery.follow_up``).
Recover = Callable[[Attempt, Write, QboFault], Awaitable[None]]


async def run_wave(attempt: Attempt, ops: list[Operation], recover: Recover) -> None:
    writes: list[Write] = []
    for op in ops:
        write = await prepare(attempt, op)
        if write is not None:
            writes.append(write)
    calls, fresh = replay_calls(writes, attempt.inputs.in_doubt)
    if fresh:
        batch = wants_batch(fresh, batch_min_items=attempt.settings.batch_min_items)
        calls += compose_calls(fresh, batch=batch and await attempt.guard(attempt.api.has_batch_room()))
    for call in calls:
        try:
            answers = await _send(attempt, call)
        except AttemptInterrupted as stop:
            # No answer: the steps say which request they went out in, so that the next attempt
            # repeats exactly it and QBO replays whatever it did (docs/quickbooks-online.md §2.8).
            rid = call.request_id(attempt.job_id)
            bids = call.batch_ids() if call.batch else (None,) * len(call.writes)
            for write, bid in zip(call.writes, bids, strict=True):
                attempt.fail(write.op, write.action, stop.message, in_doubt=(rid, bid))
            await attempt.flush()
            raise
        follow_ups: list[tuple[Write, QboFault]] = []
        passing: QboFault | None = None
        for write in call.writes:
            answer = answers[write.op.key]
            if isinstance(answer, QboFault):
                if answer.retryable:
                    passing = passing or answer
                    attempt.fail(write.op, write.action, answer.plain)
                elif isinstance(answer, REPAIRABLE):
                    follow_ups.append((write, answer))
                else:
                    attempt.fail(write.op, write.action, answer.plain)
            else:
                attempt.accept(write, answer)
        await attempt.flush()
        if passing is not None:
            raise AttemptInterrupted(passing.plain)
        for write, fault in follow_ups:
            await recover(attempt, write, fault)
            await attempt.flush()


async def prepare(attempt: Attempt, op: Operation) -> Write | None:
    """The write of ``op``: a find for a link known by name only, else its encoded create or update.
    None when it cannot be written (the step is skipped or failed)."""
    missing = [ref for ref in op.references() if ref not in attempt.ids]
    if missing:
        attempt.skip(op, wording.not_written_because(attempt.plan.operation(missing[0])))
        return None
    if isinstance(op, ListEntryOp):
        return await _list_entry(attempt, op)
    if op.action == "link":
        # Linked by name only (no Id known): find it.
        name = getattr(op, "name", None) or ""
        entity = entity_of(op)
        return Write(op, entity, "find", statement=by_name(entity, name))
    receives = await _receives(attempt, op)
    try:
        entity, body = encode(op, attempt.context, receives=receives)
    except EncodeError as error:
        attempt.fail(op, op.action, str(error))
        return None
    existing = op.existing
    if op.action == "update" and existing is not None and existing.quickbooks_id:
        version = existing.version
        if version is None:
            current = await attempt.guard(attempt.api.read(entity, existing.quickbooks_id))
            version = str(current.get("SyncToken"))
        return Write(
            op,
            entity,
            "update",
            as_sparse_update(cleared_on_update(op, entity, body), existing.quickbooks_id, version),
            existing_id=existing.quickbooks_id,
        )
    return Write(op, entity, "create", body)


async def _list_entry(attempt: Attempt, op: ListEntryOp) -> Write | None:
    """A term, class or location: linked by name when QBO has it (it may have been added since the
    company was read), else created. The lookup goes first, as one query (docs/quickbooks-online.md §7.8)."""
    try:
        entity, body = encode(op, attempt.context)
    except EncodeError as error:
        attempt.fail(op, op.action, str(error))
        return None
    statement = list_entry_by_name(entity, op.name)
    if op.action == "link":
        return Write(op, entity, "find", statement=statement)
    rows = await attempt.rows(statement, entity)
    if rows:
        attempt.accept(Write(op, entity, "find", statement=statement), rows[0])
        return None
    return Write(op, entity, "create", body)


async def _receives(attempt: Attempt, op: Operation) -> PurchaseOrderLink | None:
    """A bill receives its supplier's purchase order of the same send: the PO's Id and line ids."""
    if not isinstance(op, BillOp):
        return None
    po_key = f"purchase_order:{op.supplier_id}"
    if po_key not in {o.key for o in attempt.plan.operations}:
        return None
    po_id = attempt.ids.get(po_key)
    if po_id is None:
        return None  # the PO failed: the bill still goes, unlinked (verify notes nothing to link)
    entity = attempt.entities.get(po_key)
    if entity is None:
        # The PO was written by an earlier attempt: its line ids are needed for the link.
        entity = await attempt.guard(attempt.api.read("PurchaseOrder", po_id))
    line_ids = tuple(str(line.get("Id")) for line in entity.get("Line") or [] if line.get("Id") is not None)
    if len(line_ids) != len(op.lines):
        return None
    return PurchaseOrderLink(po_id, line_ids)


async def _send(attempt: Attempt, call: Call) -> dict[str, dict[str, Any] | QboFault]:
    """Each write's answer: the entity QBO returned (find: the first match, or {}) or its fault."""
    rid = call.request_id(attempt.job_id)
    if call.batch:
        bids = dict(zip(call.batch_ids(), call.writes, strict=True))
        try:
            results = await attempt.guard(
                attempt.api.batch([w.batch_item(bid) for bid, w in bids.items()], request_id=rid)
            )
        except QboFault as refused:
            # The batch as a whole was refused (it never ran): every item carries that answer.
            return {write.op.key: refused for write in call.writes}
        answers: dict[str, dict[str, Any] | QboFault] = {}
        for bid, write in bids.items():
            result = results[bid]
            if result.error is not None:
                answers[write.op.key] = result.error
            elif write.action == "find":
                rows = (result.query_response or {}).get(write.entity) or []
                answers[write.op.key] = rows[0] if rows else {}
            else:
                answers[write.op.key] = result.entity or {}
        return answers
    (write,) = call.writes
    try:
        return {write.op.key: await attempt.single(write, rid)}
    except QboFault as fault:  # a refusal of this write (what ends the attempt was raised as such)
        return {write.op.key: fault}
