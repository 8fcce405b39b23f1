"""Reference-list entries a document names: ``Term``, ``Class`` and ``Department`` (a location)
(docs/quickbooks-online.md §7.3, §7.8).

Only these three are lists in QuickBooks Online: the ship method is a plain string on the document
(§7.5), and there is no sales-rep or customer-message list (§7.6, §7.7) — the plan never gives QBO
such an entry, and one that arrives is refused in words.

* ``Term``: ``Name`` (≤31) and ``DueDays``; ``Type`` "STANDARD" as Intuit's create example sends it
  (Finance.xsd marks ``Type`` read-only and derives it from ``DueDays``, so sending it changes nothing).
* ``Class`` and ``Department``: ``Name`` (≤100); QBO fills ``FullyQualifiedName``.
"""

from __future__ import annotations

from typing import Any

from espqb.plan.model import ListEntryOp
from qbo_gateway.encoder.context import EncodeError

__all__ = ["LIST_ENTITIES", "encode_list_entry", "list_entity"]

# plan ListKind -> QBO entity
LIST_ENTITIES = {"terms": "Term", "class": "Class", "location": "Department"}


def list_entity(op: ListEntryOp) -> str:
    entity = LIST_ENTITIES.get(op.list_kind)
    if entity is None:
        raise EncodeError(
            f"QuickBooks Online has no {op.list_kind.replace('_', ' ')} list, so “{op.name}” cannot be "
            "added there (the ship method is written on the document itself; a sales rep goes to a "
            "sales-form custom field)."
        )
    return entity


def encode_list_entry(op: ListEntryOp) -> dict[str, Any]:
    entity = list_entity(op)
    if entity == "Term":
        if op.due_days is None:
            raise EncodeError(
                f"The terms “{op.name}” cannot be added to QuickBooks Online without their number of days."
            )
        return {"Name": op.name, "DueDays": op.due_days, "Type": "STANDARD"}
    return {"Name": op.name}
