"""What the demo reads back from QuickBooks, in one shape for both products.

QuickBooks Online (the sandbox's JSON entities) and QuickBooks Desktop (the company file's ``…Ret``
records) are read into these records by ``books_qbo`` and ``books_qbd``; the tables and the checks only
know these. Amounts are ``Decimal`` exactly as QuickBooks holds them (never rounded here, so a stray
third decimal shows up as a difference). A discount is negative, as it reduces the invoice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeVar

__all__ = [
    "AppliedPayment",
    "Books",
    "DocLine",
    "Invoice",
    "Item",
    "LineRole",
    "Party",
    "Payment",
    "Purchase",
    "by_id",
    "exact",
    "total_of",
]

LineRole = Literal["item", "subtotal", "discount", "tax"]


def exact(value: object) -> Decimal:
    """A figure as QuickBooks gave it (JSON number or qbXML text), without rounding."""
    return Decimal(str(value))


def total_of(values: Iterable[Decimal]) -> Decimal:
    """An exact sum (no rounding: what QuickBooks holds is what is compared)."""
    return sum(values, Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class DocLine:
    role: LineRole
    item: str
    description: str
    quantity: Decimal | None
    rate: Decimal | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Invoice:
    qb_id: str
    number: str
    customer: str
    lines: tuple[DocLine, ...]
    computed_tax: Decimal  # QuickBooks' own sales tax (QBO TotalTax, Desktop SalesTaxTotal)
    total: Decimal
    balance: Decimal
    # What a bookkeeper reads besides the lines, as QuickBooks holds it: ("Customer PO", "PO-88231")...
    details: tuple[tuple[str, str], ...] = ()

    def _sum(self, role: LineRole) -> Decimal:
        return total_of(line.amount for line in self.lines if line.role == role)

    @property
    def subtotal(self) -> Decimal:
        """Products and charges, before the discount."""
        return self._sum("item")

    @property
    def discount(self) -> Decimal:
        return self._sum("discount")

    @property
    def tax(self) -> Decimal:
        """Tax on a line of its own ("Add Total Tax as an Item") plus any tax QuickBooks computed."""
        return total_of([self._sum("tax"), self.computed_tax])


@dataclass(frozen=True, slots=True)
class AppliedPayment:
    invoice_id: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Payment:
    qb_id: str
    customer: str
    reference: str
    amount: Decimal
    applied: tuple[AppliedPayment, ...]

    def applied_to(self, invoice_id: str) -> Decimal:
        return total_of(a.amount for a in self.applied if a.invoice_id == invoice_id)


@dataclass(frozen=True, slots=True)
class Purchase:
    """A bill or a purchase order."""

    qb_id: str
    number: str
    vendor: str
    lines: tuple[DocLine, ...]
    total: Decimal
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Party:
    qb_id: str
    name: str
    balance: Decimal | None


@dataclass(frozen=True, slots=True)
class Item:
    qb_id: str
    name: str
    kind: str
    description: str


@dataclass(frozen=True, slots=True)
class Books:
    product: str  # "QuickBooks Online" / "QuickBooks Desktop"
    company: str
    customers: tuple[Party, ...]
    vendors: tuple[Party, ...]
    items: tuple[Item, ...]
    invoices: tuple[Invoice, ...]
    payments: tuple[Payment, ...]
    bills: tuple[Purchase, ...]
    purchase_orders: tuple[Purchase, ...]


_Doc = TypeVar("_Doc", Invoice, Payment, Purchase)


def by_id(documents: tuple[_Doc, ...], qb_id: str | None) -> _Doc | None:
    return next((d for d in documents if d.qb_id == qb_id), None) if qb_id else None


def address_text(address: object, *keys: str) -> str:
    """An address record as one line: its non-empty parts, in ``keys`` order."""
    if not isinstance(address, dict):
        return ""
    return ", ".join(str(address[k]) for k in keys if address.get(k))


def names_of(names: Iterable[str]) -> str:
    """The distinct names given (a class on each of a document's lines), sorted, comma-separated."""
    return ", ".join(sorted({name for name in names if name}))


def details_of(pairs: Iterable[tuple[str, object]]) -> tuple[tuple[str, str], ...]:
    """The details that are there, as text."""
    return tuple((label, str(value)) for label, value in pairs if value not in (None, "", {}))
