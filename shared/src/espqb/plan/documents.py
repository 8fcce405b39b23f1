"""Document operations: the invoice and its payments, and per supplier a purchase order and a bill.

A document of this order that is already in QuickBooks (it is in the mappings) is updated in place
with its stored version token; otherwise it is created. Amounts come from ``OrderFigures``.
"""

from __future__ import annotations

from decimal import Decimal

from espqb.money import ZERO, format_money, money_sum
from espqb.orders.snapshot import Charge, OrderSnapshot, Supplier
from espqb.plan.decisions import Decisions, SupplierDecision
from espqb.plan.details import DetailsPlanner, memo
from espqb.plan.inputs import KnownMappings, MappedRecord, PlanSettings
from espqb.plan.items import ItemPlanner
from espqb.plan.limits import Target, TargetLimits
from espqb.plan.model import (
    AccountRef,
    Action,
    BillOp,
    DiscountLine,
    DiscountStyle,
    Existing,
    InvoiceLine,
    InvoiceOp,
    ItemLine,
    PaymentOp,
    PurchaseLine,
    PurchaseOrderOp,
    SubtotalLine,
    TaxLine,
)
from espqb.plan.naming import clean_text, truncate_tail
from espqb.plan.parties import CUSTOMER_KEY, fit, fit_address, vendor_key
from espqb.plan.tax import PurchaseTax, SalesTax
from espqb.plan.totals import OrderFigures

__all__ = ["INVOICE_KEY", "bill_op", "invoice_op", "payment_ops", "purchase_order_op"]

INVOICE_KEY = "invoice"


def _action(mapped: MappedRecord | None) -> tuple[Action, Existing | None]:
    if mapped is None:
        return "create", None
    return "update", Existing(quickbooks_id=mapped.quickbooks_id, name=mapped.name, version=mapped.version)


def doc_number(order_number: str, limit: int, suffix: str = "") -> str:
    # Desktop allows 11 characters for an invoice or PO number, QBO 21 (docs/web-connector.md §3.4,
    # docs/quickbooks-online.md §2.3). A longer order number keeps its end, the part that tells orders apart;
    # the memo keeps the whole number.
    return truncate_tail(clean_text(order_number), limit - len(suffix)) + suffix


def invoice_op(
    order: OrderSnapshot,
    figures: OrderFigures,
    decisions: Decisions,
    settings: PlanSettings,
    mappings: KnownMappings,
    items: ItemPlanner,
    limits: TargetLimits,
    target: Target,
    tax: SalesTax,
    exchange_rate: Decimal | None,
    details: DetailsPlanner,
) -> InvoiceOp:
    tax_as_item = decisions.tax_mode == "item"
    lines = _sale_lines(order, figures, decisions, settings, items, limits, tax)
    style, discount_lines = _discount_lines(order, figures, settings, items, target, tax)
    lines += discount_lines
    rate = order.tax.rate_percent if order.tax is not None else None
    if tax_as_item and figures.tax > 0:
        name = (order.tax.name if order.tax is not None else None) or settings.tax_item_name
        lines.append(
            TaxLine(
                item_key=items.tax(),
                amount=figures.tax,
                rate_percent=rate,
                description=fit(name, limits.line_description) or settings.tax_item_name,
                tax_code=tax.no_tax_code,
            )
        )

    action, existing = _action(mappings.invoice)
    customer = order.customer
    return InvoiceOp(
        key=INVOICE_KEY,
        action=action,
        existing=existing,
        customer_key=CUSTOMER_KEY,
        doc_number=doc_number(order.order_number, limits.invoice_number),
        txn_date=order.order_date,
        currency=order.currency,
        memo=memo(order, limits.memo),
        ar_account=decisions.ar_account,
        email=customer.email,
        billing_address=fit_address(customer.billing_address, limits),
        shipping_address=fit_address(order.ship_to or customer.shipping_address, limits),
        lines=tuple(lines),
        discount_style=style,
        tax=tax.instruction,
        subtotal=figures.subtotal,
        discount=figures.discount,
        tax_amount=figures.tax,
        total=figures.total,
        exchange_rate=exchange_rate,
        details=details.invoice(),
    )


