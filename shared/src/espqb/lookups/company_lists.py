"""Lookups of the reference lists kept with the QuickBooks company — terms, classes, locations, ship
methods, sales reps, customer messages — answered the same way for both products.

Each gateway reads these lists with the company (``espqb.plan.company.QuickBooksCompany``: QuickBooks
Online at connect time, daily and on a webhook; Desktop at every Web Connector session), so they are
answered from the database without calling QuickBooks. A list the product does not keep (QuickBooks
Online has no ship-method, sales-rep or customer-message list; Desktop has no locations) answers no
entries.
"""

from __future__ import annotations

from espqb.lookups.provider import LookupItem, LookupKind, LookupPage
from espqb.plan.company import ListEntry, ListKind, QuickBooksCompany

__all__ = ["COMPANY_LIST_KINDS", "company_list_page"]

COMPANY_LIST_KINDS: dict[str, ListKind] = {
    "terms": "terms",
    "classes": "class",
    "locations": "location",
    "ship-methods": "ship_method",
    "sales-reps": "sales_rep",
    "customer-messages": "customer_message",
}


def _item(entry: ListEntry) -> LookupItem:
    details: dict[str, object] = {}
    if entry.due_days is not None:
        details["due_days"] = entry.due_days
    if entry.description is not None:
        details["description"] = entry.description
    return LookupItem(id=entry.id or entry.name, name=entry.name, type=None, details=details)


def company_list_page(
    company: QuickBooksCompany | None, kind: LookupKind, *, q: str | None, limit: int, offset: int
) -> LookupPage:
    entries = company.list_entries(COMPANY_LIST_KINDS[kind]) if company is not None else ()
    if q and q.strip():
        folded = q.strip().casefold()
        entries = tuple(
            e
            for e in entries
            if folded in e.name.casefold()
            or (e.description is not None and folded in e.description.casefold())
        )
    ordered = sorted(entries, key=lambda e: e.name.casefold())
    return LookupPage(
        kind=kind,
        items=[_item(e) for e in ordered[offset : offset + limit]],
        source="company_lists",
        refreshed_at=company.read_at if company is not None else None,
        limit=limit,
        offset=offset,
    )
