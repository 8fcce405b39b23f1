"""Running one plan against QuickBooks Online: three waves of independent writes, and what to do when
QBO refuses one.

Waves (a later wave refers to ids the earlier ones produced; items of one batch cannot see each
other, docs/quickbooks-online.md §2.7):

1. customers, vendors and items to create;
2. the invoice and the purchase orders;
3. the payments (applied to the invoice) and the bills (receiving their purchase orders).

A send of an order whose customer, vendor and items are already mapped is therefore two calls; a
first send three.

Refusals the issue names, handled per write:

* 6240 duplicate name: find the record of that name and link it; if the name belongs to another kind
  of record, an inactive one, or a record another ESP record owns, create with a suffixed name;
* 5010 stale object: read the record's current SyncToken and update again;
* 610 not found: a record being updated was deleted → create it again and remap; a record the
  document refers to was deleted or made inactive → create that again, remap, and write the document;
* other validation faults (6000 range…): the step fails with Intuit's words.

Anything passing (429, 5xx, timeouts after the client's own retries) or an unusable connection ends
the attempt with ``AttemptInterrupted``; every result of a finished call is already saved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from espqb.db.models import StepStatus
from espqb.mappings.plan_bridge import mapping_target
from espqb.mappings.repository import RecordOwned
from espqb.plan import (
    LIMITS,
    BillOp,
    CustomerOp,
    InvoiceOp,
    ItemOp,
    KnownMappings,
    Operation,
    PaymentOp,
    Plan,
    PlanError,
    PurchaseOrderOp,
    VendorOp,
)
from espqb.plan.naming import numbered_suffix, role_suffix, truncate_text
from espqb.sending import wording
from espqb.sending.recording import LIST_KINDS, Origin
from espqb.sending.wording import QUICKBOOKS_ONLINE as PRODUCT
from qbo_gateway.client import (
    AuthFailed,
    CompanyApi,
    DuplicateName,
    ObjectNotFound,
    QboFault,
    StaleObject,
    Throttled,
    quote,
)
from qbo_gateway.encoder import (
    ENTITY_NAMES,
    EncodeContext,
    EncodeError,
    PurchaseOrderLink,
    as_sparse_update,
    encode,
)
from qbo_gateway.lookups import QboLookups
from qbo_gateway.sender.loading import AttemptInputs
from qbo_gateway.sender.results import AttemptInterrupted, StepResult
from qbo_gateway.sender.store import ResultStore
from qbo_gateway.sender.verify import differences, figure_drift
from qbo_gateway.sender.writes import IN_DOUBT_SUMMARY, Call, Write, compose_calls, replay_calls, wants_batch

__all__ = ["SendRun", "SenderSettings"]

_NAME_FIELD = {"Customer": "DisplayName", "Vendor": "DisplayName", "Item": "Name"}
_MAPPING_KIND = {"customer": "customer", "vendor": "vendor", "item": "item"}
# Still throttled after the client's own waits: come back after Intuit's 60 s
# (docs/quickbooks-online.md §2.11).
THROTTLED_WAIT = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class SenderSettings:
    batch_min_items: int = 2  # a wave with this many writes goes as one batch call
    stale_retries: int = 2  # 5010: read and update again this many times
    name_attempts: int = 5  # 6240 with nothing to link: try this many suffixed names


def _list_op(op: Operation) -> CustomerOp | VendorOp | ItemOp | None:
    return op if isinstance(op, CustomerOp | VendorOp | ItemOp) else None


class SendRun:
    """One attempt at one job's plan. ``execute`` returns the step results in plan order."""

    def __init__(
        self,
        *,
        job_id: uuid.UUID,
        company_id: str,
        plan: Plan,
        inputs: AttemptInputs,
        api: CompanyApi,
        store: ResultStore,
        lookups: QboLookups | None = None,
        settings: SenderSettings | None = None,
    ) -> None:
        self.job_id = job_id
        self.company_id = company_id
        self.plan = plan
        self.inputs = inputs
        self.api = api
        self.store = store
        self.lookups = lookups
        self.settings = settings or SenderSettings()
        self.ids: dict[str, str] = {}
        self.entities: dict[str, dict[str, Any]] = {}
        self.results: dict[str, StepResult] = {}
        # (kind, QBO Id) of records another ESP record claimed while this attempt ran.
        self._claimed: set[tuple[str, str]] = set()
        # Reads self.ids as it grows: later waves refer to what earlier ones wrote.
        self._context = EncodeContext(ids=self.ids)

    # ------------------------------------------------------------------------------ the attempt

    async def execute(self) -> list[StepResult]:
        ops = self.plan.operations
        self._settle_known(ops)
        await self._resolve_names(ops)
        await self._wave([op for op in ops if op.kind in LIST_KINDS and op.key not in self.results])
        await self._wave(
            [op for op in ops if op.kind in ("invoice", "purchase_order") and op.key not in self.results]
        )
        await self._wave([op for op in ops if op.kind in ("payment", "bill") and op.key not in self.results])
        await self._flush()
        return [self.results[op.key] for op in ops if op.key in self.results]

    def _settle_known(self, ops: tuple[Operation, ...]) -> None:
        """Links need no write; steps an earlier attempt finished are not written again."""
        for op in ops:
            done = self.inputs.done.get(op.key)
            existing = op.existing
            if done is not None and done.qb_id:
                qb_id = existing.quickbooks_id if existing and existing.quickbooks_id else done.qb_id
                self._succeed(
                    op,
                    StepResult(
                        op.key,
                        op.kind,
                        op.action,
                        StepStatus.SUCCEEDED,
                        qb_id=qb_id,
                        qb_version=(existing.version if existing else None) or done.qb_version,
                        persist_mapping=False,
                        persist_step=False,
                    ),
                )
            elif op.action == "link" and existing is not None and existing.quickbooks_id:
                target = mapping_target(op, self.plan.order_number)
                unchanged = self.inputs.mapped.get((target[0].value, target[1])) == existing.quickbooks_id
                name = existing.name or getattr(op, "name", None)
                self._succeed(
                    op,
                    StepResult(
                        op.key,
                        op.kind,
                        "link",
                        StepStatus.SUCCEEDED,
                        qb_id=existing.quickbooks_id,
                        qb_version=existing.version,
                        qb_name=name,
                        origin="linked",
                        summary=wording.linked(PRODUCT, op, existing.quickbooks_id, name=name),
                        persist_mapping=not unchanged,
                    ),
                )

    async def _resolve_names(self, ops: tuple[Operation, ...]) -> None:
        """Accounts and tax codes the settings name without an Id are looked up (cached per company)."""
        pending = [op for op in ops if op.key not in self.results]
        needs_accounts = any(
            account is not None and not account.id for op in pending for account in _accounts_of(op)
        )
        needs_tax_codes = any(
            isinstance(op, InvoiceOp) and op.tax.mode == "code" and op.tax.code and not op.tax.code.isdigit()
            for op in pending
        )
        if self.lookups is None or not (needs_accounts or needs_tax_codes):
            return
        accounts = await self._guard(self.lookups.account_ids(self.company_id)) if needs_accounts else {}
        tax_codes = await self._guard(self.lookups.tax_code_ids(self.company_id)) if needs_tax_codes else {}
        self._context = EncodeContext(ids=self.ids, account_ids=accounts, tax_code_ids=tax_codes)

    # ------------------------------------------------------------------------------ waves and calls

    async def _wave(self, ops: list[Operation]) -> None:
        writes: list[Write] = []
        for op in ops:
            write = await self._prepare(op)
            if write is not None:
                writes.append(write)
        calls, fresh = replay_calls(writes, self.inputs.in_doubt)
        if fresh:
            batch = wants_batch(fresh, batch_min_items=self.settings.batch_min_items)
            calls += compose_calls(fresh, batch=batch and await self._guard(self.api.has_batch_room()))
        for call in calls:
            try:
                answers = await self._send(call)
            except AttemptInterrupted as stop:
                # No answer: the steps say which request they went out in, so that the next attempt
                # repeats exactly it and QBO replays whatever it did (docs/quickbooks-online.md §2.8).
                rid = call.request_id(self.job_id)
                bids = call.batch_ids() if call.batch else (None,) * len(call.writes)
                for write, bid in zip(call.writes, bids, strict=True):
                    self._fail(write.op, write.action, stop.message, in_doubt=(rid, bid))
                await self._flush()
                raise
            follow_ups: list[tuple[Write, QboFault]] = []
            passing: QboFault | None = None
            for write in call.writes:
                answer = answers[write.op.key]
                if isinstance(answer, QboFault):
                    if answer.retryable:
                        passing = passing or answer
                        self._fail(write.op, write.action, answer.plain)
                    elif isinstance(answer, DuplicateName | StaleObject | ObjectNotFound):
                        follow_ups.append((write, answer))
                    else:
                        self._fail(write.op, write.action, answer.plain)
                else:
                    self._accept(write, answer)
            await self._flush()
            if passing is not None:
                raise AttemptInterrupted(passing.plain)
            for write, fault in follow_ups:
                await self._follow_up(write, fault)
                await self._flush()

    async def _prepare(self, op: Operation) -> Write | None:
        missing = [ref for ref in op.references() if ref not in self.ids]
        if missing:
            self._skip(op, wording.not_written_because(self.plan.operation(missing[0])))
            return None
        if op.action == "link":
            # Linked by name only (no Id known): find it.
            name = getattr(op, "name", None) or ""
            entity = ENTITY_NAMES[op.kind]
            return Write(op, entity, "find", statement=_by_name(entity, name))
        receives = await self._receives(op)
        try:
            entity, body = encode(op, self._context, receives=receives)
        except EncodeError as error:
            self._fail(op, op.action, str(error))
            return None
        existing = op.existing
        if op.action == "update" and existing is not None and existing.quickbooks_id:
            version = existing.version
            if version is None:
                current = await self._guard(self.api.read(entity, existing.quickbooks_id))
                version = str(current.get("SyncToken"))
            return Write(
                op,
                entity,
                "update",
                as_sparse_update(body, existing.quickbooks_id, version),
                existing_id=existing.quickbooks_id,
            )
        return Write(op, entity, "create", body)

    async def _send(self, call: Call) -> dict[str, dict[str, Any] | QboFault]:
        """Each write's answer: the entity QBO returned (find: the first match, or {}) or its fault."""
        rid = call.request_id(self.job_id)
        if call.batch:
            bids = dict(zip(call.batch_ids(), call.writes, strict=True))
            try:
                results = await self._guard(
                    self.api.batch([w.batch_item(bid) for bid, w in bids.items()], request_id=rid)
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
            return {write.op.key: await self._single(write, rid)}
        except QboFault as fault:  # a refusal of this write (what ends the attempt was raised as such)
            return {write.op.key: fault}

    async def _single(self, write: Write, rid: str) -> dict[str, Any]:
        if write.action == "find":
            assert write.statement is not None
            rows = (await self._guard(self.api.query(write.statement))).get(write.entity) or []
            return rows[0] if rows else {}
        assert write.body is not None
        if write.action == "update":
            return await self._guard(self.api.update(write.entity, write.body, request_id=rid))
        return await self._guard(self.api.create(write.entity, write.body, request_id=rid))

    async def _guard(self, work: Any) -> Any:
        """Await a QBO call; what ends the attempt (passing trouble, refused connection) is raised as such."""
        try:
            return await work
        except QboFault as fault:
            if isinstance(fault, AuthFailed):
                raise AttemptInterrupted(fault.plain, hold=True) from fault
            if fault.retryable:
                await self._flush()
                wait = timedelta(seconds=fault.retry_after) if fault.retry_after is not None else None
                if wait is None and isinstance(fault, Throttled):
                    wait = THROTTLED_WAIT
                raise AttemptInterrupted(fault.plain, retry_in=wait) from fault
            raise

    # ------------------------------------------------------------------------------ answers

    def _accept(
        self, write: Write, entity: dict[str, Any], *, origin: Origin = "created", note: str | None = None
    ) -> None:
        op = write.op
        if write.action == "find":
            if not entity.get("Id"):
                self._fail(
                    op,
                    "link",
                    f"QuickBooks Online has no {op.kind} named “{getattr(op, 'name', '')}” any more.",
                )
                return
            origin = "found"
        qb_id = str(entity.get("Id"))
        name = entity.get(_NAME_FIELD.get(write.entity, "")) if write.entity in _NAME_FIELD else None
        action = "link" if write.action == "find" else write.action
        summary = wording.with_notes(_sentence(op, write, qb_id, name, _ref_number(entity)), note)
        result = StepResult(
            op.key,
            op.kind,
            action,
            StepStatus.SUCCEEDED,
            qb_id=qb_id,
            qb_version=str(entity.get("SyncToken")) if entity.get("SyncToken") is not None else None,
            qb_name=name,
            ref_number=_ref_number(entity),
            origin=origin,
            summary=summary,
            entity=entity,
            wrote=write.action in ("create", "update"),
        )
        result.warnings = self._check(op, entity, write)
        if write.action in ("create", "update") and (drift := figure_drift(op, entity)) is not None:
            result.drift = drift
            result.summary = wording.with_notes(summary, drift)
        self._succeed(op, result)

    def _check(self, op: Operation, entity: dict[str, Any], write: Write) -> list[str]:
        invoice_id = self.ids.get(op.invoice_key) if isinstance(op, PaymentOp) else None
        purchase_order_id = None
        if isinstance(op, BillOp):
            link = (write.body or {}).get("Line") or [{}]
            linked = [t.get("TxnId") for t in link[0].get("LinkedTxn") or []]
            purchase_order_id = str(linked[0]) if linked else None
        applied_before = Decimal(0) if isinstance(op, InvoiceOp) and write.action == "create" else None
        return differences(
            op,
            entity,
            invoice_id=invoice_id,
            purchase_order_id=purchase_order_id,
            applied_before=applied_before,
        )

    def _succeed(self, op: Operation, result: StepResult) -> None:
        self.results[op.key] = result
        if result.qb_id:
            self.ids[op.key] = result.qb_id
        if result.entity is not None:
            self.entities[op.key] = result.entity
        self.store.add(op, result)

    def _fail(
        self, op: Operation, action: str, error: str, *, in_doubt: tuple[str, str | None] | None = None
    ) -> None:
        result = StepResult(
            op.key,
            op.kind,
            action if action != "find" else "link",
            StepStatus.FAILED,
            error=error,
            summary=IN_DOUBT_SUMMARY if in_doubt else None,
            in_doubt=in_doubt,
        )
        self.results[op.key] = result
        self.store.add(op, result)

    def _skip(self, op: Operation, reason: str) -> None:
        result = StepResult(op.key, op.kind, op.action, StepStatus.SKIPPED, error=reason)
        self.results[op.key] = result
        self.store.add(op, result)

    async def _flush(self) -> None:
        while self.store.pending:
            for op, owned in await self.store.flush():
                await self._take_another(op, owned)

    async def _take_another(self, op: Operation, owned: RecordOwned) -> None:
        """The record found or created for ``op`` is another ESP record's (a concurrent send claimed
        it first): never share it; create one under a name of its own ("Acme (Customer)")."""
        self._claimed.add((owned.kind, owned.qb_id))
        self.results.pop(op.key, None)
        self.ids.pop(op.key, None)
        self.entities.pop(op.key, None)
        list_op = _list_op(op)
        assert list_op is not None  # the store refuses only customers, vendors and items
        try:
            entity, body = encode(list_op, self._context)
        except EncodeError as error:  # pragma: no cover - it was encoded before
            self._fail(op, "create", str(error))
            return
        name = str(body.get(_NAME_FIELD[entity]) or list_op.name)
        note = wording.name_owned(PRODUCT, name, owned.owner)
        await self._create_renamed(Write(list_op, entity, "create", body), name, note)

    # ------------------------------------------------------------------------------ bills receive POs

    async def _receives(self, op: Operation) -> PurchaseOrderLink | None:
        if not isinstance(op, BillOp):
            return None
        po_key = f"purchase_order:{op.supplier_id}"
        if po_key not in {o.key for o in self.plan.operations}:
            return None
        po_id = self.ids.get(po_key)
        if po_id is None:
            return None  # the PO failed: the bill still goes, unlinked (verify notes nothing to link)
        entity = self.entities.get(po_key)
        if entity is None:
            # The PO was written by an earlier attempt: its line ids are needed for the link.
            entity = await self._guard(self.api.read("PurchaseOrder", po_id))
        line_ids = tuple(
            str(line.get("Id")) for line in entity.get("Line") or [] if line.get("Id") is not None
        )
        if len(line_ids) != len(op.lines):
            return None
        return PurchaseOrderLink(po_id, line_ids)

    # ------------------------------------------------------------------------------ follow-ups

    async def _follow_up(self, write: Write, fault: QboFault) -> None:
        if isinstance(fault, DuplicateName) and _list_op(write.op) is not None and write.action == "create":
            await self._adopt_or_rename(write)
        elif isinstance(fault, StaleObject) and write.action == "update":
            await self._update_again(write, fault)
        elif isinstance(fault, ObjectNotFound):
            await self._repair(write, fault)
        else:
            self._fail(write.op, write.action, fault.plain)

    async def _adopt_or_rename(self, write: Write) -> None:
        """6240: link the record of that name when it is free to link, else create under a new name."""
        op = _list_op(write.op)
        assert op is not None and write.body is not None
        field = _NAME_FIELD[write.entity]
        name = str(write.body.get(field) or op.name)
        rows = (await self._guard(self.api.query(_by_name(write.entity, name)))).get(write.entity) or []
        kind = _MAPPING_KIND[op.kind]
        esp_key = mapping_target(op, self.plan.order_number)[1]
        for row in rows:
            owner = self.inputs.owners.get((kind, str(row.get("Id"))))
            claimed = (kind, str(row.get("Id"))) in self._claimed
            if row.get("Active") is not False and owner in (None, esp_key) and not claimed:
                self._accept(Write(op, write.entity, "find", statement=""), row)
                return
        await self._create_renamed(write, name, wording.name_taken(PRODUCT, name))

    async def _create_renamed(self, write: Write, name: str, note: str) -> None:
        """Create the list record under the first free "Name (Customer)", "Name (2)"…"""
        op = _list_op(write.op)
        assert op is not None and write.body is not None
        field = _NAME_FIELD[write.entity]
        suffix = numbered_suffix if isinstance(op, ItemOp) else role_suffix(op.kind.capitalize())
        limit = LIMITS["qbo"].item_name if isinstance(op, ItemOp) else LIMITS["qbo"].party_name
        for n in range(2, 2 + self.settings.name_attempts):
            tail = suffix(n)
            candidate = truncate_text(name, limit - len(tail)) + tail
            renamed = Write(op, write.entity, "create", {**write.body, field: candidate}, note=write.note)
            try:
                entity = await self._single(renamed, Call((renamed,), batch=False).request_id(self.job_id))
            except DuplicateName:
                continue
            except QboFault as fault:
                self._fail(op, "create", fault.plain)
                return
            self._accept(renamed, entity, note=note)
            return
        self._fail(op, "create", f"QuickBooks Online already uses the name “{name}” and the names after it.")

    async def _update_again(self, write: Write, fault: QboFault) -> None:
        """5010: someone changed the record since we read it; take its current SyncToken and try again."""
        assert write.body is not None and write.existing_id is not None
        for _ in range(self.settings.stale_retries):
            current = await self._guard(self.api.read(write.entity, write.existing_id))
            fresh = Write(
                write.op,
                write.entity,
                "update",
                {**write.body, "SyncToken": str(current.get("SyncToken"))},
                existing_id=write.existing_id,
                note=write.note,
            )
            try:
                entity = await self._single(fresh, Call((fresh,), batch=False).request_id(self.job_id))
            except StaleObject as again:
                fault = again
                continue
            except QboFault as other:
                self._fail(write.op, "update", other.plain)
                return
            self._accept(fresh, entity)
            return
        self._fail(write.op, "update", fault.plain)

    async def _repair(self, write: Write, fault: QboFault) -> None:
        """610: something is gone. The record itself (then create it again), or one it refers to."""
        op = write.op
        if write.action == "update" and write.existing_id is not None:
            try:
                await self._guard(self.api.read(write.entity, write.existing_id))
            except ObjectNotFound:
                await self._recreate_document(write)
                return
        if not await self._recreate_references(op):
            self._fail(op, write.action, fault.plain)
            return
        retry = await self._prepare(op)
        if retry is None:
            return
        if retry.body == write.body:
            # Nothing it refers to changed (no record was gone): writing it again would fail the same way.
            self._fail(op, write.action, fault.plain)
            return
        try:
            entity = await self._single(retry, Call((retry,), batch=False).request_id(self.job_id))
        except QboFault as again:
            self._fail(op, retry.action, again.plain)
            return
        self._accept(retry, entity)

    async def _recreate_document(self, write: Write) -> None:
        assert write.body is not None and write.existing_id is not None
        body = {k: v for k, v in write.body.items() if k not in ("Id", "SyncToken", "sparse")}
        fresh = Write(write.op, write.entity, "create", body, note=f"recreate-of:{write.existing_id}")
        try:
            entity = await self._single(fresh, Call((fresh,), batch=False).request_id(self.job_id))
        except QboFault as fault:
            self._fail(write.op, "create", fault.plain)
            return
        self._accept(fresh, entity, note=wording.recreated_deleted(PRODUCT, write.op, write.existing_id))

    async def _recreate_references(self, op: Operation) -> bool:
        """Create again the customers, vendors and items ``op`` refers to that QBO no longer has active
        (another document of the send may have done it already). False when one cannot be."""
        gone = await self._gone_references(op)
        for ref_key in gone:
            replanned = self._replan_without(ref_key)
            if replanned is None:
                return False
            fresh_op = replanned.operation(ref_key)
            if fresh_op.action != "create":
                return False
            try:
                entity_name, body = encode(fresh_op, self._context)
            except EncodeError:
                return False
            old_id = self.ids.pop(ref_key, None)
            write = Write(fresh_op, entity_name, "create", body, note=f"recreate-of:{old_id}")
            try:
                entity = await self._single(write, Call((write,), batch=False).request_id(self.job_id))
            except DuplicateName:
                await self._adopt_or_rename(write)
            except QboFault:
                return False
            else:
                self._accept(write, entity, note=wording.recreated_inactive(PRODUCT, fresh_op, old_id))
            if ref_key not in self.ids:
                return False
        await self._flush()
        return True

    async def _gone_references(self, op: Operation) -> list[str]:
        by_entity: dict[str, list[str]] = {}
        for ref_key in op.references():
            ref_op = self.plan.operation(ref_key)
            if ref_op.kind in LIST_KINDS and ref_key in self.ids:
                by_entity.setdefault(ENTITY_NAMES[ref_op.kind], []).append(ref_key)
        gone: list[str] = []
        for entity, keys in by_entity.items():
            ids = ", ".join(quote(self.ids[k]) for k in keys)
            statement = f"SELECT * FROM {entity} WHERE Id IN ({ids}) AND Active IN (true, false)"  # noqa: S608
            rows = (await self._guard(self.api.query(statement))).get(entity) or []
            active = {str(row.get("Id")) for row in rows if row.get("Active") is not False}
            gone += [k for k in keys if self.ids[k] not in active]
        return gone

    def _replan_without(self, ref_key: str) -> Plan | None:
        """The plan as if ``ref_key``'s mapping did not exist: its operation becomes a create."""
        known = self.inputs.send.mappings
        ref_op = self.plan.operation(ref_key)
        gone_id = ref_op.existing.quickbooks_id if ref_op.existing else None
        if isinstance(ref_op, CustomerOp):
            known = _without(known, gone_id, customers=ref_op.esp_customer_id)
        elif isinstance(ref_op, VendorOp):
            known = _without(known, gone_id, vendors=ref_op.supplier_id)
        elif isinstance(ref_op, ItemOp):
            known = _without(known, gone_id, items=ref_op.esp_key)
        try:
            return self.inputs.send.plan(known)
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


def _accounts_of(op: Operation) -> list[Any]:
    if isinstance(op, ItemOp):
        return [op.income_account, op.expense_account]
    if isinstance(op, PaymentOp):
        return [op.ar_account]
    if isinstance(op, PurchaseOrderOp | BillOp):
        return [op.ap_account]
    return []


def _by_name(entity: str, name: str) -> str:
    # The entity comes from ENTITY_NAMES, the name goes through quote().
    return f"SELECT * FROM {entity} WHERE {_NAME_FIELD[entity]} = {quote(name)}"  # noqa: S608


def _sentence(op: Operation, write: Write, qb_id: str, name: str | None, number: str | None) -> str:
    """What the step says about QuickBooks Online's answer to ``write``."""
    if write.action == "find":
        # Linked by name: the plan chose it (a link) or ESP meant to create it (6240).
        if op.action == "link":
            return wording.linked(PRODUCT, op, qb_id, name=name)
        return wording.found_by_name(PRODUCT, op, qb_id, name=name)
    if write.action == "update":
        return wording.updated(PRODUCT, op, qb_id, name=name, number=number)
    return wording.created(PRODUCT, op, qb_id, name=name, number=number)


def _ref_number(entity: dict[str, Any]) -> str | None:
    number = entity.get("DocNumber") or entity.get("PaymentRefNum")
    return str(number)[:32] if number else None
