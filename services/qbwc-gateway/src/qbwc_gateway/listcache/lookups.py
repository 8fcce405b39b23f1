"""The drop-down lookups for QuickBooks Desktop, answered from the list cache.

The Web Connector only talks to us when it polls, so the dialog cannot ask QuickBooks live: the
answers come from the cache the sessions keep fresh, and say when it was last read.

Tax codes carry their rates as on QuickBooks Online (``sales_rates``/``purchase_rates``, each
``{"id", "name", "percent"}``, and their sums ``sales_percent``/``purchase_percent``), from the
company as the last session read it (``session.edition``): a US file's sales tax items and groups,
a Canadian or UK file's codes with the rates of the tax items they link to.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.api.errors import Conflict
from espqb.db import Database
from espqb.db.models import QbdListEntry
from espqb.db.types import utcnow
from espqb.integration.quickbooks_company import read_quickbooks_company
from espqb.lookups.provider import LookupItem, LookupKind, LookupPage
from espqb.lookups.vocabulary import (
    account_type,
    desktop_account_type,
    item_type,
    party_details,
    present,
    tax_code_type,
)
from espqb.plan.company import QuickBooksCompany, TaxCode, TaxRate

from . import repository
from .records import ITEM_TYPES

LIST_TYPES: dict[LookupKind, tuple[str, ...]] = {
    "customers": ("Customer",),
    "vendors": ("Vendor",),
    "accounts": ("Account",),
    # "Tax code" on Desktop is the sales tax item (or group) that computes the tax, plus the
    # taxable/non-taxable codes (TaxCodeChoice, espqb.orders.choices).
    "tax-codes": ("ItemSalesTax", "ItemSalesTaxGroup", "SalesTaxCode"),
    "items": ITEM_TYPES,
}


class DesktopLookups:
    """``espqb.lookups.provider.LookupProvider`` and ``RecordFinder`` for the qbwc-gateway."""

    async def find(self, db: Database, company_id: str, kind: LookupKind, qb_id: str) -> LookupItem | None:
        """The record as the Web Connector last read it. Lists never read: we cannot tell, so the
        caller is told to let the Web Connector update first (and the next poll reads the lists)."""
        async with db.transaction() as session:
            row = await repository.find_entry(session, company_id, LIST_TYPES[kind], qb_id)
            never_read = row is None and await repository.refreshed_at(session, company_id) is None
            if never_read:
                await repository.request_lists(session, company_id, now=utcnow())
        if never_read:
            raise Conflict(
                "QuickBooks Desktop's lists have not been read yet, so this QuickBooks id cannot be "
                "checked: run the Web Connector (Update Selected), then link again."
            )
        if row is None:
            return None
        return as_lookup_item(kind, row, None)

    async def lookup(
        self,
        db: Database,
        company_id: str,
        kind: LookupKind,
        *,
        q: str | None,
        type_filter: str | None,
        limit: int,
        offset: int,
    ) -> LookupPage:
        async with db.transaction() as session:
            return await self._lookup(
                session, company_id, kind, q=q, type_filter=type_filter, limit=limit, offset=offset
            )

    async def _lookup(
        self,
        session: AsyncSession,
        company_id: str,
        kind: LookupKind,
        *,
        q: str | None,
        type_filter: str | None,
        limit: int,
        offset: int,
    ) -> LookupPage:
        rows = await repository.search(
            session,
            company_id,
            LIST_TYPES[kind],
            q=q,
            subtype=None,
            type_filter=desktop_type_filter(kind, type_filter),
            limit=limit,
            offset=offset,
        )
        company = await read_quickbooks_company(session, company_id) if kind == "tax-codes" else None
        items = [as_lookup_item(kind, row, company) for row in rows]
        refreshed_at = await repository.refreshed_at(session, company_id)
        if refreshed_at is None:
            # Nothing read from QuickBooks yet: ask the next Web Connector poll to read the lists.
            await repository.request_lists(session, company_id, now=utcnow())
        return LookupPage(
            kind=kind,
            items=items,
            source="web_connector_cache",
            refreshed_at=refreshed_at,
            limit=limit,
            offset=offset,
        )


def desktop_type_filter(kind: LookupKind, type_filter: str | None) -> str | None:
    """``?type=`` in Desktop's spelling, whichever product's words the caller used."""
    if not type_filter:
        return None
    if kind == "accounts":
        return desktop_account_type(type_filter)
    if kind == "items" and not type_filter.startswith("Item"):
        return f"Item{type_filter}"
    return type_filter


def as_lookup_item(kind: LookupKind, row: QbdListEntry, company: QuickBooksCompany | None) -> LookupItem:
    """One cached record in the shape both gateways answer (``espqb.lookups.vocabulary``)."""
    data = row.data or {}
    if kind in ("customers", "vendors"):
        kind_type, details = (
            None,
            party_details(data.get("CompanyName"), data.get("Email"), data.get("Phone")),
        )
    elif kind == "accounts":
        kind_type = account_type(row.subtype)
        details = present({"number": data.get("AccountNumber"), "special": data.get("SpecialAccountType")})
    elif kind == "tax-codes":
        kind_type = tax_code_type(row.list_type)
        taxable = data.get("IsTaxable")
        details = {
            **present(
                {
                    "taxable": str(taxable).lower() == "true" if taxable is not None else None,
                    "description": data.get("Desc") or data.get("ItemDesc"),
                    "rate": data.get("TaxRate"),
                }
            ),
            **_rates(company, row.list_id),
        }
    else:
        kind_type = item_type(row.list_type)
        details = present({"sku": data.get("ManufacturerPartNumber"), "description": data.get("ItemDesc")})
    return LookupItem(
        id=row.list_id, name=row.full_name, type=kind_type, active=row.is_active, details=details
    )


def _rate(rate: TaxRate) -> dict[str, str | None]:
    return {"id": rate.id, "name": rate.name, "percent": _text(rate.percent)}


def _text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _rates(company: QuickBooksCompany | None, list_id: str) -> dict[str, object]:
    """The code's rates as the company was last read (nothing for a record that is not a code)."""
    code: TaxCode | None = company.tax_code(list_id) if company is not None else None
    if code is None or code.id != list_id:
        return {}
    return {
        "sales_rates": [_rate(r) for r in code.sales_rates],
        "purchase_rates": [_rate(r) for r in code.purchase_rates],
        "sales_percent": _text(code.sales_percent),
        "purchase_percent": _text(code.purchase_percent),
    }
