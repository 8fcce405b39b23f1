"""One send job's plan → the qbXML requests it needs in the next message set.

Pure. The same plan is encoded again on every round trip of a session, together with what the
session already learnt (:class:`JobMemory`): operations written earlier are not written again, their
ids are used instead; operations that failed are not retried and what depends on them is skipped.

How operations refer to each other inside one message set (docs/web-connector.md §3.3):

* list entries (customer, vendor, items) created in the set are referred to by name: qbXML has no
  macro for a ListID. The set runs with ``stopOnError``, so a request only runs when every request
  before it succeeded, and the name then exists;
* the payment refers to the invoice created in the same set through the invoice's ``defMacro``;
* a bill can only name a purchase order by TxnID (no macro), so linking waits one round trip.

Request IDs are ``<job tag>.<operation index>`` (plus ``q`` for a query): short (qbXML allows 50,
docs/web-connector.md §3.1) and enough to route each response back to its job and operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from espqb.plan import (
    BillOp,
    CustomerOp,
    InvoiceOp,
    ItemOp,
    ListEntryOp,
    Operation,
    PaymentOp,
    Plan,
    PurchaseOrderOp,
    VendorOp,
)
from espqb.sending import wording

from . import documents, list_requests, recovery
from .documents import Modify, TxnRef
from .prefs import CompanyFilePrefs
from .xml_build import Element, Ref

ListKey = tuple[str, str]  # (list kind, ESP key): the same ESP customer/supplier/product in any job


class Purpose(StrEnum):
    WRITE = "write"
    FIND_BY_NAME = (
        "find_by_name"  # learn the ListID of an entry known by name (after 3100, or linked by name)
    )
    READ_VERSION = "read_version"  # learn a document's current EditSequence (after 3200)
    # Note the EditSequence of a document another request of the same set changed, so the stored
    # one stays current and a later update needs no extra round trip.
    NOTE_VERSION = "note_version"
    # Look for what a message set whose answer is lost may have written, before adding it again
    # (see ``encoder.recovery``).
    VERIFY = "verify"


@dataclass(frozen=True, slots=True)
class Done:
    """What QuickBooks gave back for an operation (or what we already knew)."""

    qb_id: str
    version: str | None = None
    name: str | None = None
    line_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class JobMemory:
    done: Mapping[str, Done] = field(default_factory=dict)
    failed: Mapping[str, str] = field(default_factory=dict)  # op key → why (failed or skipped for good)
    versions: Mapping[str, str] = field(default_factory=dict)  # EditSequences read again after a 3200
    # List entries to look up instead of adding, with the name QuickBooks said is taken (3100).
    find_first: Mapping[str, str] = field(default_factory=dict)
    read_first: frozenset[str] = frozenset()  # documents to read again before modifying them (3200)
    # Adds a lost message set may have made: op key → the list name it used ("" for a document).
    # Looked up before being added again.
    verify_first: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SharedAdd:
    """A list entry another job of the same message set already adds."""

    request_id: str
    name: str


@dataclass(frozen=True, slots=True)
class EncodedRequest:
    request_id: str
    op_key: str
    purpose: Purpose
    element: Element
    list_key: ListKey | None = None  # set on list adds, which later jobs of the set may share
    list_name: str | None = None  # the name a list add writes, or a lookup looks for


@dataclass(frozen=True, slots=True)
class Reuse:
    request_id: str
    list_key: ListKey
    name: str


@dataclass(frozen=True)
class JobEncoding:
    requests: tuple[EncodedRequest, ...]
    reused: Mapping[str, Reuse]  # op key → another job's add of the same list entry in this set
    answered: Mapping[str, Done]  # links and unchanged documents: nothing to send, already true
    waiting: Mapping[str, str]  # op key → why it waits for a later round trip
    skipped: Mapping[str, str]  # op key → why it will not be sent at all

    @property
    def finished(self) -> bool:
        """Nothing left to send for this job, now or later."""
        return not self.requests and not self.reused and not self.waiting


def list_key(op: CustomerOp | VendorOp | ItemOp | ListEntryOp) -> ListKey:
    match op:
        case CustomerOp():
            return ("customer", op.esp_customer_id)
        case VendorOp():
            return ("vendor", op.supplier_id)
        case ItemOp():
            return ("item", op.esp_key)
        case ListEntryOp():
            # Terms, a class…: the same entry for every order that names it ("terms:net 30").
            return (op.list_kind, op.key)
    raise TypeError(f"not a list operation: {op!r}")


def _find_by_name(op: CustomerOp | VendorOp | ItemOp | ListEntryOp, name: str, request_id: str) -> Element:
    if isinstance(op, ListEntryOp):
        return list_requests.find_list_entry(op.list_kind, name, request_id)
    return list_requests.find_by_name(op.kind, name, request_id)


def _noun(op: CustomerOp | VendorOp | ItemOp | ListEntryOp) -> str:
    return wording.LIST_NOUNS[op.list_kind] if isinstance(op, ListEntryOp) else op.kind


def macro_for(request_id: str) -> str:
    return f"TxnID:{request_id}"


class _JobEncoder:
    def __init__(
        self,
        plan: Plan,
        tag: str,
        memory: JobMemory,
        shared: Mapping[ListKey, SharedAdd],
        prefs: CompanyFilePrefs,
    ) -> None:
        self.plan = plan
        self.tag = tag
        self.memory = memory
        self.shared = shared
        self.prefs = prefs
        self.requests: list[EncodedRequest] = []
        self.reused: dict[str, Reuse] = {}
        self.answered: dict[str, Done] = {}
        self.waiting: dict[str, str] = {}
        self.skipped: dict[str, str] = {}
        self.refs: dict[str, Ref] = {}  # list operation → how later requests refer to it
        self.txns: dict[str, TxnRef] = {}  # document → how later requests refer to it
        self.touched: dict[str, int] = {}  # document → index of the request that changes it

    # -- dependencies ------------------------------------------------------------------------
    def _blocked(self, op: Operation) -> bool:
        """Record why ``op`` cannot go in this set, if it cannot."""
        for dep in op.references():
            if dep in self.skipped or dep in self.memory.failed:
                self.skipped[op.key] = wording.not_written_because(self.plan.operation(dep))
                return True
            if dep in self.waiting:
                self.waiting[op.key] = f"waits for {wording.mention(self.plan.operation(dep))}"
                return True
        return False

    def _ref(self, key: str) -> Ref:
        return self.refs[key]

    def _rid(self, index: int, suffix: str = "") -> str:
        return f"{self.tag}.{index}{suffix}"

    def _emit(self, op: Operation, index: int, purpose: Purpose, element: Element, **extra: object) -> str:
        request_id = element.get("requestID") or self._rid(index)
        self.requests.append(
            EncodedRequest(request_id, op.key, purpose, element, **extra)  # type: ignore[arg-type]
        )
        return request_id

    # -- list entries ------------------------------------------------------------------------
    def list_entry(self, op: CustomerOp | VendorOp | ItemOp | ListEntryOp, index: int) -> None:
        done = self.memory.done.get(op.key)
        if done is not None:
            self.refs[op.key] = Ref(list_id=done.qb_id)
            return
        if op.key in self.memory.failed:
            self.skipped.setdefault(op.key, self.memory.failed[op.key])
            return
        if isinstance(op, ListEntryOp) and not list_requests.writable(op):
            # A list Desktop has not (locations) or whose entries it cannot add (sales reps, which stand
            # for a person): never sent; what names it is not written either, and the job says why.
            self.skipped[op.key] = (
                f"QuickBooks Desktop has no {_noun(op)} list to add “{op.name}” to."
                if op.list_kind not in list_requests.LIST_ENTRY_QUERIES
                else f"The {_noun(op)} “{op.name}” is not in QuickBooks Desktop; add it there, then send the order again."
            )
            return
        kind = _noun(op)
        if op.action == "create" and op.key in self.memory.verify_first:
            name = self.memory.verify_first[op.key] or op.name or ""
            element = _find_by_name(op, name, self._rid(index, "q"))
            self._emit(op, index, Purpose.VERIFY, element, list_name=name)
            self.waiting[op.key] = (
                f"looks in QuickBooks for the {kind} “{name}” an unanswered update may have added"
            )
            return
        if op.key in self.memory.find_first:
            # QuickBooks said the name is taken (3100): find that entry, link it, and only then send
            # what depends on it.
            name = self.memory.find_first[op.key]
            element = _find_by_name(op, name, self._rid(index, "q"))
            self._emit(op, index, Purpose.FIND_BY_NAME, element, list_name=name)
            self.waiting[op.key] = f"looks up the existing {kind} “{name}” in QuickBooks first"
            return
        if op.action in ("link", "update"):
            existing = op.existing
            if existing is not None and existing.quickbooks_id:
                self.answered[op.key] = Done(
                    existing.quickbooks_id, existing.version, existing.name or op.name
                )
                self.refs[op.key] = Ref(list_id=existing.quickbooks_id)
                return
            link_name = (existing.name if existing is not None else None) or op.name
            if not link_name:
                self.skipped[op.key] = (
                    f"{wording.mention(op).capitalize()} has neither a QuickBooks id nor a name."
                )
                return
            # Linked by name only: learn its ListID in the same set; the name already works as a reference.
            element = _find_by_name(op, link_name, self._rid(index, "q"))
            self._emit(op, index, Purpose.FIND_BY_NAME, element, list_name=link_name)
            self.refs[op.key] = Ref(full_name=link_name)
            return
        key = list_key(op)
        name = op.name or ""
        shared = self.shared.get(key)
        if shared is not None:
            self.reused[op.key] = Reuse(shared.request_id, key, name)
            self.refs[op.key] = Ref(full_name=name)
            return
        rid = self._rid(index)
        match op:
            case CustomerOp():
                element = list_requests.customer_add(op, rid)
            case VendorOp():
                element = list_requests.vendor_add(op, rid)
            case ItemOp():
                element = list_requests.item_add(op, rid, self.prefs)
            case ListEntryOp():
                element = list_requests.list_entry_add(op, rid)
        self._emit(op, index, Purpose.WRITE, element, list_key=key, list_name=name)
        self.refs[op.key] = Ref(full_name=name)

    # -- documents ---------------------------------------------------------------------------
    def _modify(self, op: InvoiceOp | PurchaseOrderOp | BillOp, index: int) -> Modify | None:
        """The Mod target, or None after emitting a read of the current EditSequence."""
        existing = op.existing
        assert existing is not None and existing.quickbooks_id is not None
        version = self.memory.versions.get(op.key) or existing.version
        if version is None or (op.key in self.memory.read_first and op.key not in self.memory.versions):
            rid = self._rid(index, "q")
            self._emit(
                op,
                index,
                Purpose.READ_VERSION,
                documents.read_transaction(op.kind, existing.quickbooks_id, rid),
            )
            self.waiting[op.key] = "reads its current version from QuickBooks first"
            return None
        return Modify(existing.quickbooks_id, version)

    def _items(self, keys: list[str]) -> dict[str, Ref]:
        return {key: self._ref(key) for key in keys}

    def _lists(self, op: InvoiceOp | PurchaseOrderOp | BillOp) -> dict[str, Ref]:
        """How the document refers to the list entries its details name (terms, class…)."""
        return {key: self._ref(key) for key in op.details.list_keys() if key in self.refs}

    def invoice(self, op: InvoiceOp, index: int) -> None:
        if self._document_known(op, index):
            return
        items = self._items([line.item_key for line in op.lines if line.item_key is not None])
        customer = self._ref(op.customer_key)
        if op.action == "update":
            target = self._modify(op, index)
            assert op.existing is not None and op.existing.quickbooks_id is not None
            self.txns[op.key] = TxnRef(txn_id=op.existing.quickbooks_id)
            if target is not None:
                element = documents.invoice_mod(
                    op,
                    self._rid(index),
                    target=target,
                    customer=customer,
                    items=items,
                    prefs=self.prefs,
                    lists=self._lists(op),
                )
                self._emit(op, index, Purpose.WRITE, element)
            return
        rid = self._rid(index)
        element = documents.invoice_add(
            op,
            rid,
            customer=customer,
            items=items,
            prefs=self.prefs,
            macro=macro_for(rid),
            esp_key=self._esp_key(op),
            lists=self._lists(op),
        )
        self._emit(op, index, Purpose.WRITE, element)
        self.txns[op.key] = TxnRef(macro=macro_for(rid))

    def payment(self, op: PaymentOp, index: int) -> None:
        if self._document_known(op, index):
            return
        if op.action == "update":
            # A payment ESP already recorded in QuickBooks stays as it is: money received does not
            # change, and rewriting it would detach it from the invoice it pays.
            assert op.existing is not None and op.existing.quickbooks_id is not None
            self.answered[op.key] = Done(op.existing.quickbooks_id, op.existing.version)
            return
        element = documents.receive_payment_add(
            op,
            self._rid(index),
            customer=self._ref(op.customer_key),
            invoice=self.txns[op.invoice_key],
            prefs=self.prefs,
            esp_key=self._esp_key(op),
        )
        self._emit(op, index, Purpose.WRITE, element)
        # Applying a payment changes the invoice's EditSequence in QuickBooks.
        self.touched.setdefault(op.invoice_key, index)

    def _customers(self, op: PurchaseOrderOp | BillOp) -> dict[str, Ref]:
        keys = {line.customer_key for line in op.lines if line.customer_key is not None}
        return {key: self._ref(key) for key in keys}

    def purchase_order(self, op: PurchaseOrderOp, index: int) -> None:
        if self._document_known(op, index):
            return
        items = self._items([line.item_key for line in op.lines])
        vendor, customers = self._ref(op.vendor_key), self._customers(op)
        if op.action == "update":
            target = self._modify(op, index)
            if target is not None:
                element = documents.purchase_order_mod(
                    op,
                    self._rid(index),
                    target=target,
                    vendor=vendor,
                    items=items,
                    customers=customers,
                    prefs=self.prefs,
                    lists=self._lists(op),
                )
                self._emit(op, index, Purpose.WRITE, element)
            return
        element = documents.purchase_order_add(
            op,
            self._rid(index),
            vendor=vendor,
            items=items,
            customers=customers,
            prefs=self.prefs,
            esp_key=self._esp_key(op),
            lists=self._lists(op),
        )
        self._emit(op, index, Purpose.WRITE, element)

    def bill(self, op: BillOp, index: int) -> None:
        if self._document_known(op, index):
            return
        items = self._items([line.item_key for line in op.lines])
        vendor, customers = self._ref(op.vendor_key), self._customers(op)
        if op.action == "update":
            target = self._modify(op, index)
            if target is not None:
                element = documents.bill_mod(
                    op,
                    self._rid(index),
                    target=target,
                    vendor=vendor,
                    items=items,
                    customers=customers,
                    prefs=self.prefs,
                    lists=self._lists(op),
                )
                self._emit(op, index, Purpose.WRITE, element)
            return
        link: tuple[str, tuple[str, ...]] | None = None
        po_key = f"purchase_order:{op.supplier_id}"
        if self.prefs.link_bills_to_purchase_orders and any(o.key == po_key for o in self.plan.operations):
            po = self.plan.operation(po_key)
            po_done = self.memory.done.get(po_key)
            # Planned again after it was written, the purchase order reads as an update: what
            # counts is that this attempt wrote it (its lines are then ours to receive).
            if po_done is not None and po_done.line_ids:
                link = (po_done.qb_id, po_done.line_ids)
            elif po.action == "create" and po_key not in self.memory.failed and po_done is None:
                self.waiting[op.key] = f"waits for {wording.mention(po)}, to be linked to it"
                return
        element = documents.bill_add(
            op,
            self._rid(index),
            vendor=vendor,
            items=items,
            customers=customers,
            prefs=self.prefs,
            purchase_order_lines=link,
            esp_key=self._esp_key(op),
            lists=self._lists(op),
        )
        self._emit(op, index, Purpose.WRITE, element)
        if link is not None:
            self.touched.setdefault(po_key, index)  # receiving a PO changes its EditSequence

    def _esp_key(self, op: InvoiceOp | PaymentOp | PurchaseOrderOp | BillOp) -> str:
        return recovery.esp_key(self.plan.order_number, op.key)

    def _document_known(self, op: InvoiceOp | PaymentOp | PurchaseOrderOp | BillOp, index: int) -> bool:
        """True when no write is to be sent for the document now (written, failed, blocked, or
        first looked for in QuickBooks)."""
        done = self.memory.done.get(op.key)
        if done is not None:
            self.txns[op.key] = TxnRef(txn_id=done.qb_id)
            return True
        if op.key in self.memory.failed:
            self.skipped.setdefault(op.key, self.memory.failed[op.key])
            return True
        if op.action == "create" and op.key in self.memory.verify_first:
            # Needs nothing it refers to: looked for at once, even while those are looked for too.
            self._emit(op, index, Purpose.VERIFY, recovery.find_written(op, self._rid(index, "q")))
            self.waiting[op.key] = (
                f"looks in QuickBooks for {wording.mention(op)}, which an unanswered update may have saved"
            )
            return True
        return self._blocked(op)

    def _note_versions(self) -> None:
        for key, index in self.touched.items():
            op = self.plan.operation(key)
            if not isinstance(op, InvoiceOp | PurchaseOrderOp) or key in self.skipped or key in self.waiting:
                continue
            element = documents.current_version(op.kind, op.doc_number, self._rid(index, "v"))
            self._emit(op, index, Purpose.NOTE_VERSION, element)

    # -- the whole plan ----------------------------------------------------------------------
    def run(self) -> JobEncoding:
        for index, op in enumerate(self.plan.operations):
            match op:
                case CustomerOp() | VendorOp() | ItemOp() | ListEntryOp():
                    self.list_entry(op, index)
                case InvoiceOp():
                    self.invoice(op, index)
                case PaymentOp():
                    self.payment(op, index)
                case PurchaseOrderOp():
                    self.purchase_order(op, index)
                case BillOp():
                    self.bill(op, index)
        self._note_versions()
        return JobEncoding(
            requests=tuple(self.requests),
            reused=self.reused,
            answered=self.answered,
            waiting=self.waiting,
            skipped=self.skipped,
        )


def encode_job(
    plan: Plan,
    *,
    tag: str,
    memory: JobMemory,
    shared: Mapping[ListKey, SharedAdd],
    prefs: CompanyFilePrefs,
) -> JobEncoding:
    """The requests ``plan`` still needs, given what ``memory`` says was already done.

    ``shared`` holds the list adds earlier jobs of the same message set make; an operation adding
    the same ESP customer, supplier or product reuses them instead of adding it twice.
    """
    return _JobEncoder(plan, tag, memory, shared, prefs).run()
