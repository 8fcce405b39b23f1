"""What a job's steps say: one sentence per event, the same on both products.

A bookkeeper reads these on the job's timeline. The same event reads the same whichever product the
order went to; only the product's name and the label of QuickBooks' id differ (``Product``)::

    Invoice 10245 for 218.50 created in QuickBooks Online (Id 123)
    Invoice 10245 for 218.50 created in QuickBooks Desktop (TxnID 1A2-1234567890)

The events (one function each; ``op`` is the plan operation, ``qb_id`` what QuickBooks calls it):

* ``created`` / ``updated``: ESP wrote the record;
* ``linked``: the plan (a mapping, a person's choice in the dialog or CRM) chose an existing record
  (a step whose action is ``link`` never says "created");
* ``found_by_name``: ESP meant to create the record, QuickBooks already had one of that name, and it
  was linked instead (QBO 6240, Desktop 3100);
* ``left_unchanged``: the record is already in QuickBooks as planned; nothing was sent;
* ``settled``: picks one of the five above from what came of the operation (``Outcome``): both
  gateways call it, so one event is worded the same way on both;
* notes added to a sentence after "; " (``with_notes``): ``stays_with_owner``, ``figures_differ``,
  ``name_taken``, ``name_owned``, ``recreated_deleted``, ``recreated_inactive``;
* ``not_written_because``: a step skipped because a record it refers to could not be written;
* ``sent_without_answer``: a write went out and got no answer; it is repeated as the same request;
* ``no_record_named``: a record the plan links by name is not in QuickBooks;
* ``sent``: the job's summary, the documents it wrote;
* ``figure_differs``: a job warning, a figure QuickBooks stored other than ESP's.

The Desktop side calls them with ``QUICKBOOKS_DESKTOP`` (or ``PRODUCTS["qbd"]``), e.g.
``created(QUICKBOOKS_DESKTOP, op, done.qb_id, name=done.name, number=ref_number)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from espqb.money import format_money
from espqb.plan import (
    CustomerOp,
    ItemOp,
    ListEntryOp,
    Operation,
    PaymentOp,
    Target,
    VendorOp,
)
from espqb.plan.lists import LIST_NOUNS

__all__ = [
    "PRODUCTS",
    "QUICKBOOKS_DESKTOP",
    "QUICKBOOKS_ONLINE",
    "Outcome",
    "Product",
    "created",
    "describe",
    "figure_differs",
    "figures_differ",
    "found_by_name",
    "left_unchanged",
    "linked",
    "mention",
    "name_owned",
    "name_taken",
    "no_record_named",
    "not_written_because",
    "recreated_deleted",
    "recreated_inactive",
    "sent",
    "sent_without_answer",
    "settled",
    "stays_with_owner",
    "updated",
    "with_notes",
]


@dataclass(frozen=True, slots=True)
class Product:
    """How a product is named in a sentence, and how it labels its ids."""

    name: str  # "QuickBooks Online"
    list_id: str  # the label of a customer's, vendor's or item's id: "Id" / "ListID"
    txn_id: str  # the label of a document's id: "Id" / "TxnID"

    def id_of(self, op: Operation, qb_id: str) -> str:
        """``Id 123`` / ``ListID 80000001-…`` / ``TxnID 1A2-…``."""
        label = self.list_id if isinstance(op, LIST_OPS) else self.txn_id
        return f"{label} {qb_id}"


QUICKBOOKS_ONLINE = Product("QuickBooks Online", list_id="Id", txn_id="Id")
QUICKBOOKS_DESKTOP = Product("QuickBooks Desktop", list_id="ListID", txn_id="TxnID")
PRODUCTS: dict[Target, Product] = {"qbo": QUICKBOOKS_ONLINE, "qbd": QUICKBOOKS_DESKTOP}


LIST_OPS = (CustomerOp, VendorOp, ItemOp, ListEntryOp)


def _kind_noun(op: Operation) -> str:
    return LIST_NOUNS[op.list_kind] if isinstance(op, ListEntryOp) else op.kind


def describe(op: Operation) -> str:
    """The record an operation writes, named as a person would: “invoice 10245”, “vendor “Hit…””."""
    if isinstance(op, CustomerOp):
        return f"customer “{op.name or op.esp_customer_id}”"
    if isinstance(op, VendorOp):
        return f"vendor “{op.name or op.supplier_id}”"
    if isinstance(op, ItemOp):
        return f"item “{op.name}”"
    if isinstance(op, ListEntryOp):
        return f"{LIST_NOUNS[op.list_kind]} “{op.name}”"
    if isinstance(op, PaymentOp):
        return f"payment {op.payment_id} of {format_money(op.amount)}"
    return f"{_noun(op)} {op.doc_number}"


def mention(op: Operation) -> str:
    """The record named inside a sentence: “the invoice 10245”, “the customer “Acme””."""
    return f"the {describe(op)}"


def _noun(op: Operation) -> str:
    return op.kind.replace("_", " ")


def _record(op: Operation, name: str | None, number: str | None) -> str:
    """The record as a sentence starts with it: “Customer “Acme””, “Invoice 10245 for 218.50”."""
    if isinstance(op, LIST_OPS):
        return f"{_kind_noun(op).capitalize()} “{name or op.name or ''}”"
    if isinstance(op, PaymentOp):
        return f"Payment of {format_money(op.amount)}"
    return f"{_noun(op).capitalize()} {number or op.doc_number} for {format_money(op.total)}"


def created(
    product: Product, op: Operation, qb_id: str, *, name: str | None = None, number: str | None = None
) -> str:
    """ESP created the record. ``name``: the list name QuickBooks holds (it may carry a suffix);
    ``number``: the document number QuickBooks gave it (its own numbering may be on)."""
    if isinstance(op, PaymentOp):
        return f"Payment of {format_money(op.amount)} applied to the invoice in {product.name} ({product.id_of(op, qb_id)})"
    return f"{_record(op, name, number)} created in {product.name} ({product.id_of(op, qb_id)})"


def updated(
    product: Product, op: Operation, qb_id: str, *, name: str | None = None, number: str | None = None
) -> str:
    """ESP changed the record in place."""
    return f"{_record(op, name, number)} updated in {product.name} ({product.id_of(op, qb_id)})"


def linked(product: Product, op: Operation, qb_id: str, *, name: str | None = None) -> str:
    """The plan chose this existing record (a mapping, the dialog, the CRM link); says so when that
    overrode the dialog's “Create New”."""
    note = op.existing.create_new_note if op.existing is not None else ""
    shown = name or getattr(op, "name", None) or qb_id
    return f"Linked to the {product.name} {_kind_noun(op)} “{shown}” ({product.id_of(op, qb_id)}){note}"


