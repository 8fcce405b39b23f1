"""The QuickBooks company a Web Connector session talks to, as ``espqb.plan.QuickBooksCompany``.

Two sources (docs/web-connector.md §3.10-§3.13):

* the session's first ``sendRequestXML``: ``HostRet/Country`` (``US``, ``CA``, ``UK``), cross-checked
  with the call's ``qbXMLCountry``; the company's name; ``PreferencesRet``: whether sales tax is on,
  its default sales tax item and taxable/non-taxable codes, whether multi-currency is on and the
  home currency (``HomeCurrencyRef``, by name). Kept in the session state as :class:`FileFacts`;
* the list cache: the reference lists a document's details name (terms with their ``StdDueDays``,
  classes, ship methods, sales reps by their initials with the person each stands for, customer
  messages; §3.17), and whether class tracking is on (``AccountingPreferences/IsUsingClassTracking``);
  in a US file the sales tax items and groups (``TaxRate``; a group's items), which is
  what ``ItemSalesTaxRef`` names; in a Canadian or UK file the sales tax codes with the rates of the
  sales and purchase tax items they link to (``ItemSalesTaxRef``/``ItemPurchaseTaxRef``); the
  currency list (``Name`` ↔ ``CurrencyCode``) when multi-currency is on.

:func:`company_of` is pure; :func:`read_company` reads the cache for it. The session plans with the
company as it read it and stores it with the integration once its lists are read
(``espqb.integration.quickbooks_company``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import QbdListEntry
from espqb.plan.company import ListEntry, QuickBooksCompany, TaxCode, TaxRate, normalise_country

from ..responses import HcpInfo

log = structlog.get_logger(__name__)

# The list types the company is built from.
TAX_ITEM_TYPES = ("ItemSalesTax", "ItemSalesTaxGroup")
# The reference lists of QuickBooksCompany (terms, classes, ship_methods, sales_reps, customer_messages).
REFERENCE_LIST_TYPES: dict[str, tuple[str, ...]] = {
    "terms": ("StandardTerms", "DateDrivenTerms"),
    "classes": ("Class",),
    "ship_methods": ("ShipMethod",),
    "sales_reps": ("SalesRep",),
    "customer_messages": ("CustomerMsg",),
}
COMPANY_LIST_TYPES = (
    *TAX_ITEM_TYPES,
    "SalesTaxCode",
    "Currency",
    *(t for types in REFERENCE_LIST_TYPES.values() for t in types),
)
# QuickBooks' names of the common currencies, for a file whose currency list is not read (it exists only
# with multi-currency on, docs/web-connector.md §3.13) and the country's currency when nothing says.
CURRENCY_CODES = {
    "us dollar": "USD",
    "canadian dollar": "CAD",
    "british pound sterling": "GBP",
    "euro": "EUR",
    "australian dollar": "AUD",
}
COUNTRY_CURRENCY = {"US": "USD", "CA": "CAD", "GB": "GBP", "AU": "AUD"}


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What the session's first call said about the company file (JSON in the session state)."""

    name: str | None
    country: str  # ISO alpha-2 ("GB" for HostRet's "UK")
    host_country: str | None  # HostRet/Country as sent
    qbxml_country: str | None  # sendRequestXML's qbXMLCountry as sent
    sales_tax_on: bool
    default_sales_tax_item: str | None
    taxable_code: str | None
    non_taxable_code: str | None
    multi_currency_on: bool
    home_currency_name: str | None
    class_tracking_on: bool = False

    @property
    def countries_disagree(self) -> bool:
        host, web_connector = self.host_country, self.qbxml_country
        return bool(host and web_connector) and normalise_country(host) != normalise_country(web_connector)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileFacts:
        return cls(
            name=data.get("name"),
            country=str(data.get("country") or "US"),
            host_country=data.get("host_country"),
            qbxml_country=data.get("qbxml_country"),
            sales_tax_on=bool(data.get("sales_tax_on")),
            default_sales_tax_item=data.get("default_sales_tax_item"),
            taxable_code=data.get("taxable_code"),
            non_taxable_code=data.get("non_taxable_code"),
            multi_currency_on=bool(data.get("multi_currency_on")),
            home_currency_name=data.get("home_currency_name"),
            class_tracking_on=bool(data.get("class_tracking_on")),
        )


