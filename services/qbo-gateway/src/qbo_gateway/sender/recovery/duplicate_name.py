"""6240 duplicate name, and a record another ESP record owns: a customer, vendor or item ESP meant
to create is linked to the record of that name when that one is free to link (active, owned by no
other ESP record), else created under the first free "Name (Customer)", "Name (2)"…

``take_another`` is the same repair for a record found or created in this attempt that the mappings
say another ESP record claimed first (a concurrent send): never shared, a record of its own.
"""

from __future__ import annotations

from espqb.mappings.plan_bridge import mapping_target
from espqb.mappings.repository import RecordOwned
from espqb.plan import LIMITS, ItemOp, ListEntryOp, Operation
from espqb.plan.naming import numbered_suffix, role_suffix, truncate_text
from espqb.sending import wording
from espqb.sending.wording import LIST_NOUNS
from espqb.sending.wording import QUICKBOOKS_ONLINE as PRODUCT
from qbo_gateway.client import DuplicateName, QboFault
from qbo_gateway.encoder import EncodeError, encode
from qbo_gateway.sender.attempt import NAME_FIELD, Attempt, by_name, list_entry_by_name, list_op
from qbo_gateway.sender.recovery.policy import Policy
from qbo_gateway.sender.writes import Write

__all__ = [
    "LIST_ENTRY_POLICY",
    "POLICY",
    "adopt_or_rename",
    "create_renamed",
    "link_list_entry",
    "take_another",
]


async def adopt_or_rename(attempt: Attempt, write: Write, fault: QboFault | None = None) -> None:
    """Link the record of that name when it is free to link, else create under a new name."""
    op = list_op(write.op)
    assert op is not None and write.body is not None
    name = str(write.body.get(NAME_FIELD[write.entity]) or op.name)
    rows = await attempt.rows(by_name(write.entity, name), write.entity)
    esp_key = mapping_target(op, attempt.plan.order_number)[1]
    for row in rows:
        owner = attempt.inputs.owners.get((op.kind, str(row.get("Id"))))
        claimed = (op.kind, str(row.get("Id"))) in attempt.claimed
        if row.get("Active") is not False and owner in (None, esp_key) and not claimed:
            attempt.accept(Write(op, write.entity, "find", statement=""), row)
            return
    await create_renamed(attempt, write, name, wording.name_taken(PRODUCT, name))


async def create_renamed(attempt: Attempt, write: Write, name: str, note: str) -> None:
    """Create the list record under the first free "Name (Customer)", "Name (2)"…"""
    op = list_op(write.op)
    assert op is not None and write.body is not None
    field = NAME_FIELD[write.entity]
    suffix = numbered_suffix if isinstance(op, ItemOp) else role_suffix(op.kind.capitalize())
    limit = LIMITS["qbo"].item_name if isinstance(op, ItemOp) else LIMITS["qbo"].party_name
    for n in range(2, 2 + attempt.settings.name_attempts):
        tail = suffix(n)
        candidate = truncate_text(name, limit - len(tail)) + tail
        renamed = Write(op, write.entity, "create", {**write.body, field: candidate}, note=write.note)
        try:
            entity = await attempt.write_alone(renamed)
        except DuplicateName:
            continue
        except QboFault as fault:
            attempt.fail(op, "create", fault.plain)
            return
        attempt.accept(renamed, entity, note=note)
        return
    attempt.fail(op, "create", f"QuickBooks Online already uses the name “{name}” and the names after it.")


async def take_another(attempt: Attempt, op: Operation, owned: RecordOwned) -> None:
    """The record found or created for ``op`` is another ESP record's (a concurrent send claimed
    it first): never share it; create one under a name of its own ("Acme (Customer)")."""
    attempt.claimed.add((owned.kind, owned.qb_id))
    attempt.forget(op)
    record = list_op(op)
    assert record is not None  # the store refuses only customers, vendors and items
    try:
        entity, body = encode(record, attempt.context)
    except EncodeError as error:  # pragma: no cover - it was encoded before
        attempt.fail(op, "create", str(error))
        return
    name = str(body.get(NAME_FIELD[entity]) or record.name)
    note = wording.name_owned(PRODUCT, name, owned.owner)
    await create_renamed(attempt, Write(record, entity, "create", body), name, note)


async def link_list_entry(attempt: Attempt, write: Write, fault: QboFault) -> None:
    """A term, class or location of that name was added meanwhile: link it (a list entry is shared by
    every document, never renamed). An inactive one still holds its name (docs/quickbooks-online.md
    §2.3) but documents cannot name it: the step says so."""
    op = write.op
    assert isinstance(op, ListEntryOp)
    statement = list_entry_by_name(write.entity, op.name)
    rows = await attempt.rows(f"{statement} AND Active IN (true, false)", write.entity)
    active = [row for row in rows if row.get("Active") is not False]
    if active:
        attempt.accept(Write(op, write.entity, "find", statement=statement), active[0])
    elif rows:
        noun = LIST_NOUNS[op.list_kind]
        attempt.fail(
            op,
            "create",
            f"The {noun} “{op.name}” exist in QuickBooks Online but are inactive, so no document can use "
            f"them: make them active in QuickBooks Online (Id {rows[0].get('Id')}) and send again."
            if op.list_kind == "terms"
            else f"The {noun} “{op.name}” exists in QuickBooks Online but is inactive, so no document can "
            f"use it: make it active in QuickBooks Online (Id {rows[0].get('Id')}) and send again.",
        )
    else:
        attempt.fail(op, "create", fault.plain)


LIST_ENTRY_POLICY = Policy(
    DuplicateName,
    lambda write: isinstance(write.op, ListEntryOp) and write.action == "create",
    link_list_entry,
)

POLICY = Policy(
    DuplicateName,
    lambda write: list_op(write.op) is not None and write.action == "create",
    adopt_or_rename,
)
