"""Running one plan against QuickBooks Online: the sequence of one attempt.

    settle what needs no write (links, steps an earlier attempt finished)
    → look up the accounts and tax codes the settings name without an Id
    → wave 1: customers, vendors, items,       ┐
      terms, classes, locations (list entries)  │ each wave: writes → calls (a batch or singles)
    → wave 2: the invoice, the purchase orders  │ → answers; a refusal with a repair goes to
    → wave 3: payments, bills                   ┘ ``recovery`` (6240 / 5010 / 610)
    → save what is left (``store``); the results in plan order

A later wave refers to ids the earlier ones produced (items of one batch cannot see each other,
docs/quickbooks-online.md §2.7): a send of an order whose customer, vendor and items are already
mapped is therefore two calls; a first send three.

The parts: ``attempt`` (the attempt's state, the typed ``guard`` around every QBO call, results),
``waves`` (writes, calls, answers), ``recovery`` (one policy per error), ``store`` (saving).
Anything passing (429, 5xx, timeouts after the client's own retries) or an unusable connection ends
the attempt with ``AttemptInterrupted``; every result of a finished call is already saved.
"""

from __future__ import annotations

import uuid

from espqb.db.models import StepStatus
from espqb.mappings.plan_bridge import mapping_target
from espqb.plan import AccountRef, BillOp, InvoiceOp, ItemOp, Operation, PaymentOp, Plan, PurchaseOrderOp
from espqb.sending import wording
from espqb.sending.recording import LIST_KINDS
from espqb.sending.wording import QUICKBOOKS_ONLINE as PRODUCT
from qbo_gateway.client import CompanyApi
from qbo_gateway.encoder import EncodeContext
from qbo_gateway.encoder.context import has_qbo_id
from qbo_gateway.lookups import QboLookups
from qbo_gateway.sender.attempt import Attempt, SenderSettings
from qbo_gateway.sender.loading import AttemptInputs
from qbo_gateway.sender.recovery import follow_up
from qbo_gateway.sender.recovery.duplicate_name import take_another
from qbo_gateway.sender.results import StepResult
from qbo_gateway.sender.store import ResultStore
from qbo_gateway.sender.waves import run_wave

__all__ = ["SendRun"]

WAVES: tuple[frozenset[str], ...] = (
    # List entries (Term, Class, Department) go with the other list records: documents refer to them.
    frozenset({*LIST_KINDS, "list_entry"}),
    frozenset({"invoice", "purchase_order"}),
    frozenset({"payment", "bill"}),
)


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
        first_attempt: bool = True,
    ) -> None:
        self.company_id = company_id
        self.plan = plan
        self.lookups = lookups
        self.attempt = Attempt(
            job_id=job_id,
            plan=plan,
            inputs=inputs,
            api=api,
            store=store,
            settings=settings or SenderSettings(),
            reclaim=take_another,
            first_attempt=first_attempt,
        )

    async def execute(self) -> list[StepResult]:
        attempt, ops = self.attempt, self.plan.operations
        self._settle_known(ops)
        await self._resolve_names(ops)
        for kinds in WAVES:
            wave = [op for op in ops if op.kind in kinds and op.key not in attempt.results]
            await run_wave(attempt, wave, follow_up)
        await attempt.flush()
        return [attempt.results[op.key] for op in ops if op.key in attempt.results]

    def _settle_known(self, ops: tuple[Operation, ...]) -> None:
        """Links need no write; steps an earlier attempt finished are not written again."""
        attempt = self.attempt
        for op in ops:
            done = attempt.inputs.done.get(op.key)
            existing = op.existing
            if done is not None and done.qb_id:
                qb_id = existing.quickbooks_id if existing and existing.quickbooks_id else done.qb_id
                attempt.succeed(
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
                kind, esp_key = mapping_target(op, self.plan.order_number)
                unchanged = attempt.inputs.mapped.get((kind.value, esp_key)) == existing.quickbooks_id
                name = existing.name or getattr(op, "name", None)
                attempt.succeed(
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
        attempt = self.attempt
        pending = [op for op in ops if op.key not in attempt.results]
        needs_accounts = any(
            account is not None and not account.id for op in pending for account in _accounts_of(op)
        )
        needs_tax_codes = any(_names_a_tax_code(op) for op in pending)
        if self.lookups is None or not (needs_accounts or needs_tax_codes):
            return
        accounts = await attempt.guard(self.lookups.account_ids(self.company_id)) if needs_accounts else {}
        tax_codes = await attempt.guard(self.lookups.tax_code_ids(self.company_id)) if needs_tax_codes else {}
        attempt.context = EncodeContext(ids=attempt.ids, account_ids=accounts, tax_code_ids=tax_codes)


def _names_a_tax_code(op: Operation) -> bool:
    """The operation names a tax code by name only (a plan made before the company was read, or a
    chosen code QuickBooks' list must resolve); codes the company's profile gave carry their Id."""
    lines: tuple[object, ...] = ()
    if isinstance(op, InvoiceOp):
        tax = op.tax
        if tax.override_total and tax.code_ref is not None:
            if not has_qbo_id(tax.code_ref):
                return True
        elif tax.mode == "code" and tax.code and not tax.code.isdigit():
            return True
        lines = op.lines
    elif isinstance(op, PurchaseOrderOp | BillOp):
        lines = op.lines
    return any(
        (code := getattr(line, "tax_code", None)) is not None and not has_qbo_id(code) for line in lines
    )


def _accounts_of(op: Operation) -> list[AccountRef | None]:
    if isinstance(op, ItemOp):
        return [op.income_account, op.expense_account]
    if isinstance(op, PaymentOp):
        return [op.ar_account]
    if isinstance(op, PurchaseOrderOp | BillOp):
        return [op.ap_account]
    return []