def _sale_lines(
    order: OrderSnapshot,
    figures: OrderFigures,
    decisions: Decisions,
    settings: PlanSettings,
    items: ItemPlanner,
    limits: TargetLimits,
    tax: SalesTax,
) -> list[InvoiceLine]:
    """Products then extra charges, each quantity × unit price, in the order's order."""
    keep = tax.lines_keep_taxable
    priced = iter(figures.lines)
    lines: list[InvoiceLine] = []
    for index, line in enumerate(order.lines):
        amounts = next(priced)
        lines.append(
            ItemLine(
                item_key=items.product(line, index, _expense_for(decisions, line.supplier_id)),
                description=fit(line.description or line.product_name, limits.line_description),
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=amounts.amount,
                # With the tax on a line of its own, no line may be taxable as well, or QuickBooks would
                # add tax a second time (docs/quickbooks-online.md §2.4, the double-tax trap).
                taxable=line.taxable and keep,
                source=amounts.source,
                tax_code=tax.line_code(line.taxable),
            )
        )
    for charge in order.charges:
        amounts = next(priced)
        key = items.charge(
            charge.kind, taxable=charge.taxable, expense_account=_expense_for(decisions, charge.supplier_id)
        )
        lines.append(
            ItemLine(
                item_key=key,
                description=_charge_description(charge, settings, limits),
                quantity=charge.quantity,
                unit_price=charge.unit_price,
                amount=amounts.amount,
                taxable=charge.taxable and keep,
                source=amounts.source,
                tax_code=tax.line_code(charge.taxable),
            )
        )
    return lines


def _discount_lines(
    order: OrderSnapshot,
    figures: OrderFigures,
    settings: PlanSettings,
    items: ItemPlanner,
    target: Target,
    tax: SalesTax,
) -> tuple[DiscountStyle | None, list[InvoiceLine]]:
    if figures.discount <= 0:
        return None, []
    percent = order.discount.percent if order.discount is not None else None
    name = settings.discount_item_name
    label = name if percent is None else f"{name} {percent.normalize():f}%"
    before_tax = settings.discount_before_tax
    if target == "qbo":
        return "qbo_discount_line", [
            DiscountLine(
                item_key=None,
                amount=figures.discount,
                percent=percent,
                before_tax=before_tax,
                description=label,
            )
        ]
    # A Desktop discount item applies to the single line right above it, so a subtotal line goes
    # first and the discount then covers every line (docs/web-connector.md §3.5).
    return "qbd_subtotal_then_discount", [
        SubtotalLine(item_key=items.subtotal(), amount=figures.subtotal),
        DiscountLine(
            item_key=items.discount(before_tax=before_tax),
            amount=figures.discount,
            percent=percent,
            before_tax=before_tax,
            description=label,
            # Outside the US the discount line names a code too: the taxed lines' code when it comes
            # before tax (it lowers their base), else the no-tax code.
            tax_code=tax.line_code(before_tax and figures.taxable_subtotal > 0),
        ),
    ]


def _charge_description(charge: Charge, settings: PlanSettings, limits: TargetLimits) -> str | None:
    return fit(charge.description or settings.charge_items.for_kind(charge.kind), limits.line_description)


def payment_ops(
    order: OrderSnapshot,
    decisions: Decisions,
    mappings: KnownMappings,
    limits: TargetLimits,
    exchange_rate: Decimal | None = None,
) -> list[PaymentOp]:
    """Each ESP payment applied to the invoice (the plan has already refused an overpayment)."""
    ops: list[PaymentOp] = []
    for payment in order.payments:
        action, existing = _action(mappings.payments.get(payment.id))
        reference = clean_text(payment.reference) if payment.reference else ""
        ops.append(
            PaymentOp(
                key=f"payment:{payment.id}",
                action=action,
                existing=existing,
                payment_id=payment.id,
                customer_key=CUSTOMER_KEY,
                invoice_key=INVOICE_KEY,
                txn_date=payment.date,
                amount=payment.amount,
                method=fit(payment.method, 31),
                # Desktop RefNumber 20, QBO 21: a check number's end is the part that identifies it.
                reference=truncate_tail(reference, limits.payment_reference) or None,
                memo=fit(
                    f"ESP payment {payment.id} of {format_money(payment.amount)} on order {order.order_number}",
                    limits.memo,
                )
                or "",
                ar_account=decisions.ar_account,
                currency=order.currency,
                exchange_rate=exchange_rate,
            )
        )
    return ops


def _expense_for(decisions: Decisions, supplier_id: str | None) -> AccountRef | None:
    if supplier_id is None:
        return None
    decision = decisions.supplier(supplier_id)
    return decision.cogs_account if decision.send_bill or decision.send_purchase_order else None


