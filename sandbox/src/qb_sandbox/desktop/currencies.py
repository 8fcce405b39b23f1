"""Multi-currency (docs/web-connector.md §3.13): the currency list, names that carry a currency,
transactions that follow their name's currency.

* The switch is ``PreferencesRet/MultiCurrencyPreferences`` (``IsMultiCurrencyOn``,
  ``HomeCurrencyRef`` by the currency's *name*). The currency list exists only once
  multi-currency is on: turning it on (``CompanyFile(multi_currency=True)``) seeds the common
  currencies below, each with a made-up, deterministic ``ExchangeRate`` in home-currency units
  per unit of the currency (the home currency itself: 1), ``AsOfDate`` the day it was seeded.
* ``CustomerAdd``/``VendorAdd`` take ``CurrencyRef`` (by ``FullName`` or ``ListID``); without
  one a name is in the home currency. ``CustomerRet``/``VendorRet`` carry ``CurrencyRef`` only
  when multi-currency is on.
* ``InvoiceAdd``, ``PurchaseOrderAdd``, ``BillAdd`` and ``ReceivePaymentAdd`` have no
  ``CurrencyRef``, only ``ExchangeRate``: a transaction is in its customer's or vendor's
  currency. ``ExchangeRate`` is kept as sent, defaulting to the currency list's rate; a
  transaction in the home currency always has rate 1 (the sandbox's reading, not documented).
  The ``…Ret`` carries ``CurrencyRef``, ``ExchangeRate`` and the open amount in home currency
  (``BalanceRemainingInHomeCurrency``, ``AmountDueInHomeCurrency``,
  ``TotalAmountInHomeCurrency``) = amount × rate, rounded to cents.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from .books import Books
from .editions import Edition, edition_of
from .qb_values import amount, dec, dec_or_none, qb_date, qb_datetime
from .references import display_name
from .xml_codec import Record

# (Name, CurrencyCode, value of one unit in US dollars – made up, fixed for reproducible runs)
CURRENCIES: tuple[tuple[str, str, Decimal], ...] = (
    ("US Dollar", "USD", Decimal("1")),
    ("Canadian Dollar", "CAD", Decimal("0.74")),
    ("British Pound Sterling", "GBP", Decimal("1.27")),
    ("Euro", "EUR", Decimal("1.09")),
    ("Australian Dollar", "AUD", Decimal("0.66")),
)
RATE_PLACES = Decimal("0.0001")

# The open amount of each transaction and the element that carries it in home currency (OPS130 …Ret).
HOME_AMOUNTS: dict[str, tuple[str, str]] = {
    "Invoice": ("BalanceRemaining", "BalanceRemainingInHomeCurrency"),
    "Bill": ("AmountDue", "AmountDueInHomeCurrency"),
    "PurchaseOrder": ("TotalAmount", "TotalAmountInHomeCurrency"),
    "ReceivePayment": ("TotalAmount", "TotalAmountInHomeCurrency"),
}


def home_currency_name(edition: Edition, wanted: str | None) -> str:
    """The home currency's list Name: ``wanted`` (a name or ISO code) or the edition's own."""
    if wanted is None:
        return edition.home_currency
    for name, code, _ in CURRENCIES:
        if wanted.casefold() in (name.casefold(), code.casefold()):
            return name
    known = ", ".join(f"{name} ({code})" for name, code, _ in CURRENCIES)
    raise ValueError(f"unknown home currency {wanted!r}: use one of {known}")


def home_currency(books: Books) -> str:
    """The home currency's name (the edition's unless the company file chose another)."""
    return home_currency_name(edition_of(books), books.info.home_currency)


def seed_currencies(books: Books, now: datetime) -> None:
    """The currency list QuickBooks shows once multi-currency is turned on."""
    home = home_currency(books)
    home_value = next(value for name, _, value in CURRENCIES if name == home)
    stamp = qb_datetime(now)
    for name, code, value in CURRENCIES:
        rate = (value / home_value).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
        record: Record = {
            "ListID": books.mint.list_id(now),
            "TimeCreated": stamp,
            "TimeModified": stamp,
            "EditSequence": books.mint.edit_sequence(now),
            "Name": name,
            "IsActive": "true",
            "CurrencyCode": code,
            "IsUserDefinedCurrency": "false",
            "ExchangeRate": str(rate),
            "AsOfDate": qb_date(now.date()),
        }
        books.list_records("Currency")[record["ListID"]] = record


def home_currency_ref(books: Books) -> Record:
    """``{"ListID", "FullName"}`` of the home currency (just ``FullName`` while the list is empty)."""
    name = home_currency(books)
    for record in books.list_records("Currency").values():
        if display_name(record).casefold() == name.casefold():
            return {"ListID": record["ListID"], "FullName": display_name(record)}
    return {"FullName": name}


def default_entity_currency(books: Books, record: Record) -> None:
    """A new customer or vendor without ``CurrencyRef`` is in the home currency."""
    if books.info.multi_currency and "CurrencyRef" not in record:
        record["CurrencyRef"] = home_currency_ref(books)


def _currency_rate(books: Books, ref: Record) -> Decimal:
    record = books.list_records("Currency").get(str(ref.get("ListID", "")))
    rate = dec_or_none(record.get("ExchangeRate")) if record else None
    return rate if rate is not None else Decimal(1)


def stamp_txn_currency(books: Books, txn: Record, entity: Record, sent_rate: object) -> None:
    """Give a new transaction its name's currency and exchange rate (multi-currency on only)."""
    if not books.info.multi_currency:
        txn.pop("ExchangeRate", None)
        txn.pop("CurrencyRef", None)
        return
    ref = entity.get("CurrencyRef") or home_currency_ref(books)
    txn["CurrencyRef"] = dict(ref)
    if str(ref.get("ListID", "")) == str(home_currency_ref(books).get("ListID", "")):
        txn["ExchangeRate"] = "1"
    elif sent_rate not in (None, ""):
        txn["ExchangeRate"] = str(sent_rate)
    else:
        txn["ExchangeRate"] = str(_currency_rate(books, ref))


def refresh_home_amount(kind: str, txn: Record) -> None:
    """Recompute the open amount in home currency after the transaction's totals changed."""
    fields = HOME_AMOUNTS.get(kind)
    if fields is None or "ExchangeRate" not in txn or fields[0] not in txn:
        return
    source, target = fields
    txn[target] = amount(dec(str(txn[source])) * dec(str(txn["ExchangeRate"])))


def same_currency(first: Record, second: Record) -> bool:
    """Two transactions in the same currency (both without one: both in the home currency)."""
    left = (first.get("CurrencyRef") or {}).get("ListID")
    right = (second.get("CurrencyRef") or {}).get("ListID")
    return left == right
