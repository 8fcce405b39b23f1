"""The three QuickBooks Desktop editions the SDK serves – US, Canada, UK – as presets.

docs/web-connector.md §3.10: the SDK serves US, Canadian and UK QuickBooks Desktop; the service
tells them apart by ``HostRet/Country`` (and the Web Connector's ``qbXMLCountry``). An edition
decides the host's product name, the home currency, how sales tax works (§3.12) and which
elements a request may carry (§3.11, :mod:`.edition_rules`).

Sales tax (§3.12):

* **US** – the header ``ItemSalesTaxRef`` computes the tax over the lines coded ``Tax``;
  codes are ``Tax``/``Non``, the demo item is "State Sales Tax" 8.25 %.
* **CA / UK** – a code (≤3 characters) links to a sales-tax item (``ItemSalesTaxRef``) and a
  purchase-tax item (``ItemPurchaseTaxRef``); the line's code carries the tax
  (:mod:`.coded_tax`). The complete default CA/UK lists are not published (§9): the lists
  below follow the short letters of §3.12 (``H`` for HST as in G. Timmons' setup guide, ``G``
  for GST; ``S``/``R``/``Z``/``E``/``O`` for UK VAT).
"""

from __future__ import annotations

from dataclasses import dataclass

from .books import Books


@dataclass(frozen=True)
class TaxItemPreset:
    name: str  # ItemSalesTax Name (≤31)
    rate: str  # TaxRate, percent
    desc: str


@dataclass(frozen=True)
class TaxCodePreset:
    name: str  # SalesTaxCode Name (≤3)
    taxable: bool
    desc: str
    sales_item: str | None = None  # ItemSalesTaxRef (CA/UK only)
    purchase_item: str | None = None  # ItemPurchaseTaxRef (CA/UK only)


@dataclass(frozen=True)
class Edition:
    key: str  # "us" | "ca" | "uk"
    country: str  # HostRet/Country, qbXMLCountry
    product_name: str
    major_version: str
    home_currency: str  # the currency list's Name of the home currency
    # Sales tax is carried by the line's code (CA/UK) rather than the header sales-tax item (US).
    codes_carry_tax: bool
    tax_agency: str | None
    tax_items: tuple[TaxItemPreset, ...]
    tax_codes: tuple[TaxCodePreset, ...]
    default_item: str
    taxable_code: str
    non_taxable_code: str
    pay_sales_tax: str
    # qbXML versions the request processor accepts (UK QuickBooks ends with the 2022 release).
    qbxml_versions: tuple[str, ...]


_VERSIONS_2022: tuple[str, ...] = (
    "1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0",
    "8.0", "9.0", "10.0", "11.0", "12.0", "13.0", "14.0", "15.0",
)  # fmt: skip
_VERSIONS_2023 = (*_VERSIONS_2022, "16.0")

US = Edition(
    key="us",
    country="US",
    product_name="QuickBooks Pro 2023",
    major_version="33",
    home_currency="US Dollar",
    codes_carry_tax=False,
    tax_agency=None,
    tax_items=(TaxItemPreset("State Sales Tax", "8.25", "Sales tax"),),
    tax_codes=(
        TaxCodePreset("Tax", True, "Taxable Sales"),
        TaxCodePreset("Non", False, "Non-Taxable Sales"),
    ),
    default_item="State Sales Tax",
    taxable_code="Tax",
    non_taxable_code="Non",
    pay_sales_tax="Monthly",
    qbxml_versions=_VERSIONS_2023,
)

CA = Edition(
    key="ca",
    country="CA",
    product_name="QuickBooks Premier Edition 2023 (Canada)",
    major_version="33",
    home_currency="Canadian Dollar",
    codes_carry_tax=True,
    tax_agency="Receiver General",
    tax_items=(
        TaxItemPreset("HST ON on Sales", "13", "HST (Ontario) charged on sales"),
        TaxItemPreset("HST ON on Purchases", "13", "HST (Ontario) paid on purchases"),
        TaxItemPreset("GST on Sales", "5", "GST charged on sales"),
        TaxItemPreset("GST on Purchases", "5", "GST paid on purchases"),
        TaxItemPreset("Zero-rated on Sales", "0", "Zero-rated sales"),
        TaxItemPreset("Zero-rated on Purchases", "0", "Zero-rated purchases"),
    ),
    tax_codes=(
        TaxCodePreset("H", True, "HST ON 13%", "HST ON on Sales", "HST ON on Purchases"),
        TaxCodePreset("G", True, "GST 5%", "GST on Sales", "GST on Purchases"),
        TaxCodePreset("Z", True, "Zero-rated 0%", "Zero-rated on Sales", "Zero-rated on Purchases"),
        TaxCodePreset("E", False, "Exempt"),
    ),
    default_item="HST ON on Sales",
    taxable_code="H",
    non_taxable_code="E",
    pay_sales_tax="Quarterly",
    qbxml_versions=_VERSIONS_2023,
)

UK = Edition(
    key="uk",
    country="UK",
    product_name="QuickBooks Pro 2022 (UK)",
    major_version="32",
    home_currency="British Pound Sterling",
    codes_carry_tax=True,
    tax_agency="HM Revenue & Customs",
    tax_items=(
        TaxItemPreset("VAT Standard on Sales", "20", "VAT at the standard rate on sales"),
        TaxItemPreset("VAT Standard on Purchases", "20", "VAT at the standard rate on purchases"),
        TaxItemPreset("VAT Reduced on Sales", "5", "VAT at the reduced rate on sales"),
        TaxItemPreset("VAT Reduced on Purchases", "5", "VAT at the reduced rate on purchases"),
        TaxItemPreset("VAT Zero on Sales", "0", "Zero-rated sales"),
        TaxItemPreset("VAT Zero on Purchases", "0", "Zero-rated purchases"),
    ),
    tax_codes=(
        TaxCodePreset("S", True, "Standard 20%", "VAT Standard on Sales", "VAT Standard on Purchases"),
        TaxCodePreset("R", True, "Reduced 5%", "VAT Reduced on Sales", "VAT Reduced on Purchases"),
        TaxCodePreset("Z", True, "Zero 0%", "VAT Zero on Sales", "VAT Zero on Purchases"),
        TaxCodePreset("E", False, "Exempt"),
        TaxCodePreset("O", False, "Outside the scope of VAT"),
    ),
    default_item="VAT Standard on Sales",
    taxable_code="S",
    non_taxable_code="O",
    pay_sales_tax="Quarterly",
    qbxml_versions=_VERSIONS_2022,
)

EDITIONS: dict[str, Edition] = {edition.key: edition for edition in (US, CA, UK)}
_BY_COUNTRY: dict[str, Edition] = {edition.country: edition for edition in (US, CA, UK)}


def edition_named(key: str) -> Edition:
    """``"us"``, ``"ca"`` or ``"uk"`` (case-insensitive)."""
    edition = EDITIONS.get(key.casefold())
    if edition is None:
        raise ValueError(f"unknown QuickBooks Desktop edition {key!r}: use one of {sorted(EDITIONS)}")
    return edition


def edition_of(books: Books) -> Edition:
    """The edition of a company file, read from its country (so older JSON files stay US)."""
    return _BY_COUNTRY.get(books.info.country, US)
