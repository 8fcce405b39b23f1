"""Amounts, quantities, percentages, dates and booleans the way qbXML writes them.

Money is ``Decimal`` throughout; rounding to cents happens here and nowhere else
(STYLE.md habit 3). QuickBooks rounds half away from zero.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def dec(value: str | None, default: Decimal = ZERO) -> Decimal:
    """Parse an AMTTYPE/PRICETYPE/QUANTYPE/PERCENTTYPE text (``""``/None → ``default``)."""
    if value is None or value.strip() == "":
        return default
    try:
        return Decimal(value.strip())
    except InvalidOperation as exc:  # the XSD patterns make this unreachable for requests
        raise ValueError(f"not a number: {value!r}") from exc


def dec_or_none(value: object) -> Decimal | None:
    """Like :func:`dec` for an optional element: absent or empty → None."""
    return dec(str(value)) if value not in (None, "") else None


def round_cents(value: Decimal) -> Decimal:
    """Round to cents, half away from zero."""
    magnitude = abs(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return -magnitude if value < 0 else magnitude


def amount(value: Decimal) -> str:
    """AMTTYPE text: always two decimals (``230.00``, ``-11.50``)."""
    rounded = round_cents(value)
    if rounded == 0:
        rounded = ZERO.quantize(CENT)  # never "-0.00"
    return f"{rounded:.2f}"


def price(value: Decimal) -> str:
    """PRICETYPE/PERCENTTYPE text: at least two, at most five decimals (``2.30``, ``7.125``)."""
    quantized = value.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)
    text = f"{quantized:.5f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def quantity(value: Decimal) -> str:
    """QUANTYPE text without trailing zeros (``100``, ``2.5``)."""
    quantized = value.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)
    text = f"{quantized:.5f}".rstrip("0").rstrip(".")
    return text or "0"


def boolean(value: bool) -> str:
    return "true" if value else "false"


def is_true(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() in ("true", "1")


def qb_datetime(moment: datetime) -> str:
    """DATETIMETYPE text. The schema pattern allows ``±HH:MM`` offsets but not ``Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    stamp = moment.replace(microsecond=0).isoformat()
    return stamp


def qb_date(day: date) -> str:
    return day.isoformat()


def parse_qb_datetime(text: str, default_tz: datetime) -> datetime:
    """Parse a DATETIMETYPE filter value; date-only and offset-less values take ``default_tz``'s zone."""
    text = text.strip()
    if len(text) == 10:
        text += "T00:00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_tz.tzinfo or UTC)
    return parsed


def parse_qb_date(text: str) -> date:
    return date.fromisoformat(text.strip())
