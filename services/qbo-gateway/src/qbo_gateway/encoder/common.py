"""Small shapes every entity uses: addresses, e-mail, phone, dates; and dropping empty fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from espqb.plan.model import Address

__all__ = ["address", "compact", "email", "iso_date", "phone"]


def compact(fields: dict[str, Any]) -> dict[str, Any]:
    """Leave out what has no value: QBO treats a present empty field as "clear it"."""
    return {k: v for k, v in fields.items() if v is not None and v != "" and v != {} and v != []}


def address(value: Address | None) -> dict[str, Any] | None:
    """A ``PhysicalAddress``; ``state`` is QBO's ``CountrySubDivisionCode``."""
    if value is None:
        return None
    out = compact(
        {
            "Line1": value.line1,
            "Line2": value.line2,
            "Line3": value.line3,
            "City": value.city,
            "CountrySubDivisionCode": value.state,
            "PostalCode": value.postal_code,
            "Country": value.country,
        }
    )
    return out or None


def email(value: str | None) -> dict[str, Any] | None:
    return {"Address": value} if value else None


def phone(value: str | None) -> dict[str, Any] | None:
    return {"FreeFormNumber": value} if value else None


def iso_date(value: date) -> str:
    return value.isoformat()
