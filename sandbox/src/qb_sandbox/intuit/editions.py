"""QuickBooks Online companies of each country and tax model, as presets the sandbox seeds.

docs/quickbooks-online.md §6: what a payload must look like depends on the company's country (its
``CompanyInfo.Country``), on automated sales tax (US, ``Preferences.TaxPrefs.PartnerTaxEnabled``) and
on multi-currency (``Preferences.CurrencyPrefs``). The presets:

* ``us`` — manual US sales tax: line pseudo codes ``TAX``/``NON`` and one transaction code, "Demo
  County" 8.25 % (§6.4).
* ``us_ast`` — automated sales tax (§6.3): the same pseudo codes; the code AST applies, "California"
  7.25 %; a ``TotalTax`` counts only together with ``TxnTaxCodeRef``.
* ``ca``, ``uk``, ``au`` — a tax code on every line (§6.5), with the names QBO sets up in those countries
  (QBO Canada help "common sales tax codes"; QuickBooks UK "VAT codes guide"), each with sales and
  purchase rates. There are no ``TAX``/``NON`` codes there.

Each preset gives its codes fixed Ids, so tests can name them. Exchange rates are made up (one table
against the US dollar), deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .company import Company

__all__ = [
    "CURRENCY_NAMES",
    "EDITIONS",
    "CodePreset",
    "Edition",
    "edition_named",
    "exchange_rate",
    "seed_tax_codes",
]

# ISO 4217 code → the name QBO shows (CompanyCurrency.Name, CurrencyRef.name).
CURRENCY_NAMES = {
    "USD": "United States Dollar",
    "CAD": "Canadian Dollar",
    "GBP": "British Pound Sterling",
    "EUR": "Euro",
    "AUD": "Australian Dollar",
    "MXN": "Mexican Peso",
}
# Made-up market rates: US dollars per unit.
_USD_PER_UNIT = {
    "USD": Decimal("1"),
    "CAD": Decimal("0.74"),
    "GBP": Decimal("1.27"),
    "EUR": Decimal("1.09"),
    "AUD": Decimal("0.66"),
    "MXN": Decimal("0.058"),
}


def exchange_rate(source: str, target: str) -> Decimal:
    """Units of ``target`` per unit of ``source``, to six places (QBO's ExchangeRate on a transaction is
    home-currency units per unit of the transaction's currency, §6.7)."""
    return (_USD_PER_UNIT[source] / _USD_PER_UNIT[target]).quantize(Decimal("0.000001"))


@dataclass(frozen=True)
class CodePreset:
    id: str
    name: str
    description: str
    sales: tuple[tuple[str, Decimal], ...]  # (rate name, percent); empty: not for sales
    purchase: tuple[tuple[str, Decimal], ...]  # empty: not for purchases
    taxable: bool = True


@dataclass(frozen=True)
class Edition:
    key: str
    country: str  # CompanyInfo.Country
    country3: str  # CompanyAddr.Country since 2025 (ISO alpha-3, §6.1)
    home_currency: str
    automated_sales_tax: bool
    per_line_codes: bool  # every line needs one of the company's TaxCodes (non-US, §6.5)
    address: dict[str, str]
    codes: tuple[CodePreset, ...] = ()
    # The 6000 message QBO gives when a line has no tax code (§6.5), per country.
    missing_code_message: str = ""


def _rate(name: str, percent: str) -> tuple[str, Decimal]:
    return (name, Decimal(percent))


def _code(
    code_id: str, name: str, description: str, sales: str | None, purchase: str | None, taxable: bool = True
) -> CodePreset:
    """A code with one sales and one purchase rate of the same percentage (the usual case)."""
    return CodePreset(
        id=code_id,
        name=name,
        description=description,
        sales=(_rate(f"{name} (sales)", sales),) if sales is not None else (),
        purchase=(_rate(f"{name} (purchases)", purchase),) if purchase is not None else (),
        taxable=taxable,
    )


_GENERIC_MISSING = (
    "One or more transaction lines do not have a tax code associated with it. "
    "Please assign a tax code for those lines"
)

EDITIONS: dict[str, Edition] = {
    "us": Edition(
        key="us",
        country="US",
        country3="USA",
        home_currency="USD",
        automated_sales_tax=False,
        per_line_codes=False,
        address={
            "Line1": "100 Market Street",
            "City": "San Diego",
            "CountrySubDivisionCode": "CA",
            "PostalCode": "92101",
        },
    ),
    "us_ast": Edition(
        key="us_ast",
        country="US",
        country3="USA",
        home_currency="USD",
        automated_sales_tax=True,
        per_line_codes=False,
        address={
            "Line1": "1 Capitol Mall",
            "City": "Sacramento",
            "CountrySubDivisionCode": "CA",
            "PostalCode": "95814",
        },
    ),
    "ca": Edition(
        key="ca",
        country="CA",
        country3="CAN",
        home_currency="CAD",
        automated_sales_tax=False,
        per_line_codes=True,
        address={
            "Line1": "200 Bay Street",
            "City": "Toronto",
            "CountrySubDivisionCode": "ON",
            "PostalCode": "M5J 2J5",
        },
        codes=(
            _code("4", "HST ON", "HST Ontario", "13", "13"),
            _code("5", "GST", "GST", "5", "5"),
            CodePreset(
                id="6",
                name="GST/PST BC",
                description="GST and PST British Columbia",
                sales=(_rate("GST (sales)", "5"), _rate("PST BC (sales)", "7")),
                purchase=(_rate("GST (purchases)", "5"),),
            ),
            _code("7", "Zero-rated", "Zero-rated", "0", "0"),
            _code("8", "Exempt", "Exempt", "0", "0", taxable=False),
        ),
        missing_code_message="Make sure all your transactions have a GST/HST rate before you save.",
    ),
    "uk": Edition(
        key="uk",
        country="GB",
        country3="GBR",
        home_currency="GBP",
        automated_sales_tax=False,
        per_line_codes=True,
        address={"Line1": "10 Queen Street Place", "City": "London", "PostalCode": "EC4R 1BE"},
        codes=(
            _code("10", "20.0% S", "Standard rated 20%", "20", "20"),
            _code("11", "5.0% R", "Reduced rated 5%", "5", "5"),
            _code("12", "0.0% Z", "Zero rated", "0", "0"),
            _code("13", "Exempt", "Exempt", "0", "0", taxable=False),
            _code("14", "No VAT", "No VAT", "0", "0", taxable=False),
        ),
        missing_code_message="Make sure all your transactions have a VAT rate before you save.",
    ),
    "au": Edition(
        key="au",
        country="AU",
        country3="AUS",
        home_currency="AUD",
        automated_sales_tax=False,
        per_line_codes=True,
        address={
            "Line1": "1 Macquarie Place",
            "City": "Sydney",
            "CountrySubDivisionCode": "NSW",
            "PostalCode": "2000",
        },
        codes=(
            _code("20", "GST", "GST 10%", "10", "10"),
            _code("21", "GST free", "GST free (FRE)", "0", "0"),
            _code("22", "Input taxed", "Input taxed (INP)", "0", "0", taxable=False),
            _code("23", "Out of scope", "Out of scope", "0", "0", taxable=False),
        ),
        missing_code_message=_GENERIC_MISSING,
    ),
}


def edition_named(key: str) -> Edition:
    try:
        return EDITIONS[key]
    except KeyError:
        raise ValueError(f"unknown edition {key!r}; the sandbox has {', '.join(EDITIONS)}") from None


def seed_tax_codes(company: Company, edition: Edition) -> None:
    """The per-line codes of a non-US edition, each with its TaxRate records."""
    for preset in edition.codes:
        lists: dict[str, Any] = {}
        for list_name, rates in (
            ("SalesTaxRateList", preset.sales),
            ("PurchaseTaxRateList", preset.purchase),
        ):
            details = []
            for order, (rate_name, percent) in enumerate(rates):
                rate = company.books.insert(
                    "TaxRate",
                    {
                        "Name": rate_name,
                        "Description": rate_name,
                        "Active": True,
                        "RateValue": percent,
                        "AgencyRef": {"value": "1"},
                        "SpecialTaxType": "ZERO_RATE" if percent == 0 else "NONE",
                        "DisplayType": "ReadOnly",
                    },
                )
                details.append(
                    {
                        "TaxRateRef": {"value": rate.id, "name": rate_name},
                        "TaxTypeApplicable": "TaxOnAmount",
                        "TaxOrder": order,
                    }
                )
            lists[list_name] = {"TaxRateDetail": details}
        company.books.insert(
            "TaxCode",
            {
                "Name": preset.name,
                "Description": preset.description,
                "Active": True,
                "Taxable": preset.taxable,
                "TaxGroup": len(preset.sales) > 1,
                **lists,
            },
            entity_id=preset.id,
        )
