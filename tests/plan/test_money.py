"""Money parsing refuses anything that would need silent rounding; rounding is half up, to cents."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest

from espqb.money import (
    MoneyError,
    line_amount,
    money_sum,
    parse_amount,
    parse_rate,
    percent_of,
    quantize_money,
    to_cents,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("218.50", "218.50"),
        (218.5, "218.50"),  # a JSON number arrives as a float; its shortest repr is exact
        (100, "100.00"),
        (Decimal("0.1"), "0.10"),
        (0.1, "0.10"),
        (" 12.00 ", "12.00"),
        ("-0.00", "0.00"),
    ],
)
def test_amounts_are_parsed_exactly_with_two_places(value: object, expected: str) -> None:
    parsed = parse_amount(value)
    assert parsed == Decimal(expected)
    assert str(parsed) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("218.505", "more than two decimal places"),
        (0.1 + 0.2, "more than two decimal places"),  # 0.30000000000000004 does not round-trip to cents
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        ("Infinity", "finite"),
        ("12,50", "not a number"),
        ("abc", "not a number"),
        (True, "not true/false"),
        (None, "number or a numeric string"),
        ("10000000000.00", "larger than"),
    ],
)
def test_amounts_that_would_need_rounding_or_are_not_numbers_are_refused(
    value: object, fragment: str
) -> None:
    with pytest.raises(MoneyError, match=fragment):
        parse_amount(value)


def test_rates_take_up_to_five_places_and_no_more() -> None:
    assert parse_rate("2.30125") == Decimal("2.30125")
    assert parse_rate(0.333) == Decimal("0.333")
    with pytest.raises(MoneyError, match="more than 5 decimal places"):
        parse_rate("2.301251")


@pytest.mark.parametrize(
    ("quantity", "price", "expected"),
    [
        ("100", "2.30", "230.00"),
        ("3", "0.333", "1.00"),  # 0.999
        ("5", "1.605", "8.03"),  # 8.025: half up, not to even (8.02)
        ("7", "0.125", "0.88"),  # 0.875
        ("250", "0.00999", "2.50"),  # 2.4975
        ("1.5", "0.01", "0.02"),  # 0.015
        ("0", "9.99", "0.00"),
        ("12", "0", "0.00"),
    ],
)
def test_line_amount_rounds_once_half_up(quantity: str, price: str, expected: str) -> None:
    assert line_amount(Decimal(quantity), Decimal(price)) == Decimal(expected)


@pytest.mark.parametrize(
    ("base", "percent", "expected"),
    [
        ("230.00", "5", "11.50"),
        ("123.45", "7.5", "9.26"),  # 9.25875
        ("137.93", "7.25", "10.00"),  # 9.999925
        ("0.10", "5", "0.01"),  # 0.005 rounds up
        ("99.99", "33.3333", "33.33"),
    ],
)
def test_percent_of_rounds_half_up(base: str, percent: str, expected: str) -> None:
    assert percent_of(Decimal(base), Decimal(percent)) == Decimal(expected)


def test_rounding_does_not_depend_on_the_callers_decimal_context() -> None:
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_HALF_EVEN
        assert line_amount(Decimal("12345"), Decimal("1.005")) == Decimal("12406.73")
        assert quantize_money(Decimal("0.125")) == Decimal("0.13")
        assert money_sum([Decimal("99999.99"), Decimal("0.01")]) == Decimal("100000.00")


def test_cents_and_sums() -> None:
    assert to_cents(Decimal("218.50")) == 21850
    assert money_sum([]) == Decimal("0.00")
    assert str(money_sum([Decimal("0.10"), Decimal("0.20")])) == "0.30"
    with pytest.raises(MoneyError):
        to_cents(Decimal("1.005"))
