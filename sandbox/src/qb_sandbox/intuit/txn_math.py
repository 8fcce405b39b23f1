"""The arithmetic QBO does on a sales or purchase transaction, as pure functions over Decimal.

Rounding happens here and only here: half-up to the cent, as QuickBooks shows money.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def to_decimal(value: Any) -> Decimal:
    """A JSON number (or numeric string, which Intuit also accepts) as Decimal; ValueError otherwise."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a number: {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(base: Decimal, percent: Decimal) -> Decimal:
    """``percent`` is given as 8.5 for 8.5% (Finance.xsd ``DiscountPercent``)."""
    return cents(base * percent / HUNDRED)


@dataclass(frozen=True, slots=True)
class SalesTotals:
    subtotal: Decimal
    discount: Decimal
    taxable_base: Decimal
    tax_by_rate: tuple[Decimal, ...]  # one amount per rate of the transaction tax code
    tax: Decimal
    total: Decimal


def taxable_base(
    taxable_subtotal: Decimal, subtotal: Decimal, discount: Decimal, *, apply_tax_after_discount: bool
) -> Decimal:
    """Finance.xsd ``ApplyTaxAfterDiscount``: when true the discount is subtracted before tax.

    The discount is a transaction-level amount; it reduces the taxable part of the subtotal in
    proportion to that part's share of the subtotal.
    """
    if not apply_tax_after_discount or subtotal == ZERO or discount == ZERO:
        return taxable_subtotal
    return cents(taxable_subtotal - discount * taxable_subtotal / subtotal)


def sales_totals(
    *,
    line_amounts: Iterable[Decimal],
    taxable_amounts: Iterable[Decimal],
    discount: Decimal,
    tax_rates: Sequence[Decimal],
    tax_override: Decimal | None,
    apply_tax_after_discount: bool,
) -> SalesTotals:
    """Totals of an invoice: TotalAmt = Σ sales lines − discount + tax.

    ``tax_override`` is ``TxnTaxDetail.TotalTax`` as sent by the client; it is honoured as is
    (docs/quickbooks-online.md §2.4: overriding tax means giving ``TxnTaxCodeRef`` and ``TotalTax``).
    Otherwise each rate of the transaction tax code (percentages, 8.25 for 8.25%) is applied to the taxable
    base and rounded on its own, as QBO shows one tax line per rate; no tax code means no tax.
    """
    subtotal = cents(sum(line_amounts, ZERO))
    taxable_subtotal = cents(sum(taxable_amounts, ZERO))
    discount = cents(discount)
    base = taxable_base(
        taxable_subtotal, subtotal, discount, apply_tax_after_discount=apply_tax_after_discount
    )
    by_rate = tuple(percent_of(base, rate) for rate in tax_rates)
    tax = cents(tax_override) if tax_override is not None else sum(by_rate, ZERO)
    return SalesTotals(subtotal, discount, base, by_rate, tax, cents(subtotal - discount + tax))


def line_amount_matches(amount: Decimal, qty: Decimal, unit_price: Decimal) -> bool:
    """QBO error 6070: a line's Amount must equal Qty × UnitPrice (to the cent)."""
    return cents(amount) == cents(qty * unit_price)


def json_number(value: Decimal) -> int | float:
    """Decimal → JSON number the way Intuit prints money: 230.0, 2.3, 218.5, 100."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:  # written without a fraction: 100, not 100.0
        return int(value)
    return float(value)


def jsonable(value: Any) -> Any:
    """A stored body with Decimals, ready for ``json.dumps``."""
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value
