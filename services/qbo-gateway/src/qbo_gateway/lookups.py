"""Drop-down lookups for the "Send to QuickBooks" dialog and the settings tabs, from QuickBooks Online.

Customers and vendors by search, accounts by type, tax codes, items: each answer is one page of a QBO
query (``STARTPOSITION``/``MAXRESULTS``, at most 1000, docs/quickbooks-online.md §2.6) with the user's text
quoted and escaped, kept for about a minute per company so a dialog that re-renders does not spend Intuit's
metered read calls (§2.12) again. The sender resolves account and tax-code names through the same
cache (``account_ids``, ``tax_code_ids``), reading the whole list once a minute at most.

Tax codes carry their rates in ``details`` so the settings' tax choices can be made from the company's
own codes (docs/quickbooks-online.md §6.5–§6.6): ``sales_rates`` / ``purchase_rates`` (each
``{"id", "name", "percent"}``, percent as text, "13" meaning 13 %) and their sums ``sales_percent`` /
``purchase_percent``. The rates come from the company as last read (``qbo_gateway.company``); only a
rate it does not know yet has ``SELECT * FROM TaxRate`` asked (cached like the rest).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from espqb.api.errors import ApiError, Conflict, UpstreamUnavailable
from espqb.db import Database
from espqb.integration.quickbooks_company import read_quickbooks_company
from espqb.lookups.provider import LookupItem, LookupKind, LookupPage
from espqb.lookups.vocabulary import (
    account_type,
    item_type,
    online_account_type,
    party_details,
    present,
    tax_code_type,
)
from espqb.plan.company import TaxRate
from qbo_gateway.client import ObjectNotFound, QboClient, QboFault, contains, quote
from qbo_gateway.client.errors import AuthFailed
from qbo_gateway.company.profile import tax_rates
from qbo_gateway.connection.errors import NeedsReauthorization, NotConnected, TokenRefreshUnavailable

__all__ = ["QboLookups"]

DEFAULT_TTL_SECONDS = 60.0
MAX_CACHED_ANSWERS = 2000


@dataclass(frozen=True, slots=True)
class _Kind:
    entity: str
    name_field: str  # searched with LIKE and used for ordering
    type_field: str | None  # what `type=` filters on


_KINDS: dict[str, _Kind] = {
    "customers": _Kind("Customer", "DisplayName", None),
    "vendors": _Kind("Vendor", "DisplayName", None),
    "accounts": _Kind("Account", "Name", "AccountType"),
    "tax-codes": _Kind("TaxCode", "Name", None),
    "items": _Kind("Item", "Name", "Type"),
}


class QueryRejected(ApiError):
    status, slug, title = 400, "quickbooks-query-rejected", "QuickBooks Online refused the search"


def statement(kind: LookupKind, q: str | None, type_filter: str | None) -> str:
    """The QBO query for one lookup, without paging (pure; the tests read it)."""
    spec = _KINDS[kind]
    conditions: list[str] = []
    if type_filter and spec.type_field:
        # Either product's spelling ("CostOfGoodsSold", "ItemService") means the same type here.
        wanted = (
            online_account_type(type_filter) if kind == "accounts" else item_type(type_filter) or type_filter
        )
        conditions.append(f"{spec.type_field} = {quote(wanted)}")
    if q and q.replace("%", "").strip():
        conditions.append(f"{spec.name_field} LIKE {contains(q)}")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    # Entity and field names come from _KINDS; every user value went through quote().
    return f"SELECT * FROM {spec.entity}{where} ORDERBY {spec.name_field}"  # noqa: S608


def _rate_ids(row: dict[str, Any], field: str) -> list[str]:
    details = (row.get(field) or {}).get("TaxRateDetail") if isinstance(row.get(field), dict) else None
    return [
        str((d.get("TaxRateRef") or {}).get("value"))
        for d in details or []
        if isinstance(d, dict) and isinstance(d.get("TaxRateRef"), dict) and d["TaxRateRef"].get("value")
    ]


def _rates(row: dict[str, Any], field: str, rates: dict[str, TaxRate]) -> list[dict[str, str]]:
    out = []
    for rate_id in _rate_ids(row, field):
        rate = rates.get(rate_id)
        if rate is not None:
            out.append({"id": rate_id, "name": rate.name, "percent": _text(rate.percent)})
    return out


def _text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _tax_code_details(row: dict[str, Any], rates: dict[str, TaxRate]) -> dict[str, Any]:
    sales = _rates(row, "SalesTaxRateList", rates)
    purchases = _rates(row, "PurchaseTaxRateList", rates)
    return {
        "taxable": bool(row.get("Taxable")),
        "sales_rates": sales,
        "purchase_rates": purchases,
        "sales_percent": _text(sum((Decimal(r["percent"]) for r in sales), Decimal(0))),
        "purchase_percent": _text(sum((Decimal(r["percent"]) for r in purchases), Decimal(0))),
    }


def as_lookup_item(
    kind: LookupKind, row: dict[str, Any], rates: dict[str, TaxRate] | None = None
) -> LookupItem:
    """One record in the shape both gateways answer (``espqb.lookups.vocabulary``)."""
    active = row.get("Active") is not False
    if kind in ("customers", "vendors"):
        return LookupItem(
            id=str(row.get("Id")),
            name=str(row.get("FullyQualifiedName") or row.get("DisplayName") or ""),
            active=active,
            details=party_details(
                row.get("CompanyName"),
                (row.get("PrimaryEmailAddr") or {}).get("Address"),
                (row.get("PrimaryPhone") or {}).get("FreeFormNumber"),
            ),
        )
    if kind == "accounts":
        return LookupItem(
            id=str(row.get("Id")),
            name=str(row.get("FullyQualifiedName") or row.get("Name") or ""),
            type=account_type(row.get("AccountType")),
            active=active,
            details=present({"number": row.get("AcctNum"), "sub_type": row.get("AccountSubType")}),
        )
    if kind == "tax-codes":
        return LookupItem(
            id=str(row.get("Id")),
            name=str(row.get("Name") or ""),
            type=tax_code_type(None),
            active=active,
            details={
                **present({"description": row.get("Description")}),
                **_tax_code_details(row, rates or {}),
            },
        )
    return LookupItem(
        id=str(row.get("Id")),
        name=str(row.get("FullyQualifiedName") or row.get("Name") or ""),
        type=item_type(row.get("Type")),
        active=active,
        details=present({"sku": row.get("Sku"), "description": row.get("Description")}),
    )


class QboLookups:
    """The qbo-gateway's ``LookupProvider`` (registered with ``build_app(lookups=…)``)."""

    def __init__(
        self,
        client: QboClient,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._wall_clock = wall_clock
        self._pages: OrderedDict[tuple[Any, ...], tuple[float, LookupPage]] = OrderedDict()
        self._names: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}
        self._rate_rows: dict[str, tuple[float, dict[str, TaxRate]]] = {}

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
        key = (company_id, kind, (q or "").strip().casefold(), type_filter or "", limit, offset)
        cached = self._pages.get(key)
        if cached is not None and cached[0] > self._clock():
            self._pages.move_to_end(key)
            return cached[1]
        text = statement(kind, q, type_filter)
        entity = _KINDS[kind].entity
        with _as_api_errors():
            response = await self.client.query(
                company_id, f"{text} STARTPOSITION {offset + 1} MAXRESULTS {limit}"
            )
        rows = response.get(entity) or []
        with _as_api_errors():
            rates = await self._rates_of(db, company_id, rows) if kind == "tax-codes" else None
        page = LookupPage(
            kind=kind,
            items=[as_lookup_item(kind, row, rates) for row in rows],
            source="quickbooks_online",
            refreshed_at=self._wall_clock(),
            limit=limit,
            offset=offset,
        )
        self._pages[key] = (self._clock() + self.ttl_seconds, page)
        while len(self._pages) > MAX_CACHED_ANSWERS:
            self._pages.popitem(last=False)
        return page

    async def find(self, db: Database, company_id: str, kind: LookupKind, qb_id: str) -> LookupItem | None:
        """One record by Id, read from QuickBooks Online now (never from the cache: a link must see what
        QuickBooks has). ``None``: no such record. QBO Ids are digits (docs/quickbooks-online.md §2.1);
        anything else names nothing there."""
        if not qb_id.isdigit():
            return None
        with _as_api_errors():
            try:
                row = await self.client.read(company_id, _KINDS[kind].entity, qb_id)
            except ObjectNotFound:
                return None
            rates = await self._rates_of(db, company_id, [row]) if kind == "tax-codes" else None
        return as_lookup_item(kind, row, rates)

    async def account_ids(self, company_id: str) -> dict[str, str]:
        """Account name and full name (case-folded) → Id, for accounts the settings name without an Id."""
        return await self._name_index(company_id, "Account", ("Name", "FullyQualifiedName"))

    async def tax_code_ids(self, company_id: str) -> dict[str, str]:
        return await self._name_index(company_id, "TaxCode", ("Name",))

    async def _rates_of(
        self, db: Database, company_id: str, rows: list[dict[str, Any]]
    ) -> dict[str, TaxRate]:
        """The rates the tax codes of ``rows`` name: from the company as last read, else from QBO."""
        wanted = {
            rate_id
            for row in rows
            for f in ("SalesTaxRateList", "PurchaseTaxRateList")
            for rate_id in _rate_ids(row, f)
        }
        if not wanted:
            return {}
        company = None
        if db is not None:  # the stored company; a caller without a database asks QBO for the rates
            async with db.sessions() as session:
                company = await read_quickbooks_company(session, company_id)
        known: dict[str, TaxRate] = {}
        for code in company.tax_codes if company is not None else ():
            for rate in (*code.sales_rates, *code.purchase_rates):
                if rate.id:
                    known[rate.id] = rate
        if wanted - set(known):
            cached = self._rate_rows.get(company_id)
            if cached is None or cached[0] <= self._clock():
                rows_read = await self.client.query_all(company_id, "TaxRate", "SELECT * FROM TaxRate")
                cached = (self._clock() + self.ttl_seconds, tax_rates(rows_read))
                self._rate_rows[company_id] = cached
            known.update(cached[1])
        return known

    def forget(self, company_id: str) -> None:
        """Drop what is cached for a company (e.g. after it connected another QuickBooks company)."""
        for key in [k for k in self._pages if k[0] == company_id]:
            del self._pages[key]
        for name_key in [k for k in self._names if k[0] == company_id]:
            del self._names[name_key]
        self._rate_rows.pop(company_id, None)

    async def _name_index(self, company_id: str, entity: str, fields: tuple[str, ...]) -> dict[str, str]:
        cached = self._names.get((company_id, entity))
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        rows = await self.client.query_all(company_id, entity, f"SELECT * FROM {entity}")  # noqa: S608
        found: dict[str, str] = {}
        for row in rows:
            for field in fields:
                if row.get(field):
                    found.setdefault(str(row[field]).casefold(), str(row["Id"]))
        self._names[(company_id, entity)] = (self._clock() + self.ttl_seconds, found)
        return found


@contextmanager
def _as_api_errors() -> Iterator[None]:
    """Turn what the client raises into the JSON API's problem answers."""
    try:
        yield
    except (NeedsReauthorization, AuthFailed) as error:
        raise Conflict(
            "QuickBooks Online needs to be reconnected before its lists can be read: "
            "Admin → Integrations → QuickBooks Online → Reconnect."
        ) from error
    except NotConnected as error:
        raise Conflict("QuickBooks Online is not connected for this company yet.") from error
    except TokenRefreshUnavailable as error:
        raise UpstreamUnavailable(error.message) from error
    except QboFault as error:
        if error.retryable:
            raise UpstreamUnavailable(error.plain) from error
        raise QueryRejected(error.plain) from error
