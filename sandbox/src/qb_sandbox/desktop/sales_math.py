"""How QuickBooks Desktop computes an invoice: line amounts, subtotal, discount, sales tax.

Pure functions over :class:`SalesLine` values (docs/web-connector.md §3.5):

* a line for an ordinary item is ``Quantity × Rate`` unless an ``Amount`` is given;
* a **Subtotal** item line sums the lines above it, back to the previous subtotal line;
* a **Discount** item line applies to the line *directly above it* (usually a subtotal): a
  percentage of that line's amount, or a fixed amount – always entered as a reduction;
* a percentage **Other Charge** line is likewise a percentage of the line above;
* a **Sales Tax** item used as a line charges its rate on the taxable lines above it;
* the header ``ItemSalesTaxRef`` charges its rate on every taxable line, provided the
  customer's tax code is taxable; discount lines with a taxable code reduce that base.

Amounts are rounded to cents per line, as QuickBooks shows them. This is the US edition's
tax; Canadian and UK files tax by the lines' codes instead (:mod:`.coded_tax`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .qb_values import HUNDRED, ZERO, round_cents

SUBTOTAL = "ItemSubtotal"
DISCOUNT = "ItemDiscount"
SALES_TAX = "ItemSalesTax"
OTHER_CHARGE = "ItemOtherCharge"


@dataclass(frozen=True)
class SalesLine:
    item_kind: str | None  # None: a description-only line
    quantity: Decimal | None = None
    rate: Decimal | None = None
    rate_percent: Decimal | None = None
    amount: Decimal | None = None  # an explicit amount wins for ordinary lines
    taxable: bool = False


@dataclass(frozen=True)
class SalesTotals:
    line_amounts: tuple[Decimal, ...]
    subtotal: Decimal
    taxable_base: Decimal
    sales_tax: Decimal
    discount_total: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.sales_tax


def line_amounts(lines: list[SalesLine]) -> list[Decimal]:
    amounts: list[Decimal] = []
    section_start = 0  # first line after the previous subtotal line
    for index, line in enumerate(lines):
        above = amounts[index - 1] if index > 0 else ZERO
        if line.item_kind == SUBTOTAL:
            value = sum(
                (
                    a
                    for a, ln in zip(amounts[section_start:index], lines[section_start:index], strict=True)
                    if ln.item_kind != SUBTOTAL
                ),
                ZERO,
            )
            section_start = index + 1
        elif line.item_kind == DISCOUNT:
            value = _discount(line, above)
        elif line.item_kind == SALES_TAX:
            value = (
                round_cents(line.amount)
                if line.amount is not None and line.rate_percent is None
                else round_cents(
                    _taxable_above(lines[:index], amounts) * (line.rate_percent or ZERO) / HUNDRED
                )
            )
        elif line.rate_percent is not None:
            value = round_cents(above * line.rate_percent / HUNDRED)
        elif line.amount is not None:
            value = round_cents(line.amount)
        elif line.rate is not None:
            value = round_cents((line.quantity if line.quantity is not None else Decimal(1)) * line.rate)
        else:
            value = ZERO
        amounts.append(value)
    return amounts


def _discount(line: SalesLine, above: Decimal) -> Decimal:
    if line.rate_percent is not None:
        return -round_cents(abs(above * line.rate_percent / HUNDRED))
    if line.amount is not None:
        return -round_cents(abs(line.amount))
    if line.rate is not None:
        return -round_cents(abs(line.rate))
    return ZERO


def _taxable_above(lines: list[SalesLine], amounts: list[Decimal]) -> Decimal:
    return sum(
        (
            a
            for a, ln in zip(amounts, lines, strict=False)
            if ln.taxable and ln.item_kind not in (SUBTOTAL, SALES_TAX)
        ),
        ZERO,
    )


def sales_totals(
    lines: list[SalesLine], tax_rate_percent: Decimal | None, customer_taxable: bool
) -> SalesTotals:
    amounts = line_amounts(lines)
    subtotal = sum((a for a, ln in zip(amounts, lines, strict=True) if ln.item_kind != SUBTOTAL), ZERO)
    discount_total = sum((a for a, ln in zip(amounts, lines, strict=True) if ln.item_kind == DISCOUNT), ZERO)
    taxable_base = _taxable_above(lines, amounts) if customer_taxable else ZERO
    tax = round_cents(taxable_base * tax_rate_percent / HUNDRED) if tax_rate_percent is not None else ZERO
    return SalesTotals(tuple(amounts), subtotal, taxable_base, tax, discount_total)
