"""The order's figures, computed once: line amounts, subtotal, discount, tax, total, payments.

Both targets' documents are built from these numbers, which is why QBO and Desktop agree to the
cent. Rounding happens only inside ``espqb.money.line_amount`` / ``percent_of`` (half up, per line
and once for a percentage discount); sums are exact. Nothing is ever adjusted to make figures
agree: a disagreement with ESP's total is a problem reported to the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from espqb.money import ZERO, format_money, line_amount, money_sum, percent_of
from espqb.orders.snapshot import OrderSnapshot
from espqb.plan.errors import Problems

__all__ = ["OrderFigures", "PricedLine", "check_figures", "order_figures"]


@dataclass(frozen=True, slots=True)
class PricedLine:
    """One order line or extra charge with its two amounts."""

    source: str  # "order.lines[0]" / "order.charges[0]"
    amount: Decimal  # quantity × unit price, what the customer pays
    cost: Decimal  # quantity × unit cost, what the supplier bills
    taxable: bool
    supplier_id: str | None


@dataclass(frozen=True, slots=True)
class OrderFigures:
    lines: tuple[PricedLine, ...]  # order lines first, then extra charges, in the order's order
    subtotal: Decimal
    taxable_subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal  # subtotal − discount + tax
    payments: Decimal

    def supplier_cost(self, supplier_id: str) -> Decimal:
        return money_sum(p.cost for p in self.lines if p.supplier_id == supplier_id)


def order_figures(order: OrderSnapshot) -> OrderFigures:
    priced = [
        PricedLine(
            source=f"order.lines[{i}]",
            amount=line_amount(line.quantity, line.unit_price),
            cost=line_amount(line.quantity, line.unit_cost),
            taxable=line.taxable,
            supplier_id=line.supplier_id,
        )
        for i, line in enumerate(order.lines)
    ]
    priced += [
        PricedLine(
            source=f"order.charges[{i}]",
            amount=line_amount(charge.quantity, charge.unit_price),
            cost=line_amount(charge.quantity, charge.unit_cost),
            taxable=charge.taxable,
            supplier_id=charge.supplier_id,
        )
        for i, charge in enumerate(order.charges)
    ]
    subtotal = money_sum(p.amount for p in priced)
    discount = ZERO
    if order.discount is not None:
        if order.discount.amount is not None:
            discount = order.discount.amount
        elif order.discount.percent is not None:
            # The percentage applies to the whole subtotal, like the Desktop subtotal line it follows.
            discount = percent_of(subtotal, order.discount.percent)
    tax = order.tax.amount if order.tax is not None else ZERO
    return OrderFigures(
        lines=tuple(priced),
        subtotal=subtotal,
        taxable_subtotal=money_sum(p.amount for p in priced if p.taxable),
        discount=discount,
        tax=tax,
        total=money_sum([subtotal, -discount, tax]),
        payments=money_sum(p.amount for p in order.payments),
    )


def check_figures(order: OrderSnapshot, figures: OrderFigures, problems: Problems) -> None:
    """Report every way ESP's figures disagree with each other; never adjust one to fit."""
    if figures.discount > figures.subtotal:
        problems.add(
            "order.discount",
            f"The discount ({format_money(figures.discount)}) is more than the order's subtotal "
            f"({format_money(figures.subtotal)}); an invoice cannot go below zero.",
        )
    if figures.total != order.total:
        difference = money_sum([order.total, -figures.total])
        direction = "higher" if difference > 0 else "lower"
        problems.add(
            "order.total",
            f"ESP's order total is {format_money(order.total)}, but the lines ({format_money(figures.subtotal)}) "
            f"less the discount ({format_money(figures.discount)}) plus tax ({format_money(figures.tax)}) "
            f"come to {format_money(figures.total)}: a difference of {format_money(abs(difference))} "
            f"(ESP's total is {direction}). Nothing was adjusted; correct the order in ESP and send it again.",
        )
    if figures.payments > order.total:
        over = money_sum([figures.payments, -order.total])
        problems.add(
            "order.payments",
            f"The payments add up to {format_money(figures.payments)}, which is more than the order total "
            f"{format_money(order.total)} (overpaid by {format_money(over)}). QuickBooks cannot apply more "
            "than the amount due; correct the payments in ESP or record the extra as a credit in QuickBooks.",
        )