def found_by_name(product: Product, op: Operation, qb_id: str, *, name: str | None = None) -> str:
    """ESP meant to create the record; one of that name was already there and is linked instead."""
    shown = name or getattr(op, "name", None) or qb_id
    return (
        f"Linked to the existing {product.name} {_kind_noun(op)} “{shown}” ({product.id_of(op, qb_id)}): "
        "the name was already in use"
    )


def left_unchanged(product: Product, op: Operation, qb_id: str, *, number: str | None = None) -> str:
    """The record is already in QuickBooks as planned; nothing was sent for it."""
    return (
        f"{_record(op, None, number)} already in {product.name} ({product.id_of(op, qb_id)}); left as it is"
    )


Outcome = Literal["created", "updated", "linked", "found", "unchanged"]
"""What came of an operation that is settled: ESP ``created`` or ``updated`` the record; the plan
``linked`` an existing one (for a document: it was already there); ESP meant to create it and
``found`` one of that name; or it was already there as planned (``unchanged``)."""


def settled(
    product: Product,
    op: Operation,
    outcome: Outcome,
    qb_id: str,
    *,
    name: str | None = None,
    number: str | None = None,
) -> str:
    """The step's sentence for a settled operation, whichever product wrote it."""
    is_list = isinstance(op, LIST_OPS)
    if outcome == "unchanged" or (outcome == "linked" and not is_list):
        return left_unchanged(product, op, qb_id, number=number)
    if outcome == "linked":
        return linked(product, op, qb_id, name=name)
    if outcome == "found":
        return found_by_name(product, op, qb_id, name=name)
    if outcome == "updated":
        return updated(product, op, qb_id, name=name, number=number)
    return created(product, op, qb_id, name=name, number=number)


def with_notes(sentence: str, *notes: str | None) -> str:
    """The sentence and its notes, after "; " each (empty notes are left out)."""
    return "; ".join([sentence, *(note for note in notes if note)])


def stays_with_owner(owner: str) -> str:
    """Note: the record chosen for this order is another ESP record's, and stays so."""
    return f"it stays linked to ESP record {owner}, so later sends do not use it unless chosen again"


def figures_differ(product: Product, shown: Decimal | None, planned: Decimal) -> str:
    """Note: QuickBooks stored another total than ESP planned (the job is flagged ``drift``)."""
    got = "no total" if shown is None else format_money(shown)
    return f"{product.name} shows {got} where ESP planned {format_money(planned)}"


def name_taken(product: Product, name: str) -> str:
    """Note on a record created under a suffixed name: the plain name was taken."""
    return f"“{name}” is taken in {product.name}"


def name_owned(product: Product, name: str, owner: str) -> str:
    """Note on a record created under a suffixed name: the record of that name is another ESP record's."""
    return f"“{name}” belongs to ESP record {owner} in {product.name}"


def recreated_deleted(product: Product, op: Operation, old_id: str | None) -> str:
    """Note on a document created again: the one ESP had written was deleted."""
    return f"the earlier one ({product.id_of(op, old_id or '?')}) was deleted in {product.name}"


def recreated_inactive(product: Product, op: Operation, old_id: str | None) -> str:
    """Note on a customer, vendor or item created again: the one ESP had linked is inactive or deleted."""
    return f"the earlier one ({product.id_of(op, old_id or '?')}) is inactive or deleted in {product.name}"


def not_written_because(missing: Operation) -> str:
    """Why a step was skipped: a record it refers to could not be written."""
    return f"Not written because the {describe(missing)} could not be written."


def sent_without_answer(product: Product) -> str:
    """A write got no answer: the step keeps its request (in its own columns, not in these words)
    and the next attempt sends it again as the same request."""
    return f"Sent to {product.name}; no answer yet, so it is sent again as the same request."


def no_record_named(product: Product, op: Operation, name: str | None) -> str:
    """The plan links a record by name, and QuickBooks has none of that name."""
    return f"{product.name} has no {op.kind} named “{name or ''}” to link to."


def sent(product: Product, documents: Sequence[Operation]) -> str:
    """The job's summary: the documents it wrote, in plan order (none: all was there already)."""
    if not documents:
        return f"Everything was already in {product.name}."
    named = [describe(op) for op in documents]
    listed = ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1]
    return f"Sent to {product.name}: {listed}."


def figure_differs(
    product: Product, what: str, shown: Decimal | None, expected: Decimal, *, why: str = ""
) -> str:
    """A job warning: ``what`` (“Invoice 10245 total”) is stored in QuickBooks with another figure
    than ESP's; ``why``: what may have caused it."""
    got = "nothing" if shown is None else format_money(shown)
    because = f" ({why})" if why else ""
    return f"{what}: {product.name} shows {got} where ESP has {format_money(expected)}{because}."
