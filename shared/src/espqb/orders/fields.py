"""Pydantic field types for money and text in the order snapshot and the send choices.

They wrap the parsers in ``espqb.money`` so that a bad figure is reported on its own field with a
sentence a bookkeeper understands, and nothing is ever rounded on the way in.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

from espqb.money import MoneyError, parse_amount, parse_rate

__all__ = [
    "Amount",
    "NonNegativeAmount",
    "NonNegativeRate",
    "Percent",
    "PositiveAmount",
    "Quantity",
    "ShortText",
    "Text",
]


def _parser(parse: Callable[[object], Decimal]) -> Callable[[Any], Decimal]:
    def validate(value: Any) -> Decimal:
        try:
            return parse(value)
        except MoneyError as exc:
            raise PydanticCustomError("money", str(exc)) from None

    return validate


def _at_least_zero(value: Decimal) -> Decimal:
    if value < 0:
        raise PydanticCustomError("negative", "must not be negative (it is {value})", {"value": str(value)})
    return value


def _above_zero(value: Decimal) -> Decimal:
    if value <= 0:
        raise PydanticCustomError(
            "not_positive", "must be more than zero (it is {value})", {"value": str(value)}
        )
    return value


def _percent_range(value: Decimal) -> Decimal:
    if value < 0 or value > 100:
        raise PydanticCustomError(
            "percent_range", "must be a percentage between 0 and 100 (it is {value})", {"value": str(value)}
        )
    return value


# Amounts: two places at most (218.5 and "218.50" are accepted, 218.505 is refused).
Amount = Annotated[Decimal, BeforeValidator(_parser(lambda v: parse_amount(v, what="the amount")))]
NonNegativeAmount = Annotated[Amount, AfterValidator(_at_least_zero)]
PositiveAmount = Annotated[Amount, AfterValidator(_above_zero)]
# Unit prices and costs: up to five places, as QuickBooks rates allow.
NonNegativeRate = Annotated[
    Decimal,
    BeforeValidator(_parser(lambda v: parse_rate(v, what="the price"))),
    AfterValidator(_at_least_zero),
]
Quantity = Annotated[
    Decimal,
    BeforeValidator(_parser(lambda v: parse_rate(v, what="the quantity"))),
    AfterValidator(_at_least_zero),
]
# Exchange rates: home-currency units per unit of the order's currency, up to six places.
ExchangeRate = Annotated[
    Decimal,
    BeforeValidator(_parser(lambda v: parse_rate(v, what="the exchange rate", places=6))),
    AfterValidator(_above_zero),
]
Percent = Annotated[
    Decimal,
    BeforeValidator(_parser(lambda v: parse_rate(v, what="the percentage", places=4))),
    AfterValidator(_percent_range),
]

# Free text: surrounding blanks removed; a generous ceiling so a runaway payload is refused early
# (the plan truncates to each QuickBooks field's own limit later).
# No NUL character (PostgreSQL cannot store it; refused with a 422 before anything is read), said
# in the schema too.
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000, pattern=NO_NUL)]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
]
