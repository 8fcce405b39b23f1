"""What each edition accepts in a write: elements it lacks, and currencies without multi-currency.

The 13.0 XSD is one document for every country and accepts every element in every file
(docs/web-connector.md §3.11), so these checks are the edition's own, read from OPS130's
"not in QBD/QBCA/QBUK" comments (the table of §3.11; §3.12 for the tax-code links).

* **An element the file's edition does not have** (e.g. ``IsTaxIncluded`` sent to a US file,
  ``ItemSalesTaxRef`` on a customer of a Canadian file): the request is processed without it
  and answers status 530, a *warning* with the record ('The field "IsTaxIncluded" is not
  supported by this implementation.', Intuit's text for 530). What QuickBooks really answers is
  not documented (§3.11, §9); 530 is the likely answer and, like the 570 of a closed link
  (:mod:`.purchase_txns`), lets the write succeed while the client sees what was dropped. A
  request whose own answer is already a warning keeps that status.
* **A currency while multi-currency is off** (``CurrencyRef`` on a customer or vendor, a
  ``CurrencyAdd``/``CurrencyMod``): refused with 3250 "feature not enabled" (§4.1), nothing
  written. QuickBooks' status for this is not published (§3.13, §9); 3250 is the sandbox's
  choice. An ``ExchangeRate`` on a transaction while multi-currency is off is dropped with a
  530 warning (the transaction is in the home currency).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import status
from .books import Books
from .editions import edition_of
from .request_types import Handler, Outcome, Request, Runtime
from .xml_codec import Record

NOT_US = frozenset({"ca", "uk"})  # "not in QBD"
NOT_CA_UK = frozenset({"us"})  # "not in QBCA|QBUK"
AU_ONLY = frozenset[str]()  # the old Australian edition only: none of the simulated ones


@dataclass(frozen=True)
class EditionLimit:
    """``path`` under the request's payload (``("InvoiceLineAdd", "TaxAmount")`` for a line
    element) exists only in ``editions``."""

    payloads: tuple[str, ...]
    path: tuple[str, ...]
    editions: frozenset[str]


def _limits(
    payloads: tuple[str, ...], names: tuple[str, ...], editions: frozenset[str]
) -> list[EditionLimit]:
    return [EditionLimit(payloads, tuple(name.split("/")), editions) for name in names]


_VENDOR_TAX_AGENCY = (
    "SalesTaxCodeRef",
    "IsSalesTaxAgency",
    "SalesTaxReturnRef",
    "ReportingPeriod",
    "IsTaxTrackedOnPurchases",
    "TaxOnPurchasesAccountRef",
    "IsTaxTrackedOnSales",
    "TaxOnSalesAccountRef",
    "IsTaxOnTax",
)

EDITION_LIMITS: tuple[EditionLimit, ...] = (
    # docs/web-connector.md §3.11: InvoiceAdd IsTaxIncluded is not in QBD; line TaxAmount is AU only.
    *_limits(("InvoiceAdd", "InvoiceMod"), ("IsTaxIncluded",), NOT_US),
    *_limits(("InvoiceAdd",), ("InvoiceLineAdd/TaxAmount",), AU_ONLY),
    *_limits(("InvoiceMod",), ("InvoiceLineMod/TaxAmount",), AU_ONLY),
    # §3.11: PurchaseOrderAdd/BillAdd header IsTaxIncluded and SalesTaxCodeRef are not in QBD.
    *_limits(
        ("PurchaseOrderAdd", "PurchaseOrderMod", "BillAdd", "BillMod"),
        ("IsTaxIncluded", "SalesTaxCodeRef"),
        NOT_US,
    ),
    # §3.11: line SalesTaxCodeRef of PurchaseOrderLineAdd/ItemLineAdd/ExpenseLineAdd is not in
    # QBD; their TaxAmount is AU only.
    *_limits(("PurchaseOrderAdd",), ("PurchaseOrderLineAdd/SalesTaxCodeRef",), NOT_US),
    *_limits(("PurchaseOrderMod",), ("PurchaseOrderLineMod/SalesTaxCodeRef",), NOT_US),
    *_limits(("BillAdd",), ("ItemLineAdd/SalesTaxCodeRef", "ExpenseLineAdd/SalesTaxCodeRef"), NOT_US),
    *_limits(("BillMod",), ("ItemLineMod/SalesTaxCodeRef", "ExpenseLineMod/SalesTaxCodeRef"), NOT_US),
    *_limits(("PurchaseOrderAdd",), ("PurchaseOrderLineAdd/TaxAmount",), AU_ONLY),
    *_limits(("PurchaseOrderMod",), ("PurchaseOrderLineMod/TaxAmount",), AU_ONLY),
    *_limits(("BillAdd",), ("ItemLineAdd/TaxAmount", "ExpenseLineAdd/TaxAmount"), AU_ONLY),
    *_limits(("BillMod",), ("ItemLineMod/TaxAmount", "ExpenseLineMod/TaxAmount"), AU_ONLY),
    # §3.11: SalesTaxCountry and TaxRegistrationNumber on names are not in QBD; a customer's
    # ItemSalesTaxRef is not in QBCA/QBUK.
    *_limits(
        ("CustomerAdd", "CustomerMod", "VendorAdd", "VendorMod"),
        ("SalesTaxCountry", "TaxRegistrationNumber"),
        NOT_US,
    ),
    *_limits(("CustomerAdd", "CustomerMod"), ("ItemSalesTaxRef",), NOT_CA_UK),
    # §3.11: a vendor's tax-agency fields are not in QBD (8.0); the 1099 flag is not in QBCA/QBUK.
    *_limits(("VendorAdd", "VendorMod"), _VENDOR_TAX_AGENCY, NOT_US),
    *_limits(("VendorAdd", "VendorMod"), ("IsVendorEligibleFor1099",), NOT_CA_UK),
    # §3.11: ItemNonInventoryAdd IsTaxIncluded and SalesAndPurchase/PurchaseTaxCodeRef are not in QBD.
    *_limits(("ItemNonInventoryAdd", "ItemNonInventoryMod"), ("IsTaxIncluded",), NOT_US),
    *_limits(("ItemNonInventoryAdd",), ("SalesAndPurchase/PurchaseTaxCodeRef",), NOT_US),
    *_limits(("ItemNonInventoryMod",), ("SalesAndPurchaseMod/PurchaseTaxCodeRef",), NOT_US),
    # §3.12: a code's links to its sales and purchase tax items are not in QBD.
    *_limits(("SalesTaxCodeAdd", "SalesTaxCodeMod"), ("ItemPurchaseTaxRef", "ItemSalesTaxRef"), NOT_US),
)

# §3.13: names carry the currency (CurrencyRef), transactions only an ExchangeRate.
_CURRENCY_NAMES = ("CustomerAdd", "CustomerMod", "VendorAdd", "VendorMod")
_CURRENCY_LIST = ("CurrencyAdd", "CurrencyMod")
_EXCHANGE_RATE_TXNS = (
    "InvoiceAdd",
    "InvoiceMod",
    "PurchaseOrderAdd",
    "PurchaseOrderMod",
    "BillAdd",
    "BillMod",
    "ReceivePaymentAdd",
    "ReceivePaymentMod",
)
_MULTI_CURRENCY_OFF = "multicurrency is not turned on in this company file"


def _payload(request: Request) -> tuple[str, Record] | None:
    name = request.name.removesuffix("Rq")
    payload = request.body.get(name)
    return (name, payload) if isinstance(payload, dict) else None


def _drop(payload: Record, path: tuple[str, ...]) -> bool:
    """Remove ``path`` from the payload (in every line for a line element); True if it was there."""
    head, rest = path[0], path[1:]
    if not rest:
        return payload.pop(head, None) is not None
    value = payload.get(head)
    containers = value if isinstance(value, list) else [value]
    dropped = False
    for container in containers:
        if isinstance(container, dict):
            dropped = _drop(container, rest) or dropped
    return dropped


def _check_currency(books: Books, name: str, payload: Record) -> list[str]:
    """Refuse currencies while multi-currency is off (3250); returns dropped ExchangeRates."""
    if books.info.multi_currency:
        return []
    if name in _CURRENCY_LIST:
        raise status.feature_not_enabled("CurrencyRef", _MULTI_CURRENCY_OFF)
    if name in _CURRENCY_NAMES and "CurrencyRef" in payload:
        raise status.feature_not_enabled("CurrencyRef", _MULTI_CURRENCY_OFF)
    if name in _EXCHANGE_RATE_TXNS and payload.pop("ExchangeRate", None) is not None:
        return ["ExchangeRate"]
    return []


def unsupported_elements(books: Books, request: Request) -> list[str]:
    """Drop the elements the file's edition lacks from ``request``; returns their names.

    Raises 3250 for a currency while multi-currency is off.
    """
    found = _payload(request)
    if found is None:
        return []
    name, payload = found
    dropped = _check_currency(books, name, payload)
    edition = edition_of(books).key
    for limit in EDITION_LIMITS:
        if name in limit.payloads and edition not in limit.editions and _drop(payload, limit.path):
            dropped.append(limit.path[-1])
    return dropped


def with_edition_rules(handlers: Mapping[str, Handler]) -> dict[str, Handler]:
    """Every handler, checking the edition's limits before it runs (see module docstring)."""

    def guard(handler: Handler) -> Handler:
        def handle(books: Books, request: Request, runtime: Runtime) -> Outcome:
            dropped = unsupported_elements(books, request)
            outcome = handler(books, request, runtime)
            if dropped and outcome.status.code == status.OK:
                outcome.status = status.unsupported_field(dropped[0])
            return outcome

        return handle

    return {name: guard(handler) for name, handler in handlers.items()}
