"""610 object not found: something the write needs is gone from QuickBooks Online.

* the record being updated was deleted → create it again (the step says the earlier one was
  deleted) and remap;
* a customer, vendor or item the document refers to was deleted or made inactive → plan again as if
  its mapping did not exist, create that record (6240 on the way: ``duplicate_name``), remap, and
  write the document again;
* nothing it refers to is gone → the step fails with Intuit's words (writing it again would fail
  the same way).
"""

from __future__ import annotations

from typing import Any

from espqb.plan import CustomerOp, ItemOp, KnownMappings, Operation, Plan, PlanError, VendorOp
from espqb.sending import wording
from espqb.sending.recording import LIST_KINDS
from espqb.sending.wording import QUICKBOOKS_ONLINE as PRODUCT
from qbo_gateway.client import DuplicateName, ObjectNotFound, QboFault, quote
from qbo_gateway.encoder import ENTITY_NAMES, EncodeError, encode
from qbo_gateway.sender.attempt import Attempt
from qbo_gateway.sender.recovery.duplicate_name import adopt_or_rename
from qbo_gateway.sender.recovery.policy import Policy
from qbo_gateway.sender.waves import prepare
from qbo_gateway.sender.writes import Write

__all__ = ["POLICY", "repair"]


async def repair(attempt: Attempt, write: Write, fault: QboFault) -> None:
    """The record itself is gone (then create it again), or one it refers to."""
    op = write.op
    if write.action == "update" and write.existing_id is not None:
        try:
            await attempt.guard(attempt.api.read(write.entity, write.existing_id))
        except ObjectNotFound:
            await _recreate_document(attempt, write)
            return
    if not await _recreate_references(attempt, op):
        attempt.fail(op, write.action, fault.plain)
        return
    retry = await prepare(attempt, op)
    if retry is None:
        return
    if retry.body == write.body:
        # Nothing it refers to changed (no record was gone): writing it again would fail the same way.
        attempt.fail(op, write.action, fault.plain)
        return
    try:
        entity = await attempt.write_alone(retry)
    except QboFault as again:
        attempt.fail(op, retry.action, again.plain)
        return
    attempt.accept(retry, entity)


async def _recreate_document(attempt: Attempt, write: Write) -> None:
    assert write.body is not None and write.existing_id is not None
    body = {k: v for k, v in write.body.items() if k not in ("Id", "SyncToken", "sparse")}
    fresh = Write(write.op, write.entity, "create", body, note=f"recreate-of:{write.existing_id}")
    try:
        entity = await attempt.write_alone(fresh)
    except QboFault as fault:
        attempt.fail(write.op, "create", fault.plain)
        return
    attempt.accept(fresh, entity, note=wording.recreated_deleted(PRODUCT, write.op, write.existing_id))


async def _recreate_references(attempt: Attempt, op: Operation) -> bool:
    """Create again the customers, vendors and items ``op`` refers to that QBO no longer has active
    (another document of the send may have done it already). False when one cannot be."""
    for ref_key in await _gone_references(attempt, op):
        replanned = _replan_without(attempt, ref_key)
        if replanned is None:
            return False
        fresh_op = replanned.operation(ref_key)
        if fresh_op.action != "create":
            return False
        try:
            entity_name, body = encode(fresh_op, attempt.context)
        except EncodeError:
            return False
        old_id = attempt.ids.pop(ref_key, None)
        write = Write(fresh_op, entity_name, "create", body, note=f"recreate-of:{old_id}")
        try:
            entity = await attempt.write_alone(write)
        except DuplicateName:
            await adopt_or_rename(attempt, write)
        except QboFault:
            return False
        else:
            attempt.accept(write, entity, note=wording.recreated_inactive(PRODUCT, fresh_op, old_id))
        if ref_key not in attempt.ids:
            return False
    await attempt.flush()
    return True


async def _gone_references(attempt: Attempt, op: Operation) -> list[str]:
    by_entity: dict[str, list[str]] = {}
    for ref_key in op.references():
        ref_op = attempt.plan.operation(ref_key)
        if ref_op.kind in LIST_KINDS and ref_key in attempt.ids:
            by_entity.setdefault(ENTITY_NAMES[ref_op.kind], []).append(ref_key)
    gone: list[str] = []
    for entity, keys in by_entity.items():
        ids = ", ".join(quote(attempt.ids[k]) for k in keys)
        statement = f"SELECT * FROM {entity} WHERE Id IN ({ids}) AND Active IN (true, false)"  # noqa: S608
        rows = await attempt.rows(statement, entity)
        active = {str(row.get("Id")) for row in rows if row.get("Active") is not False}
        gone += [k for k in keys if attempt.ids[k] not in active]
    return gone


def _replan_without(attempt: Attempt, ref_key: str) -> Plan | None:
    """The plan as if ``ref_key``'s mapping did not exist: its operation becomes a create."""
    known = attempt.inputs.send.mappings
    ref_op = attempt.plan.operation(ref_key)
    gone_id = ref_op.existing.quickbooks_id if ref_op.existing else None
    if isinstance(ref_op, CustomerOp):
        known = _without(known, gone_id, customers=ref_op.esp_customer_id)
    elif isinstance(ref_op, VendorOp):
        known = _without(known, gone_id, vendors=ref_op.supplier_id)
    elif isinstance(ref_op, ItemOp):
        known = _without(known, gone_id, items=ref_op.esp_key)
    try:
        return attempt.inputs.send.plan(known)
    except PlanError:
        return None


def _without(known: KnownMappings, gone_id: str | None, **drop: str) -> KnownMappings:
    """The mappings without one list record: neither its mapping nor its name (the planner would
    otherwise adopt the record again by name)."""
    changes: dict[str, Any] = {}
    for field, key in drop.items():
        current = dict(getattr(known, field))
        current.pop(key, None)
        changes[field] = current
    names = known.names_in_use
    changes["names_in_use"] = names.model_copy(
        update={
            "names": tuple(n for n in names.names if n.quickbooks_id is None or n.quickbooks_id != gone_id),
            "items": tuple(n for n in names.items if n.quickbooks_id is None or n.quickbooks_id != gone_id),
        }
    )
    return known.model_copy(update=changes)


POLICY = Policy(ObjectNotFound, lambda write: True, repair)
