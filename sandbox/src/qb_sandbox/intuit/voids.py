"""Voiding a transaction, as QuickBooks Online does it.

A void is not a delete: the transaction stays (it can still be read, and its number stays taken),
but every amount becomes zero and its private note says "Voided"; what applied to it comes off it.
On the wire: ``POST /invoice?operation=void`` with ``Id`` and ``SyncToken``; a payment is voided by
an update with ``include=void``; in a batch, an ``update`` item with ``optionsData`` "void". The change notice says ``Void`` (docs/quickbooks-online.md §2.13).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import faults
from .txn_rules import PAYMENT, detach_payments, refresh_invoice

if TYPE_CHECKING:
    from .books import Record
    from .company import Company

__all__ = ["VOIDABLE", "VOIDED_NOTE", "is_voided", "void"]

VOIDABLE = frozenset({"Invoice", "Payment"})
VOIDED_NOTE = "Voided"
ZERO = Decimal("0.00")


def is_voided(entity: dict[str, Any]) -> bool:
    return entity.get("PrivateNote") == VOIDED_NOTE


def _zeroed_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    zeroed = []
    for line in lines:
        line = {**line, "Amount": ZERO}
        detail = line.get("SalesItemLineDetail")
        if isinstance(detail, dict) and "Qty" in detail:
            line["SalesItemLineDetail"] = {**detail, "Qty": ZERO}
        zeroed.append(line)
    return zeroed


def void(company: Company, kind: str, record: Record) -> None:
    """Void ``record`` (already checked to be current: its Id and SyncToken matched)."""
    if kind not in VOIDABLE:
        raise faults.unsupported_operation(f"Void for {kind}")
    if record.body.get("PrivateNote") == VOIDED_NOTE:
        return  # voiding twice changes nothing
    previous = record.body
    body = dict(previous)
    body["PrivateNote"] = VOIDED_NOTE
    body["TotalAmt"] = ZERO
    if kind == "Invoice":
        body["Line"] = _zeroed_lines(list(body.get("Line") or []))
        body["Balance"] = ZERO
        if isinstance(body.get("TxnTaxDetail"), dict):
            body["TxnTaxDetail"] = {**body["TxnTaxDetail"], "TotalTax": ZERO}
        company.books.save(record, body)
        detach_payments(company, record.id)
        refresh_invoice(company, record.id)
        return
    body["Line"] = []
    body["UnappliedAmt"] = ZERO
    company.books.save(record, body)
    PAYMENT.after_write(company, record, previous)  # the invoices it paid are open again
