"""The optional demo company: a chart of accounts, sales tax turned on, terms, payment methods.

The sales tax lists are the edition's (:mod:`.editions`): ``Tax``/``Non`` and "State Sales Tax"
in a US file, linked codes and tax items (with their tax agency) in a Canadian or UK file.

By default a new company file is empty – our server must create the customers, vendors,
items, subtotal and discount items it needs. ``seed_demo=True`` adds what a distributor's
QuickBooks would already have before ESP ever connects.
"""

from __future__ import annotations

from datetime import datetime

from .books import Books
from .editions import Edition, edition_of
from .qb_values import qb_datetime
from .xml_codec import Record

DEMO_ACCOUNTS: tuple[tuple[str, str, str | None], ...] = (
    # (name, AccountType, SpecialAccountType)
    ("Checking", "Bank", None),
    ("Accounts Receivable", "AccountsReceivable", "AccountsReceivable"),
    ("Undeposited Funds", "OtherCurrentAsset", "UndepositedFunds"),
    ("Accounts Payable", "AccountsPayable", "AccountsPayable"),
    ("Sales Tax Payable", "OtherCurrentLiability", "SalesTaxPayable"),
    ("Sales", "Income", None),
    ("Discounts Given", "Income", None),
    ("Cost of Goods Sold", "CostOfGoodsSold", "CostOfGoodsSold"),
)
DEMO_TERMS = (("Due on receipt", "0"), ("Net 15", "15"), ("Net 30", "30"))
DEMO_PAYMENT_METHODS = (
    ("Cash", "Cash"),
    ("Check", "Check"),
    ("Visa", "Visa"),
    ("MasterCard", "MasterCard"),
    ("American Express", "AmericanExpress"),
    ("Discover", "Discover"),
)


def _add(books: Books, kind: str, now: datetime, fields: Record) -> Record:
    stamp = qb_datetime(now)
    record: Record = {
        "ListID": books.mint.list_id(now),
        "TimeCreated": stamp,
        "TimeModified": stamp,
        "EditSequence": books.mint.edit_sequence(now),
        **fields,
    }
    books.list_records(kind)[record["ListID"]] = record
    return record


def seed_demo_company(books: Books, now: datetime) -> None:
    for name, account_type, special in DEMO_ACCOUNTS:
        fields: Record = {
            "Name": name,
            "FullName": name,
            "IsActive": "true",
            "Sublevel": "0",
            "AccountType": account_type,
            "Balance": "0.00",
            "TotalBalance": "0.00",
        }
        if special:
            fields["SpecialAccountType"] = special
        _add(books, "Account", now, fields)

    _seed_sales_tax(books, now, edition_of(books))
    for name, days in DEMO_TERMS:
        _add(books, "StandardTerms", now, {"Name": name, "IsActive": "true", "StdDueDays": days})
    for name, method_type in DEMO_PAYMENT_METHODS:
        _add(
            books, "PaymentMethod", now, {"Name": name, "IsActive": "true", "PaymentMethodType": method_type}
        )


def _ref(record: Record) -> Record:
    return {"ListID": record["ListID"], "FullName": record.get("FullName") or record["Name"]}


def _seed_sales_tax(books: Books, now: datetime, edition: Edition) -> None:
    agency: Record | None = None
    if edition.tax_agency:
        agency = _add(
            books,
            "Vendor",
            now,
            {"Name": edition.tax_agency, "IsActive": "true", "IsTaxAgency": "true", "Balance": "0.00"},
        )
    items: dict[str, Record] = {}
    for preset in edition.tax_items:
        fields: Record = {
            "Name": preset.name,
            "IsActive": "true",
            "ItemDesc": preset.desc,
            "TaxRate": preset.rate,
        }
        if agency is not None:
            fields["TaxVendorRef"] = _ref(agency)
        items[preset.name] = _add(books, "ItemSalesTax", now, fields)
    for code in edition.tax_codes:
        fields = {"Name": code.name, "IsActive": "true", "IsTaxable": "true" if code.taxable else "false"}
        fields["Desc"] = code.desc
        if code.purchase_item:
            fields["ItemPurchaseTaxRef"] = _ref(items[code.purchase_item])
        if code.sales_item:
            fields["ItemSalesTaxRef"] = _ref(items[code.sales_item])
        _add(books, "SalesTaxCode", now, fields)
    books.info.sales_tax = {
        "default_item": edition.default_item,
        "taxable_code": edition.taxable_code,
        "non_taxable_code": edition.non_taxable_code,
        "pay_sales_tax": edition.pay_sales_tax,
    }


# -- the lists a document's details name (docs/web-connector.md §3.17-§3.18) --------------------------
def add_terms(books: Books, now: datetime, name: str, due_days: int | None = None) -> Record:
    fields: Record = {"Name": name, "IsActive": "true"}
    if due_days is not None:
        fields["StdDueDays"] = str(due_days)
    return _add(books, "StandardTerms", now, fields)


def add_class(books: Books, now: datetime, name: str) -> Record:
    return _add(books, "Class", now, {"Name": name, "FullName": name, "IsActive": "true", "Sublevel": "0"})


def add_ship_method(books: Books, now: datetime, name: str) -> Record:
    return _add(books, "ShipMethod", now, {"Name": name, "IsActive": "true"})


def add_customer_message(books: Books, now: datetime, name: str) -> Record:
    return _add(books, "CustomerMsg", now, {"Name": name, "IsActive": "true"})


def add_sales_rep(books: Books, now: datetime, initial: str, person: str) -> Record:
    """A sales rep and the other name it stands for (a rep is an employee, vendor or other name,
    SalesRepAdd's SalesRepEntityRef); the person is reused when the name list has it already."""
    entity = next(
        (
            record
            for kind in ("OtherName", "Vendor")
            for record in books.list_records(kind).values()
            if str(record.get("Name", "")).casefold() == person.casefold()
        ),
        None,
    )
    if entity is None:
        entity = _add(books, "OtherName", now, {"Name": person, "IsActive": "true"})
    return _add(
        books,
        "SalesRep",
        now,
        {"Initial": initial, "IsActive": "true", "SalesRepEntityRef": _ref(entity)},
    )
