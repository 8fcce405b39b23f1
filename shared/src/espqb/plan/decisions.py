"""The dialog's choices with the company's defaults filled in: what to send, to which accounts.

A choice made in the dialog wins; what is left out comes from the settings. A document the
settings do not allow is never sent: asking for it explicitly is a problem, defaulting to it is
simply switched off.
"""

from __future__ import annotations

from dataclasses import dataclass

from espqb.orders.choices import PartyChoice, QuickBooksRef, SendChoices, SupplierChoices, TaxCodeChoice
from espqb.orders.snapshot import OrderSnapshot
from espqb.plan.errors import Problems
from espqb.plan.inputs import PlanSettings
from espqb.plan.model import AccountRef, TaxMode

__all__ = ["Decisions", "SupplierDecision", "account_ref", "decide"]


@dataclass(frozen=True, slots=True)
class SupplierDecision:
    supplier_id: str
    vendor_choice: PartyChoice | None
    send_bill: bool
    send_purchase_order: bool
    ap_account: AccountRef | None
    cogs_account: AccountRef | None


@dataclass(frozen=True, slots=True)
class Decisions:
    send_invoice: bool
    customer_choice: PartyChoice | None
    tax_mode: TaxMode
    tax_code: str | None
    ar_account: AccountRef | None
    income_account: AccountRef | None
    discount_account: AccountRef | None
    tax_account: AccountRef | None
    suppliers: tuple[SupplierDecision, ...]  # the order's suppliers, in the order's order
    # Documents the defaults would have sent but the settings do not allow: said on the job.
    notes: tuple[str, ...] = ()

    def supplier(self, supplier_id: str) -> SupplierDecision:
        return next(s for s in self.suppliers if s.supplier_id == supplier_id)


def account_ref(ref: QuickBooksRef | None) -> AccountRef | None:
    return None if ref is None else AccountRef(id=ref.id, name=ref.name)


def decide(
    order: OrderSnapshot, choices: SendChoices, settings: PlanSettings, problems: Problems
) -> Decisions:
    accounts = settings.default_accounts
    notes: list[str] = []
    send_invoice = _document(
        choices.send_invoice,
        settings.send_invoice_by_default,
        settings.allow_invoices,
        "choices.send_invoice",
        "invoices",
        problems,
    )
    if _left_out(choices.send_invoice, settings.send_invoice_by_default, settings.allow_invoices):
        notes.append(_not_allowed("The invoice was not sent", "invoices"))

    on_order = {s.esp_id for s in order.suppliers}
    for supplier_id in choices.suppliers:
        if supplier_id not in on_order:
            problems.add(
                f"choices.suppliers.{supplier_id}",
                f"The dialog has choices for supplier {supplier_id}, which is not on this order.",
            )

    suppliers: list[SupplierDecision] = []
    for supplier in order.suppliers:
        chosen = choices.suppliers.get(supplier.esp_id, SupplierChoices())
        path = f"choices.suppliers.{supplier.esp_id}"
        send_bill = _document(
            chosen.send_bill,
            settings.send_bill_by_default,
            settings.allow_bills,
            f"{path}.send_bill",
            "bills",
            problems,
        )
        send_po = _document(
            chosen.send_purchase_order,
            settings.send_purchase_order_by_default,
            settings.allow_purchase_orders,
            f"{path}.send_purchase_order",
            "purchase orders",
            problems,
        )
        has_lines = any(line.supplier_id == supplier.esp_id for line in order.lines) or any(
            charge.supplier_id == supplier.esp_id for charge in order.charges
        )
        # A supplier with nothing on the order has nothing to bill: no empty documents.
        send_bill, send_po = send_bill and has_lines, send_po and has_lines
        if has_lines and _left_out(chosen.send_bill, settings.send_bill_by_default, settings.allow_bills):
            notes.append(_not_allowed(f"No bill was sent for {supplier.name}", "bills"))
        if has_lines and _left_out(
            chosen.send_purchase_order,
            settings.send_purchase_order_by_default,
            settings.allow_purchase_orders,
        ):
            notes.append(_not_allowed(f"No purchase order was sent for {supplier.name}", "purchase orders"))
        cogs = account_ref(chosen.cogs_account or accounts.cogs)
        if (send_bill or send_po) and cogs is None:
            problems.add(
                f"{path}.cogs_account",
                f"No cost of goods sold account is chosen for {supplier.name}: choose one in the dialog "
                "or in Settings → Accounts, so the bill and purchase order lines post to it.",
            )
        suppliers.append(
            SupplierDecision(
                supplier_id=supplier.esp_id,
                vendor_choice=chosen.vendor,
                send_bill=send_bill,
                send_purchase_order=send_po,
                ap_account=account_ref(chosen.ap_account or accounts.ap),
                cogs_account=cogs,
            )
        )

    if not send_invoice and not any(s.send_bill or s.send_purchase_order for s in suppliers):
        problems.add(
            "choices",
            "Nothing to send: the invoice, the bills and the purchase orders are all switched off.",
        )

    tax_mode, tax_code = _tax(choices, settings)
    income = account_ref(choices.income_account or accounts.income)
    return Decisions(
        send_invoice=send_invoice,
        customer_choice=choices.customer,
        tax_mode=tax_mode,
        tax_code=tax_code,
        ar_account=account_ref(choices.ar_account or accounts.ar),
        income_account=income,
        discount_account=account_ref(accounts.discount) or income,
        tax_account=account_ref(accounts.tax) or income,
        suppliers=tuple(suppliers),
        notes=tuple(notes),
    )


def _document(
    chosen: bool | None, default: bool, allowed: bool, path: str, noun: str, problems: Problems
) -> bool:
    if chosen is None:
        return default and allowed
    if chosen and not allowed:
        problems.add(path, f"Your company's QuickBooks settings do not allow sending {noun}.")
        return False
    return chosen


def _left_out(chosen: bool | None, default: bool, allowed: bool) -> bool:
    """The dialog left the document to the defaults, which would send it, but the settings forbid it."""
    return chosen is None and default and not allowed


def _not_allowed(what: str, noun: str) -> str:
    return f"{what}: the Details tab of your company's QuickBooks integration does not allow sending {noun}."


def _tax(choices: SendChoices, settings: PlanSettings) -> tuple[TaxMode, str | None]:
    chosen = choices.tax
    if isinstance(chosen, TaxCodeChoice):
        return "code", chosen.code
    if chosen == "item":
        return "item", None
    if chosen == "quickbooks_default":
        return "quickbooks_default", None
    default = settings.tax_default
    return default.option, default.code if default.option == "code" else None
