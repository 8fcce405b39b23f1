"""One wave of independent writes: each operation prepared as a ``Write``; an unanswered call repeated
exactly (``writes.replay_calls``); the others handed to the company's shared batch (``client.coalescer``,
docs/quickbooks-online.md §2.7a) or sent as single calls; QuickBooks Online's answers sorted.

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
from qbo_gateway.client import (
    MAX_BATCH_ITEMS,
    BatchResult,
    DuplicateName,
    ObjectNotFound,
    QboFault,
    StaleObject,
)
from qbo_gateway.client.coalescer import Ahead, Ticket
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
from qbo_gateway.sender.writes import Call, Write, compose_calls, replay_calls

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
    for call in calls:
        await _settle(attempt, recover, call.writes, call, _send(attempt, call))
    if not fresh:
        return
    if not attempt.shares_batches:
        # The first attempt's writes share batches; a later one sends what it has no record of as
        # single calls, under the requestid a single call of that write always has: if an attempt
        # that died sent it so, QBO replays it (a batch of it would be a new request).
        for call in compose_calls(fresh, batch=False):
            await _settle(attempt, recover, call.writes, call, _send(attempt, call))
        return
    for start in range(0, len(fresh), MAX_BATCH_ITEMS):
        chunk = fresh[start : start + MAX_BATCH_ITEMS]
        own_bids = tuple(f"b{index}" for index in range(len(chunk)))
        ticket = attempt.api.shared_batch(
            [write.batch_item(bid) for bid, write in zip(own_bids, chunk, strict=True)],
            ahead=_write_ahead(attempt, chunk, own_bids),
        )

        def sent(
            ticket: Ticket = ticket, chunk: list[Write] = chunk, own: tuple[str, ...] = own_bids
        ) -> Call | None:
            if ticket.request_id is None:
                return None  # never composed: nothing went out
            shared = tuple(ticket.bids[bid] for bid in own)
            return Call(tuple(chunk), batch=True, replay_of=ticket.request_id, bids=shared)

        try:
            answers = await _settle(
                attempt, recover, tuple(chunk), sent, _shared(attempt, chunk, own_bids, ticket)
            )
            if answers is None:  # no room in Intuit's batch window: single calls
                for call in compose_calls(chunk, batch=False):
                    await _settle(attempt, recover, call.writes, call, _send(attempt, call))
        finally:
            ticket.finished()  # (told to go alone) its single calls are over, however they ended


Answers = dict[str, dict[str, Any] | QboFault]


async def _settle(
    attempt: Attempt,
    recover: Recover,
    writes: tuple[Write, ...],
    sent: Call | Callable[[], Call | None],
    answering: Awaitable[Answers | None],
) -> Answers | None:
    """Turn one call's answers into step results (``answering`` None: nothing was sent, nothing to do)."""
    try:
        answers = await answering
    except AttemptInterrupted as stop:
        # No answer: the steps say which request they went out in, so that the next attempt
        # repeats exactly it and QBO replays whatever it did (docs/quickbooks-online.md §2.8).
        call = sent if isinstance(sent, Call) else sent()
        if call is None:
            for write in writes:
                attempt.fail(write.op, write.action, stop.message)
        else:
            rid = call.request_id(attempt.job_id)
            bids = call.batch_ids() if call.batch else (None,) * len(call.writes)
            for write, bid in zip(call.writes, bids, strict=True):
                attempt.fail(write.op, write.action, stop.message, in_doubt=(rid, bid))
        await attempt.flush()
        raise
    if answers is None:
        return None
    follow_ups: list[tuple[Write, QboFault]] = []
    passing: QboFault | None = None
    for write in writes:
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
    return answers


def _write_ahead(attempt: Attempt, chunk: list[Write], own_bids: tuple[str, ...]) -> Ahead:
    async def ahead(request_id: str, bids: dict[str, str]) -> None:
        # Before the shared batch goes out, each step names its requestid and bId (a pending step,
        # no audit entry): an attempt that dies in the call leaves the next one what to repeat.
        await attempt.store.note_sent(
            [(w.op, w.action, request_id, bids[bid]) for w, bid in zip(chunk, own_bids, strict=True)]
        )

    return ahead


async def _shared(
    attempt: Attempt, chunk: list[Write], own_bids: tuple[str, ...], ticket: Ticket
) -> Answers | None:
    """The chunk's answers from its share of a batch; None when it is to go as single calls."""
    try:
        results = await attempt.guard(ticket.answers())
    except QboFault as refused:
        # The batch as a whole was refused (it never ran): every item carries that answer.
        return {write.op.key: refused for write in chunk}
    if results is None:
        return None
    return _batch_answers(dict(zip(own_bids, chunk, strict=True)), results)


def _batch_answers(by_bid: dict[str, Write], results: dict[str, BatchResult]) -> Answers:
    answers: Answers = {}
    for bid, write in by_bid.items():
        result = results[bid]
        if result.error is not None:
            answers[write.op.key] = result.error
        elif write.action == "find":
            rows = (result.query_response or {}).get(write.entity) or []
            answers[write.op.key] = rows[0] if rows else {}
        else:
            answers[write.op.key] = result.entity or {}
    return answers


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


async def _send(attempt: Attempt, call: Call) -> Answers:
    """Each write's answer: the entity QBO returned (find: the first match, or {}) or its fault."""
    rid = call.request_id(attempt.job_id)
    if call.batch:
        by_bid = dict(zip(call.batch_ids(), call.writes, strict=True))
        try:
            results = await attempt.guard(
                attempt.api.batch([w.batch_item(bid) for bid, w in by_bid.items()], request_id=rid)
            )
        except QboFault as refused:
            # The batch as a whole was refused (it never ran): every item carries that answer.
            return {write.op.key: refused for write in call.writes}
        answers = _batch_answers(by_bid, results)
        if call.replay_of is not None:
            for bid, write in by_bid.items():
                if results[bid].unanswered:
                    # The answer QBO keeps for that requestid is of a request without this item (an
                    # order that shared the batch repeated its own items first): it was never done.
                    answers[write.op.key] = await _alone(attempt, write)
        return answers
    (write,) = call.writes
    return {write.op.key: await _alone(attempt, write, rid)}


async def _alone(attempt: Attempt, write: Write, rid: str | None = None) -> dict[str, Any] | QboFault:
    """One write as a single call (under the requestid a single call of it always has)."""
    try:
        return await attempt.single(write, rid or Call((write,), batch=False).request_id(attempt.job_id))
    except QboFault as fault:  # a refusal of this write (what ends the attempt was raised as such)
        return fault