def purchase_lines(
    order: OrderSnapshot,
    figures: OrderFigures,
    supplier: SupplierDecision,
    settings: PlanSettings,
    items: ItemPlanner,
    limits: TargetLimits,
    tax: PurchaseTax | None = None,
) -> tuple[PurchaseLine, ...]:
    code = tax.code if tax is not None else None
    billable = settings.set_customers_billable
    lines: list[PurchaseLine] = []
    priced = iter(figures.lines)
    for index, line in enumerate(order.lines):
        amounts = next(priced)
        if line.supplier_id != supplier.supplier_id:
            continue
        lines.append(
            PurchaseLine(
                item_key=items.product(line, index, supplier.cogs_account),
                description=fit(line.description or line.product_name, limits.line_description),
                quantity=line.quantity,
                unit_cost=line.unit_cost,
                amount=amounts.cost,
                expense_account=supplier.cogs_account,
                customer_key=CUSTOMER_KEY if billable else None,
                billable=billable,
                source=amounts.source,
                tax_code=code,
            )
        )
    for charge in order.charges:
        amounts = next(priced)
        if charge.supplier_id != supplier.supplier_id:
            continue
        lines.append(
            PurchaseLine(
                item_key=items.charge(
                    charge.kind, taxable=charge.taxable, expense_account=supplier.cogs_account
                ),
                description=_charge_description(charge, settings, limits),
                quantity=charge.quantity,
                unit_cost=charge.unit_cost,
                amount=amounts.cost,
                expense_account=supplier.cogs_account,
                customer_key=CUSTOMER_KEY if billable else None,
                billable=billable,
                source=amounts.source,
                tax_code=code,
            )
        )
    return tuple(lines)


def purchase_order_op(
    order: OrderSnapshot,
    supplier: Supplier,
    decision: SupplierDecision,
    lines: tuple[PurchaseLine, ...],
    mappings: KnownMappings,
    limits: TargetLimits,
    number_suffix: str,
    tax: PurchaseTax | None,
    exchange_rate: Decimal | None,
    target: Target,
    details: DetailsPlanner,
) -> PurchaseOrderOp:
    action, existing = _action(mappings.purchase_orders.get(supplier.esp_id))
    net, tax_amount = _net_and_tax(lines, tax)
    return PurchaseOrderOp(
        key=f"purchase_order:{supplier.esp_id}",
        action=action,
        existing=existing,
        supplier_id=supplier.esp_id,
        vendor_key=vendor_key(supplier.esp_id),
        doc_number=doc_number(order.order_number, limits.purchase_order_number, number_suffix),
        txn_date=order.order_date,
        currency=order.currency,
        memo=memo(order, limits.memo, f", {supplier.name}"),
        ap_account=decision.ap_account,
        # Drop-ship: the supplier's own ship-to, else the order's, else the customer's.
        ship_address=fit_address(
            supplier.ship_to or order.ship_to or order.customer.shipping_address, limits
        ),
        lines=lines,
        total=money_sum([net, tax_amount]),
        tax_amount=tax_amount,
        global_calculation=tax.global_calculation if tax is not None else None,
        exchange_rate=exchange_rate,
        details=details.purchase_order(supplier, order.order_date),
    )


def bill_op(
    order: OrderSnapshot,
    supplier: Supplier,
    decision: SupplierDecision,
    lines: tuple[PurchaseLine, ...],
    mappings: KnownMappings,
    limits: TargetLimits,
    purchase_order_key: str | None,
    tax: PurchaseTax | None,
    exchange_rate: Decimal | None,
    target: Target,
    details: DetailsPlanner,
) -> BillOp:
    txn_date = supplier.invoice_date or order.order_date
    # The bill carries the supplier's invoice number and date when ESP has them.
    number = details.fit(supplier.invoice_number, limits.bill_number, f"invoice number of {supplier.name}")
    action, existing = _action(mappings.bills.get(supplier.esp_id))
    net, tax_amount = _net_and_tax(lines, tax)
    return BillOp(
        key=f"bill:{supplier.esp_id}",
        action=action,
        existing=existing,
        supplier_id=supplier.esp_id,
        vendor_key=vendor_key(supplier.esp_id),
        doc_number=number or doc_number(order.order_number, limits.bill_number),
        txn_date=txn_date,
        currency=order.currency,
        memo=memo(order, limits.memo, f", {supplier.name}"),
        ap_account=decision.ap_account,
        lines=lines,
        total=money_sum([net, tax_amount]),
        purchase_order_key=purchase_order_key,
        tax_amount=tax_amount,
        global_calculation=tax.global_calculation if tax is not None else None,
        exchange_rate=exchange_rate,
        details=details.bill(supplier, txn_date),
    )


def _net_and_tax(lines: tuple[PurchaseLine, ...], tax: PurchaseTax | None) -> tuple[Decimal, Decimal]:
    """Σ line amounts, and the purchase tax QuickBooks adds on them (outside the US)."""
    net = money_sum(line.amount for line in lines) if lines else ZERO
    return net, tax.on(net) if tax is not None else ZERO
