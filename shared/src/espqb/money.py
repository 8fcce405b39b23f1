"""Money as ``Decimal``: parsing at the edge, arithmetic, and the one place where rounding happens.

Two kinds of figure travel through the project:

* **amounts** (line totals, discounts, tax, payments, order totals) carry exactly two places;
* **rates** (unit prices, unit costs, quantities, percentages) may carry up to five, because
  QuickBooks rates do and promotional-product unit prices are often quoted to three places.

Every figure is parsed into a ``Decimal`` by :func:`parse_amount` / :func:`parse_rate`, which never
round: a value with more places than allowed is refused, not adjusted. Rounding happens only in
:func:`quantize_money` (two places, ROUND_HALF_UP, the way a person rounds cents on paper);
:func:`line_amount`, :func:`percent_of` and everything in ``espqb.plan`` go through it.

All arithmetic uses :data:`MONEY_CONTEXT` explicitly, so the result never depends on whatever the
ambient ``decimal`` context of the calling thread happens to be.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)

from espqb.errors import EspqbError

__all__ = [
    "AMOUNT_PLACES",
    "CENT",
    "MAX_AMOUNT",
    "MAX_RATE",
    "MONEY_CONTEXT",
    "RATE_PLACES",
    "ZERO",
    "MoneyError",
    "decimal_places",
    "format_money",
    "line_amount",
    "money_sum",
    "parse_amount",
    "parse_rate",
    "percent_of",
    "quantize_money",
    "to_cents",
]

AMOUNT_PLACES = 2
RATE_PLACES = 5
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Bounds keep every accepted figure within 15 significant digits, which is what an IEEE double
# holds exactly (DBL_DIG = 15): a JSON number that arrives as a Python float is therefore
# recovered exactly from its shortest repr. 9,999,999,999.99 is far above any real order.
MAX_AMOUNT = Decimal("9999999999.99")
MAX_RATE = Decimal("9999999999.99999")

# Precision 60 holds the exact product of any two accepted figures (15 + 15 digits), so the only
# inexact step anywhere is the explicit quantize in `quantize_money`.
MONEY_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow])


class MoneyError(EspqbError, ValueError):
    """A figure that cannot be accepted as money; the message is written for a person (a ValueError,
    so pydantic reports it as a validation error of the field)."""

    slug, title = "money-not-valid", "The figure is not valid money"


def quantize_money(value: Decimal) -> Decimal:
    """Round to cents, half up. The one place in the project where money is rounded."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=MONEY_CONTEXT)


def to_cents(value: Decimal) -> int:
    """Whole cents of an amount that already has at most two places (no rounding here)."""
    if decimal_places(value) > AMOUNT_PLACES:
        raise MoneyError(f"{value} has more than two decimal places; round it with quantize_money first")
    return int(value.scaleb(AMOUNT_PLACES, context=MONEY_CONTEXT))


def decimal_places(value: Decimal) -> int:
    """How many places after the decimal point the value is written with (trailing zeros ignored)."""
    exponent = value.normalize(context=MONEY_CONTEXT).as_tuple().exponent
    assert isinstance(exponent, int)  # finite values only; parse_* refuse NaN and infinity
    return max(0, -exponent)


def money_sum(values: Iterable[Decimal]) -> Decimal:
    """Exact sum of amounts, always written with two places (an empty sum is 0.00)."""
    total = ZERO
    for value in values:
        total = MONEY_CONTEXT.add(total, value)
    if decimal_places(total) > AMOUNT_PLACES:
        raise MoneyError(f"money_sum was given a figure with more than two places (total {total})")
    return total.quantize(CENT, context=MONEY_CONTEXT)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity × unit price, rounded to cents once (e.g. 3 × 0.333 = 0.999 → 1.00)."""
    return quantize_money(MONEY_CONTEXT.multiply(quantity, unit_price))


def percent_of(base: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``base`` rounded to cents (7.5 % of 123.45 = 9.25875 → 9.26)."""
    return quantize_money(MONEY_CONTEXT.divide(MONEY_CONTEXT.multiply(base, percent), Decimal(100)))


def format_money(value: Decimal) -> str:
    """``1234.5`` → ``"1,234.50"``: how figures appear in messages a bookkeeper reads."""
    return f"{quantize_money(value):,.2f}"


def parse_amount(value: object, *, what: str = "amount") -> Decimal:
    """Parse an amount (two places at most), refusing anything that would need rounding."""
    parsed = _parse(value, what=what, places=AMOUNT_PLACES, maximum=MAX_AMOUNT)
    return parsed.quantize(CENT, context=MONEY_CONTEXT)


def parse_rate(value: object, *, what: str = "rate", places: int = RATE_PLACES) -> Decimal:
    """Parse a unit price, unit cost, quantity or percentage (up to ``places`` places)."""
    return _parse(value, what=what, places=places, maximum=MAX_RATE)


def _parse(value: object, *, what: str, places: int, maximum: Decimal) -> Decimal:
    number = _to_decimal(value, what=what)
    if decimal_places(number) > places:
        allowed = "two decimal places" if places == 2 else f"{places} decimal places"
        raise MoneyError(
            f"{what} {value!s} has more than {allowed}; send the exact figure, it is not rounded"
        )
    if abs(number) > maximum:
        raise MoneyError(f"{what} {value!s} is larger than the largest figure accepted ({maximum})")
    # Normalise -0 to 0 so that equal figures compare and print the same.
    return number.copy_abs() if number.is_zero() else number


def _to_decimal(value: object, *, what: str) -> Decimal:
    if isinstance(value, bool):
        raise MoneyError(f"{what} must be a number, not true/false")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise MoneyError(f"{what} must be a finite number")
        # repr() is the shortest text that reads back as the same float; a float whose repr has
        # too many places (0.1 + 0.2 → 0.30000000000000004) is refused by the place check.
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise MoneyError(f"{what} {value!r} is not a number") from None
    else:
        raise MoneyError(f"{what} must be a number or a numeric string")
    if not number.is_finite():
        raise MoneyError(f"{what} must be a finite number")
    return number
