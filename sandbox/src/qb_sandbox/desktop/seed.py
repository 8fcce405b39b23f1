"""The optional demo company: a chart of accounts, sales tax turned on, terms, payment methods.

By default a new company file is empty – our server must create the customers, vendors,
items, subtotal and discount items it needs. ``seed_demo=True`` adds what a distributor's
QuickBooks would already have before ESP ever connects.
"""

from __future__ import annotations

from datetime import datetime

from .books import Books
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
DEMO_SALES_TAX_ITEM = ("State Sales Tax", "8.25")
DEMO_TAX_CODES = (("Tax", "true", "Taxable Sales"), ("Non", "false", "Non-Taxable Sales"))
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

    tax_name, tax_rate = DEMO_SALES_TAX_ITEM
    tax_item = _add(
        books,
        "ItemSalesTax",
        now,
        {"Name": tax_name, "IsActive": "true", "ItemDesc": "Sales tax", "TaxRate": tax_rate},
    )
    for name, taxable, desc in DEMO_TAX_CODES:
        _add(
            books, "SalesTaxCode", now, {"Name": name, "IsActive": "true", "IsTaxable": taxable, "Desc": desc}
        )
    for name, days in DEMO_TERMS:
        _add(books, "StandardTerms", now, {"Name": name, "IsActive": "true", "StdDueDays": days})
    for name, method_type in DEMO_PAYMENT_METHODS:
        _add(
            books, "PaymentMethod", now, {"Name": name, "IsActive": "true", "PaymentMethodType": method_type}
        )

    books.info.sales_tax = {
        "default_item": str(tax_item["Name"]),
        "taxable_code": "Tax",
        "non_taxable_code": "Non",
        "pay_sales_tax": "Monthly",
    }