def file_facts(hcp: HcpInfo, qbxml_country: str | None) -> FileFacts:
    """HostRet's country first (docs/web-connector.md §3.10: use it, keep ``qbXMLCountry`` as a cross-check)."""
    host = (hcp.host.country or "").strip() or None
    sent = (qbxml_country or "").strip() or None
    prefs = hcp.preferences
    facts = FileFacts(
        name=hcp.company.company_name,
        country=normalise_country(host or sent),
        host_country=host,
        qbxml_country=sent,
        sales_tax_on=prefs.sales_tax_on,
        default_sales_tax_item=prefs.default_sales_tax_item,
        taxable_code=prefs.taxable_code,
        non_taxable_code=prefs.non_taxable_code,
        multi_currency_on=prefs.multi_currency_on,
        home_currency_name=prefs.home_currency,
        class_tracking_on=prefs.class_tracking,
    )
    if facts.countries_disagree:
        log.warning("company file country differs from the web connector's", host=host, qbxml_country=sent)
    return facts


class ListRecord(Protocol):
    """A cached list record (``QbdListEntry`` or ``listcache.CachedEntry``)."""

    @property
    def list_type(self) -> str: ...
    @property
    def list_id(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def data(self) -> Any: ...


def _percent(text: object) -> Decimal | None:
    try:
        return Decimal(str(text)) if text not in (None, "") else None
    except InvalidOperation:
        return None


class _TaxItems:
    """The sales tax items by ListID and by folded name, with their rates."""

    def __init__(self, records: Iterable[ListRecord]) -> None:
        self.by_id: dict[str, ListRecord] = {}
        self.by_name: dict[str, ListRecord] = {}
        for record in records:
            self.by_id[record.list_id] = record
            self.by_name[record.full_name.casefold()] = record

    def find(self, ref: object) -> ListRecord | None:
        if not isinstance(ref, Mapping):
            return None
        found = self.by_id.get(str(ref.get("ListID") or ""))
        if found is None and ref.get("FullName"):
            found = self.by_name.get(str(ref["FullName"]).casefold())
        return found

    def rate(self, ref: object) -> TaxRate | None:
        """The item's rate; None when the item or its rate is not known."""
        item = self.find(ref)
        percent = _percent((item.data or {}).get("TaxRate")) if item is not None else None
        if item is None or percent is None:
            return None
        return TaxRate(id=item.list_id, name=item.full_name, percent=percent)


def _data(record: ListRecord) -> Mapping[str, Any]:
    data = record.data
    return data if isinstance(data, Mapping) else {}


def _us_tax_codes(items: Sequence[ListRecord], known: _TaxItems) -> tuple[TaxCode, ...]:
    """US: what ``ItemSalesTaxRef`` names – sales tax items and groups, with the rates they add."""
    codes: list[TaxCode] = []
    for record in items:
        data = _data(record)
        if record.list_type == "ItemSalesTax":
            rate = known.rate({"ListID": record.list_id})
            rates: tuple[TaxRate, ...] = (rate,) if rate is not None else ()
        else:
            members = data.get("ItemSalesTaxRef") or []
            found = [known.rate(member) for member in members]
            # A group whose items are not all known has no known rate: QuickBooks computes it.
            rates = tuple(r for r in found if r is not None) if found and None not in found else ()
        codes.append(
            TaxCode(
                id=record.list_id,
                name=record.full_name,
                description=data.get("ItemDesc"),
                taxable=True,
                sales_rates=rates,
            )
        )
    return tuple(codes)


def _coded_tax_codes(codes: Sequence[ListRecord], known: _TaxItems) -> tuple[TaxCode, ...]:
    """Canada/UK: each sales tax code with its sales and purchase tax items' rates (§3.12)."""
    out: list[TaxCode] = []
    for record in codes:
        data = _data(record)
        sales, purchase = known.rate(data.get("ItemSalesTaxRef")), known.rate(data.get("ItemPurchaseTaxRef"))
        out.append(
            TaxCode(
                id=record.list_id,
                name=record.full_name,
                description=data.get("Desc"),
                taxable=str(data.get("IsTaxable", "true")).lower() == "true",
                sales_rates=(sales,) if sales is not None else (),
                purchase_rates=(purchase,) if purchase is not None else (),
            )
        )
    return tuple(out)


def _currency_code(name: str | None, names: Mapping[str, str]) -> str | None:
    if not name:
        return None
    folded = name.casefold()
    for code, listed in names.items():
        if listed.casefold() == folded:
            return code
    return CURRENCY_CODES.get(folded)


def _days(text: object) -> int | None:
    try:
        return int(str(text)) if text not in (None, "") else None
    except ValueError:
        return None


def _list_entry(record: ListRecord) -> ListEntry:
    """A reference-list record as the plan knows it: a sales rep by its initials (``name``), with the
    name of the person it stands for (``description``); terms with their ``StdDueDays``."""
    data = _data(record)
    person = data.get("SalesRepEntityRef")
    return ListEntry(
        id=record.list_id,
        name=record.full_name,
        description=str(person["FullName"])
        if isinstance(person, Mapping) and person.get("FullName")
        else None,
        due_days=_days(data.get("StdDueDays")) if record.list_type == "StandardTerms" else None,
    )


def _reference_lists(active: Sequence[ListRecord]) -> dict[str, tuple[ListEntry, ...]]:
    return {
        field: tuple(
            sorted(
                (_list_entry(r) for r in active if r.list_type in types),
                key=lambda entry: entry.name.casefold(),
            )
        )
        for field, types in REFERENCE_LIST_TYPES.items()
    }


def company_of(facts: FileFacts, records: Iterable[ListRecord], *, read_at: datetime) -> QuickBooksCompany:
    """The company from the session's facts and the cached lists (pure)."""
    active = [r for r in records if r.is_active]
    tax_items = [r for r in active if r.list_type in TAX_ITEM_TYPES]
    known = _TaxItems(r for r in tax_items if r.list_type == "ItemSalesTax")
    if facts.country == "US":
        tax_codes = _us_tax_codes(tax_items, known)
    else:
        tax_codes = _coded_tax_codes([r for r in active if r.list_type == "SalesTaxCode"], known)
    names: dict[str, str] = {}
    for record in active:
        code = str(_data(record).get("CurrencyCode") or "").upper()
        if record.list_type == "Currency" and code:
            names[code] = record.full_name
    home = _currency_code(facts.home_currency_name, names) or COUNTRY_CURRENCY.get(facts.country) or "USD"
    others = tuple(sorted(code for code in names if code != home)) if facts.multi_currency_on else ()
    return QuickBooksCompany(
        product="qbd",
        name=facts.name,
        country=facts.country,
        home_currency=home,
        multi_currency=facts.multi_currency_on,
        currencies=others,
        currency_names=names if facts.multi_currency_on else {},
        uses_sales_tax=facts.sales_tax_on,
        tax_codes=tuple(sorted(tax_codes, key=lambda c: c.name.casefold())) if facts.sales_tax_on else (),
        default_taxable_code=facts.taxable_code,
        default_non_taxable_code=facts.non_taxable_code,
        default_sales_tax_item=facts.default_sales_tax_item,
        lists_read=True,
        # Desktop's class tracking puts one class on the document (a bill's on each line, §3.17).
        class_tracking="per_transaction" if facts.class_tracking_on else "off",
        **_reference_lists(active),
        read_at=read_at,
    )


async def read_company(
    session: AsyncSession, company_id: str, facts: FileFacts, *, read_at: datetime
) -> QuickBooksCompany:
    """The company from ``facts`` and what the list cache holds now."""
    rows = (
        await session.scalars(
            select(QbdListEntry).where(
                QbdListEntry.company_id == company_id, QbdListEntry.list_type.in_(COMPANY_LIST_TYPES)
            )
        )
    ).all()
    return company_of(facts, rows, read_at=read_at)
