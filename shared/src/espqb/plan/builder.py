"""``build_plan``: order + choices + settings + mappings → the plan for one QuickBooks product.

Pure: no I/O, no clock, no randomness; the same inputs always give an equal plan.
"""

from __future__ import annotations

from espqb.money import ZERO, money_sum
from espqb.orders.choices import SendChoices
from espqb.orders.snapshot import OrderSnapshot
from espqb.plan.company import QuickBooksCompany
from espqb.plan.currency import currency_problem, exchange_rate, foreign_accounts, party_currency
from espqb.plan.decisions import decide
from espqb.plan.details import DetailsPlanner
from espqb.plan.documents import bill_op, invoice_op, payment_ops, purchase_lines, purchase_order_op
from espqb.plan.errors import Problems
from espqb.plan.inputs import KnownMappings, PlanSettings, TakenName
from espqb.plan.items import ItemPlanner, item_op_key
from espqb.plan.limits import LIMITS, Target
from espqb.plan.lists import ListPlanner
from espqb.plan.model import Operation, Plan, PlanTotals, SupplierTotals
from espqb.plan.naming import NameRegistry
from espqb.plan.parties import customer_op, vendor_key, vendor_op
from espqb.plan.tax import plan_purchase_tax, plan_sales_tax
from espqb.plan.totals import check_figures, order_figures

__all__ = ["build_plan"]


def build_plan(
    order: OrderSnapshot,
    choices: SendChoices,
    settings: PlanSettings,
    mappings: KnownMappings,
    target: Target,
    company: QuickBooksCompany | None = None,
) -> Plan:
    """The QuickBooks operations that write this order, in execution order.

    ``company`` is the QuickBooks company's edition, currencies and tax codes
    (``espqb.plan.company``); without it the plan is made for a US company in the order's currency.

    Raises ``PlanError`` listing every problem found (figures that disagree, an overpayment,
    documents the settings forbid, a missing account, an unusable item name, a currency the company
    cannot take, a tax QuickBooks would compute differently...).
    """
    problems = Problems()
    limits = LIMITS[target]
    figures = order_figures(order)
    check_figures(order, figures, problems)
    decisions = decide(order, choices, settings, problems)
    wrong_currency = currency_problem(order, company)
    if wrong_currency is not None:
        problems.add(wrong_currency.path, wrong_currency.message)
    rate = exchange_rate(order, company)
    currency = party_currency(order, company)
    decisions, accounts_note = foreign_accounts(order, company, decisions)

    names = NameRegistry(_taken_party_names(mappings))
    items = ItemPlanner(
        settings=settings,
        mappings=mappings,
        registry=NameRegistry(_taken_item_names(mappings)),
        limits=limits,
        income_account=decisions.income_account,
        discount_account=decisions.discount_account,
        tax_account=decisions.tax_account,
        problems=problems,
    )

    buying = [d for d in decisions.suppliers if d.send_bill or d.send_purchase_order]
    needs_customer = decisions.send_invoice or (settings.set_customers_billable and bool(buying))
    parties: list[Operation] = []
    if needs_customer:
        parties.append(
            customer_op(
                order.customer,
                decisions.customer_choice,
                mappings.customers.get(order.customer.esp_id),
                names,
                limits,
                currency,
            )
        )
    for decision in buying:
        supplier = order.supplier(decision.supplier_id)
        parties.append(
            vendor_op(
                supplier,
                decision.vendor_choice,
                mappings.vendors.get(supplier.esp_id),
                names,
                limits,
                currency,
            )
        )

    documents: list[Operation] = []
    notes: list[str] = [*decisions.notes, *([accounts_note] if accounts_note else [])]
    lists = ListPlanner(company, settings.document_defaults, target, limits, problems, notes)
    details = DetailsPlanner(order, company, target, limits, lists, notes)
    applied = ZERO
    if decisions.send_invoice:
        sales_tax = plan_sales_tax(order, figures, decisions, settings, company, target, problems)
        documents.append(
            invoice_op(
                order,
                figures,
                decisions,
                settings,
                mappings,
                items,
                limits,
                target,
                sales_tax,
                rate,
                details,
            )
        )
        payments = payment_ops(order, decisions, mappings, limits, rate)
        documents.extend(payments)
        applied = money_sum(p.amount for p in payments)
        notes.extend(sales_tax.notes)
    elif order.payments:
        notes.append(f"{len(order.payments)} payment(s) were not sent because the invoice is not being sent.")

    purchase_tax = plan_purchase_tax(settings, company, problems) if buying else None
    purchase_orders = [d for d in buying if d.send_purchase_order]
    supplier_totals: list[SupplierTotals] = []
    for decision in decisions.suppliers:
        supplier = order.supplier(decision.supplier_id)
        bill_total = po_total = None
        if decision.send_bill or decision.send_purchase_order:
            lines = purchase_lines(order, figures, decision, settings, items, limits, purchase_tax)
            if decision.send_purchase_order:
                # Several purchase orders from one order get -1, -2... so their numbers stay distinct
                # (Desktop can warn on a duplicate PO number, and a warning stops the session).
                suffix = f"-{purchase_orders.index(decision) + 1}" if len(purchase_orders) > 1 else ""
                po = purchase_order_op(
                    order,
                    supplier,
                    decision,
                    lines,
                    mappings,
                    limits,
                    suffix,
                    purchase_tax,
                    rate,
                    target,
                    details,
                )
                documents.append(po)
                po_total = po.total
            if decision.send_bill:
                po_key = f"purchase_order:{supplier.esp_id}" if decision.send_purchase_order else None
                bill = bill_op(
                    order,
                    supplier,
                    decision,
                    lines,
                    mappings,
                    limits,
                    po_key,
                    purchase_tax,
                    rate,
                    target,
                    details,
                )
                documents.append(bill)
                bill_total = bill.total
        supplier_totals.append(
            SupplierTotals(
                supplier_id=supplier.esp_id,
                cost_total=figures.supplier_cost(supplier.esp_id),
                bill_total=bill_total,
                po_total=po_total,
            )
        )

    problems.raise_if_any()
    return Plan(
        target=target,
        order_number=order.order_number,
        operations=(*parties, *items.operations(), *lists.operations(), *documents),
        totals=PlanTotals(
            invoice_subtotal=figures.subtotal,
            taxable_subtotal=figures.taxable_subtotal,
            discount=figures.discount,
            tax=figures.tax,
            invoice_total=figures.total,
            payments_applied=applied,
            balance_due=money_sum([figures.total, -applied]),
            suppliers=tuple(supplier_totals),
        ),
        notes=tuple(notes),
    )


def _taken_party_names(mappings: KnownMappings) -> list[TakenName]:
    taken = list(mappings.names_in_use.names)
    taken += [
        TakenName(name=m.name, owner=f"customer:{key}", quickbooks_id=m.quickbooks_id)
        for key, m in mappings.customers.items()
        if m.name
    ]
    taken += [
        TakenName(name=m.name, owner=vendor_key(key), quickbooks_id=m.quickbooks_id)
        for key, m in mappings.vendors.items()
        if m.name
    ]
    return taken


def _taken_item_names(mappings: KnownMappings) -> list[TakenName]:
    taken = list(mappings.names_in_use.items)
    taken += [
        TakenName(name=m.name, owner=item_op_key(key), quickbooks_id=m.quickbooks_id)
        for key, m in mappings.items.items()
        if m.name
    ]
    return taken
