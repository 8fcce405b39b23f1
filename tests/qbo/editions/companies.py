"""QuickBooks Online companies of each edition as the gateway stores them (``QuickBooksCompany``),
for tests that need no simulator: the codes and rates follow the names QBO sets up per country
(docs/quickbooks-online.md §6.5)."""

from __future__ import annotations

from espqb.plan import QuickBooksCompany
from tests.support.tax_codes import code

US_AST = QuickBooksCompany(
    name="Sunny Promo", automated_sales_tax=True, tax_codes=(code("3", "California", "7.75"),)
)
US_MANUAL = QuickBooksCompany(name="Demo Promo", tax_codes=(code("2", "Demo County", "8.25"),))
CANADA = QuickBooksCompany(
    name="Maple Promo",
    country="CA",
    home_currency="CAD",
    tax_codes=(
        code("4", "HST ON", "13"),
        code("5", "GST", "5"),
        code("6", "GST/PST BC", "5", "7", purchase=("5",)),
        code("7", "Zero-rated", "0"),
        code("8", "Exempt"),
    ),
)
UK = QuickBooksCompany(
    name="Thames Promo",
    country="GB",
    home_currency="GBP",
    tax_codes=(
        code("10", "20.0% S", "20"),
        code("11", "5.0% R", "5"),
        code("12", "0.0% Z", "0"),
        code("13", "No VAT"),
    ),
)
AUSTRALIA = QuickBooksCompany(
    name="Harbour Promo",
    country="AU",
    home_currency="AUD",
    tax_codes=(code("20", "GST", "10"), code("21", "GST free", "0")),
)
MULTI_CURRENCY_US = QuickBooksCompany(
    name="Border Promo",
    multi_currency=True,
    currencies=("CAD", "EUR"),
    tax_codes=(code("2", "Demo County", "8.25"),),
)
