"""Which QuickBooks lists the cache keeps, and the queries that read them (pure).

Big lists are read with iterators, about 100 records a page (``MaxReturned`` + ``iterator="Start"``,
then ``"Continue"`` with the ``iteratorID``, docs/web-connector.md §3.2): an unpaged customer list of
thousands of records takes QuickBooks minutes and can time the Web Connector out (docs/web-connector.md §7).
qbXML 13.0 offers iterators only on some queries (customers, vendors, items); the small lists (accounts, tax
codes, terms, classes, payment methods, ship methods, customer messages, sales reps) are read whole.

A refresh after the first one asks only for what changed: ``FromModifiedDate``, rewound a minute
because QuickBooks stamps ``TimeModified`` with the clock of the computer it runs on
(docs/web-connector.md §3.2). Every query asks for inactive records too (``ActiveStatus=All``): an inactive
name is still taken.

The sales tax codes and the currency list are read whole at every refresh: they are a handful of
records, and what the company's edition, tax codes and currencies are made of
(``listcache.company``), so a code whose linked tax item changed is never left stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..encoder.xml_build import Element, child, qb_datetime, request

PAGE_SIZE = 100
CLOCK_SKEW = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class ListSpec:
    name: str  # the key in the session state and in the request IDs
    query: str  # e.g. "CustomerQueryRq"
    paged: bool  # supports iterators in qbXML 13.0
    include: tuple[str, ...]  # IncludeRetElement: only what the cache and the lookups use
    needs_sales_tax: bool = False  # only when the company file has sales tax turned on
    needs_multi_currency: bool = False  # only when multi-currency is on (the list exists only then)
    whole: bool = False  # read whole at every refresh, never only what changed


_COMMON = ("ListID", "TimeModified", "EditSequence", "Name", "FullName", "IsActive")
_NAMED = ("ListID", "TimeModified", "EditSequence", "Name", "IsActive")  # lists without a FullName

LIST_SPECS: tuple[ListSpec, ...] = (
    ListSpec(
        "Account", "AccountQueryRq", False, (*_COMMON, "AccountType", "AccountNumber", "SpecialAccountType")
    ),
    ListSpec("Customer", "CustomerQueryRq", True, (*_COMMON, "CompanyName", "Phone", "Email")),
    ListSpec("Vendor", "VendorQueryRq", True, (*_COMMON, "CompanyName", "Phone", "Email")),
    # Every item type comes back from ItemQuery: products, charges, subtotal, discount, sales tax items
    # (TaxRate) and groups (the ItemSalesTaxRef of each item they combine).
    ListSpec(
        "Item",
        "ItemQueryRq",
        True,
        (*_COMMON, "TaxRate", "ItemDesc", "ItemSalesTaxRef", "ManufacturerPartNumber"),
    ),
    # Canada/UK: each code links to its sales and purchase tax items (docs/web-connector.md §3.12).
    ListSpec(
        "SalesTaxCode",
        "SalesTaxCodeQueryRq",
        False,
        (*_COMMON, "IsTaxable", "Desc", "ItemPurchaseTaxRef", "ItemSalesTaxRef"),
        needs_sales_tax=True,
        whole=True,
    ),
    # CurrencyRet has no FullName: its Name is the name CurrencyRef and HomeCurrencyRef use (§3.13).
    ListSpec(
        "Currency",
        "CurrencyQueryRq",
        False,
        ("ListID", "TimeModified", "EditSequence", "Name", "IsActive", "CurrencyCode", "ExchangeRate"),
        needs_multi_currency=True,
        whole=True,
    ),
    # TermsQueryRq answers StandardTermsRet (StdDueDays: the days a document's due date is after its
    # date) and DateDrivenTermsRet (docs/web-connector.md §3.17).
    # These reference lists are a handful of entries each and read whole, so a file whose cache was
    # filled before they were kept gets them all (and its terms' days) at the next refresh.
    ListSpec("Terms", "TermsQueryRq", False, (*_COMMON, "StdDueDays"), whole=True),
    ListSpec("Class", "ClassQueryRq", False, _COMMON, whole=True),
    # The lists a document's details name (§3.18): ship methods and customer messages (Name only),
    # sales reps, known by their initials and standing for a person of the name list.
    ListSpec(
        "ShipMethod",
        "ShipMethodQueryRq",
        False,
        ("ListID", "TimeModified", "EditSequence", "Name", "IsActive"),
    ),
    ListSpec(
        "CustomerMsg",
        "CustomerMsgQueryRq",
        False,
        ("ListID", "TimeModified", "EditSequence", "Name", "IsActive"),
    ),
    ListSpec(
        "SalesRep",
        "SalesRepQueryRq",
        False,
        ("ListID", "TimeModified", "EditSequence", "Initial", "IsActive", "SalesRepEntityRef"),
    ),
    ListSpec("PaymentMethod", "PaymentMethodQueryRq", False, (*_COMMON, "PaymentMethodType")),
)
SPECS_BY_NAME = {spec.name: spec for spec in LIST_SPECS}


def lists_to_read(*, sales_tax_on: bool, multi_currency_on: bool = False) -> tuple[ListSpec, ...]:
    return tuple(
        spec
        for spec in LIST_SPECS
        if (sales_tax_on or not spec.needs_sales_tax) and (multi_currency_on or not spec.needs_multi_currency)
    )


def watermark(refreshed_at: datetime) -> datetime:
    """``FromModifiedDate`` for a refresh after one that started at ``refreshed_at``."""
    return refreshed_at - CLOCK_SKEW


def list_query(
    spec: ListSpec, request_id: str, *, since: datetime | None, iterator_id: str | None = None
) -> Element:
    """The next query of ``spec``: a first page (or the whole list), or the page after ``iterator_id``."""
    attributes: dict[str, str] = {}
    if spec.paged:
        attributes = (
            {"iterator": "Continue", "iteratorID": iterator_id} if iterator_id else {"iterator": "Start"}
        )
    rq = request(spec.query, request_id, **attributes)
    if spec.paged:
        child(rq, "MaxReturned", str(PAGE_SIZE))
    child(rq, "ActiveStatus", "All")
    if since is not None and not spec.whole:
        child(rq, "FromModifiedDate", qb_datetime(since))
    for name in spec.include:
        child(rq, "IncludeRetElement", name)
    return rq
