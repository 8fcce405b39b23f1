"""What one attempt at a job's plan knows while it runs, and the moves every part of it makes.

``Attempt`` holds the ids and entities QuickBooks Online answered so far (later writes refer to
them), each operation's ``StepResult``, and the results not saved yet (``ResultStore``). Its moves:

* ``guard``: await a QBO call; passing trouble (429, 5xx, timeouts after the client's own retries)
  or a refused connection ends the attempt with ``AttemptInterrupted``, everything finished saved;
* ``write_alone``: send one write as a single call (how every repair goes);
* ``accept`` / ``fail`` / ``skip``: turn QBO's answer, a refusal or a missing reference into the
  operation's result, worded with ``espqb.sending.wording``;
* ``flush``: save the results; a customer, vendor or item another ESP record turned out to own goes
  to ``reclaim`` (``recovery.duplicate_name.take_another``) for a record of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

from espqb.db.models import StepStatus
from espqb.mappings.repository import RecordOwned
from espqb.plan import BillOp, CustomerOp, InvoiceOp, ItemOp, Operation, PaymentOp, Plan, VendorOp
from espqb.sending import wording
from espqb.sending.recording import Origin
from espqb.sending.wording import QUICKBOOKS_ONLINE as PRODUCT
from qbo_gateway.client import MAX_BATCH_ITEMS, AuthFailed, CompanyApi, QboFault, Throttled, quote
from qbo_gateway.encoder import EncodeContext
from qbo_gateway.sender.loading import AttemptInputs
from qbo_gateway.sender.results import AttemptInterrupted, StepResult
from qbo_gateway.sender.store import ResultStore
from qbo_gateway.sender.verify import differences, figure_drift
from qbo_gateway.sender.writes import Call, Write

__all__ = ["NAME_FIELD", "Attempt", "Reclaim", "SenderSettings", "by_name", "list_entry_by_name", "list_op"]

T = TypeVar("T")

# The field that holds a list record's name, per QBO entity.
NAME_FIELD = {
    "Customer": "DisplayName",
    "Vendor": "DisplayName",
    "Item": "Name",
    "Term": "Name",
    "Class": "Name",
    "Department": "Name",
}
# Still throttled after the client's own waits: come back after Intuit's 60 s
# (docs/quickbooks-online.md §2.11).
THROTTLED_WAIT = timedelta(seconds=60)

# Called for a list record another ESP record turned out to own, to find ``op`` a record of its own.
Reclaim = Callable[["Attempt", Operation, RecordOwned], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SenderSettings:
    # Writes share batch calls with other orders of the company (``client.coalescer``); more than 30
    # switches batches off (one call per write: the benchmarks' naive sender).
    batch_min_items: int = 2
    stale_retries: int = 2  # 5010: read and update again this many times
    name_attempts: int = 5  # 6240 with nothing to link: try this many suffixed names


class Attempt:
    """One attempt's state and moves (see the module's docstring)."""

    def __init__(
        self,
        *,
        job_id: uuid.UUID,
        plan: Plan,
        inputs: AttemptInputs,
        api: CompanyApi,
        store: ResultStore,
        settings: SenderSettings,
        reclaim: Reclaim,
        first_attempt: bool = True,
    ) -> None:
        self.job_id = job_id
        self.first_attempt = first_attempt
        self.plan = plan
        self.inputs = inputs
        self.api = api
        self.store = store
        self.settings = settings
        self.reclaim = reclaim
        self.ids: dict[str, str] = {}
        self.entities: dict[str, dict[str, Any]] = {}
        self.results: dict[str, StepResult] = {}
        # (kind, QBO Id) of records another ESP record claimed while this attempt ran.
        self.claimed: set[tuple[str, str]] = set()
        # Reads self.ids as it grows: later waves refer to what earlier ones wrote.
        self.context = EncodeContext(ids=self.ids)

    @property
    def shares_batches(self) -> bool:
        """Fresh writes go into shared batches: batching is on and no earlier attempt of this job may
        have sent them as single calls (see ``waves.run_wave``)."""
        return self.first_attempt and self.settings.batch_min_items <= MAX_BATCH_ITEMS

    # ------------------------------------------------------------------------------ calls

    async def guard(self, work: Awaitable[T]) -> T:
        """Await a QBO call; what ends the attempt (passing trouble, refused connection) is raised as such."""
        try:
            return await work
        except QboFault as fault:
            if isinstance(fault, AuthFailed):
                raise AttemptInterrupted(fault.plain, hold=True) from fault
            if fault.retryable:
                await self.flush()
                wait = timedelta(seconds=fault.retry_after) if fault.retry_after is not None else None
                if wait is None and isinstance(fault, Throttled):
                    wait = THROTTLED_WAIT
                raise AttemptInterrupted(fault.plain, retry_in=wait) from fault
            raise

    async def single(self, write: Write, rid: str) -> dict[str, Any]:
        """One write as a single call: the entity QBO returned (find: the first match, or {})."""
        if write.action == "find":
            assert write.statement is not None
            rows = await self.rows(write.statement, write.entity)
            return rows[0] if rows else {}
        assert write.body is not None
        if write.action == "update":
            return await self.guard(self.api.update(write.entity, write.body, request_id=rid))
        return await self.guard(self.api.create(write.entity, write.body, request_id=rid))

    async def write_alone(self, write: Write) -> dict[str, Any]:
        """``single`` under the requestid of a call of this write alone."""
        return await self.single(write, Call((write,), batch=False).request_id(self.job_id))

    async def rows(self, statement: str, entity: str) -> list[dict[str, Any]]:
        """The rows of one entity a query answers."""
        return list((await self.guard(self.api.query(statement))).get(entity) or [])

    # ------------------------------------------------------------------------------ results

    def accept(
        self, write: Write, entity: dict[str, Any], *, origin: Origin = "created", note: str | None = None
    ) -> None:
        """QuickBooks Online's answer to ``write`` becomes the operation's result."""
        op = write.op
        if write.action == "find":
            if not entity.get("Id"):
                self.fail(op, "link", wording.no_record_named(PRODUCT, op, getattr(op, "name", None)))
                return
            origin = "found"
        qb_id = str(entity.get("Id"))
        name = entity.get(NAME_FIELD.get(write.entity, "")) if write.entity in NAME_FIELD else None
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
        self.succeed(op, result)

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

    def succeed(self, op: Operation, result: StepResult) -> None:
        self.results[op.key] = result
        if result.qb_id:
            self.ids[op.key] = result.qb_id
        if result.entity is not None:
            self.entities[op.key] = result.entity
        self.store.add(op, result)

    def fail(
        self, op: Operation, action: str, error: str, *, in_doubt: tuple[str, str | None] | None = None
    ) -> None:
        result = StepResult(
            op.key,
            op.kind,
            action if action != "find" else "link",
            StepStatus.FAILED,
            error=error,
            summary=wording.sent_without_answer(PRODUCT) if in_doubt else None,
            in_doubt=in_doubt,
        )
        self.results[op.key] = result
        self.store.add(op, result)

    def skip(self, op: Operation, reason: str) -> None:
        result = StepResult(op.key, op.kind, op.action, StepStatus.SKIPPED, error=reason)
        self.results[op.key] = result
        self.store.add(op, result)

    def forget(self, op: Operation) -> None:
        """``op``'s result no longer stands (its record is another ESP record's)."""
        self.results.pop(op.key, None)
        self.ids.pop(op.key, None)
        self.entities.pop(op.key, None)

    async def flush(self) -> None:
        """Save every result so far (one transaction per batch of results)."""
        while self.store.pending:
            for op, owned in await self.store.flush():
                await self.reclaim(self, op, owned)


def list_op(op: Operation) -> CustomerOp | VendorOp | ItemOp | None:
    return op if isinstance(op, CustomerOp | VendorOp | ItemOp) else None


def by_name(entity: str, name: str) -> str:
    """The query for a list record by name."""
    # The entity comes from ENTITY_NAMES, the name goes through quote().
    return f"SELECT * FROM {entity} WHERE {NAME_FIELD[entity]} = {quote(name)}"  # noqa: S608


def list_entry_by_name(entity: str, name: str) -> str:
    """The query for a term, class or location by name; a sub-class or sub-location ("West:Boston")
    by its full name, which is what the plan names them by (docs/quickbooks-online.md §7.8)."""
    field = "FullyQualifiedName" if ":" in name else "Name"
    # The entity comes from LIST_ENTITIES, the name goes through quote().
    return f"SELECT * FROM {entity} WHERE {field} = {quote(name)}"  # noqa: S608


def _sentence(op: Operation, write: Write, qb_id: str, name: str | None, number: str | None) -> str:
    """What the step says about QuickBooks Online's answer to ``write``."""
    outcome: wording.Outcome
    if write.action == "find":
        # Linked by name: the plan chose it (a link) or ESP meant to create it (6240).
        outcome = "linked" if op.action == "link" else "found"
    else:
        outcome = "updated" if write.action == "update" else "created"
    return wording.settled(PRODUCT, op, outcome, qb_id, name=name, number=number)


def _ref_number(entity: dict[str, Any]) -> str | None:
    number = entity.get("DocNumber") or entity.get("PaymentRefNum")
    return str(number)[:32] if number else None
