"""The QuickBooks company at the other end: its edition, currencies and tax codes.

The plan needs to know which country's rules the books follow (US sales tax with or without
automated sales tax, or the per-line tax codes of Canada, the UK and Australia), the home currency
and whether multi-currency is on, and the company's own tax codes with their rates. Each gateway
reads these from QuickBooks (Online: CompanyInfo, Preferences, TaxCode/TaxRate, CompanyCurrency,
docs/quickbooks-online.md §6; Desktop: the HostQuery/PreferencesQuery answers and the sales-tax and
currency lists, docs/web-connector.md §3.10–§3.13) and stores them with the integration; the plan
reads them from here, never from QuickBooks.

Plain data (pydantic, frozen, JSON-ready): it is stored as JSON and shown by the connection/status
endpoints as is.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from espqb.money import ZERO

__all__ = [
    "ClassTracking",
    "Country",
    "ListEntry",
    "ListKind",
    "QuickBooksCompany",
    "TaxCode",
    "TaxRate",
    "TaxRegime",
    "normalise_country",
]

# us_automated: QuickBooks Online's automated sales tax (US companies created since November 2017,
# docs/quickbooks-online.md §6.3); us_manual: the classic US model, one tax code or sales tax item per
# transaction and taxable/non-taxable lines (§6.4; Desktop US, docs/web-connector.md §3.12);
# per_line_codes: Canada, the UK, Australia and every other non-US company, where each line names one
# of the company's tax codes and the codes carry the rates (§6.5; Desktop CA/UK, §3.12).
TaxRegime = Literal["us_automated", "us_manual", "per_line_codes"]
Country = str  # ISO 3166 alpha-2: "US", "CA", "GB", "AU"...

_COUNTRY_ALIASES = {"UK": "GB", "USA": "US", "CAN": "CA", "GBR": "GB", "AUS": "AU", "OZ": "AU"}
COUNTRY_NAMES = {"US": "United States", "CA": "Canada", "GB": "United Kingdom", "AU": "Australia"}


def normalise_country(value: str | None) -> Country:
    """``"UK"`` (Desktop's HostRet), ``"GBR"`` (QBO addresses since 2025) → ``"GB"``; unknown → ``"US"``
    only when nothing was said (QuickBooks' own default)."""
    if not value:
        return "US"
    code = value.strip().upper()
    return _COUNTRY_ALIASES.get(code, code)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaxRate(_Model):
    """One rate of a tax code: QBO TaxRate (RateValue); Desktop the sales/purchase tax item (TaxRate)."""

    id: str | None = None
    name: str
    percent: Decimal = Field(description="8.25 means 8.25 %.")


class TaxCode(_Model):
    """A tax code of the company.

    QBO: a ``TaxCode`` (Id, Name) with its sales and purchase rate lists. Desktop US: a sales tax item
    or group (what ``ItemSalesTaxRef`` names; ``sales_rates`` is its rate). Desktop CA/UK: a sales tax
    code (≤3 characters) with the rates of its sales and purchase tax items.
    """

    id: str | None = Field(default=None, description="QBO Id; Desktop ListID.")
    name: str
    description: str | None = None
    taxable: bool = True
    sales_rates: tuple[TaxRate, ...] = ()
    purchase_rates: tuple[TaxRate, ...] = ()

    @property
    def sales_percent(self) -> Decimal:
        return sum((r.percent for r in self.sales_rates), ZERO)

    @property
    def purchase_percent(self) -> Decimal:
        return sum((r.percent for r in self.purchase_rates), ZERO)

    @property
    def for_sales(self) -> bool:
        return bool(self.sales_rates) or not self.purchase_rates

    @property
    def for_purchases(self) -> bool:
        return bool(self.purchase_rates) or not self.sales_rates

    def label(self) -> str:
        """How a message names the code: "HST ON (13 %)"."""
        if not self.sales_rates:
            return self.name
        return f"{self.name} ({_percent(self.sales_percent)} %)"


# Names QuickBooks gives its no-tax codes per country (docs/quickbooks-online.md §6.5 and
# docs/web-connector.md §3.12); the US pseudo code NON is not here: US lines use taxable/non-taxable.
_NO_TAX_NAMES = (
    # zero-rated first: still a taxable supply at 0 %, so the sale stays on the tax return
    "zero-rated",
    "z",
    "0.0% z",
    "gst free",
    "fre",
    "exempt",
    "e",
    "no vat",
    "o",
    "out of scope",
)


# The reference lists a document names (issue: document details; docs/quickbooks-online.md §7,
# docs/web-connector.md §3.17). QBO: Term, Class, Department ("location"); the ship method is a plain
# string there and sales reps and customer messages are not lists. Desktop: StandardTerms/DateDrivenTerms,
# Class, ShipMethod, SalesRep, CustomerMsg; Desktop has no locations on these documents.
ListKind = Literal["terms", "class", "location", "ship_method", "sales_rep", "customer_message"]
# QBO Preferences.AccountingInfoPrefs: ClassTrackingPerTxn (one class on the document) or
# ClassTrackingPerTxnLine (a class on each line); Desktop's IsUsingClassTracking is "per_transaction"
# (a header ClassRef on invoices and purchase orders, on each line of a bill, which has no header class).
ClassTracking = Literal["off", "per_transaction", "per_line"]


class ListEntry(_Model):
    """One entry of a reference list: a term, class, location, ship method, sales rep or customer message."""

    id: str | None = Field(default=None, description="QBO Id; Desktop ListID.")
    name: str = Field(
        description="The name documents refer to: a class's full name (Parent:Child); a Desktop sales rep's initials."
    )
    description: str | None = Field(
        default=None,
        description="A Desktop sales rep's name (the employee, vendor or other name it stands for).",
    )
    due_days: int | None = Field(
        default=None,
        description="Terms: days from the document date to the due date (QBO DueDays, Desktop StdDueDays).",
    )

    def matches(self, wanted: str) -> bool:
        folded = wanted.strip().casefold()
        return self.name.casefold() == folded or (
            self.description is not None and self.description.casefold() == folded
        )


class QuickBooksCompany(_Model):
    """What the plan needs to know about the QuickBooks company (see the module docstring)."""

    product: Literal["qbo", "qbd"] = "qbo"
    name: str | None = None
    country: Country = "US"
    home_currency: str = "USD"
    multi_currency: bool = False
    # Currencies the company has besides the home currency (QBO CompanyCurrency; Desktop's currency
    # list), as ISO 4217 codes; only meaningful with multi-currency on.
    currencies: tuple[str, ...] = ()
    # Desktop names currencies ("Canadian Dollar"), not codes: ISO code → QuickBooks name.
    currency_names: dict[str, str] = Field(default_factory=dict)
    uses_sales_tax: bool = True
    automated_sales_tax: bool = False  # QBO US only (Preferences.TaxPrefs.PartnerTaxEnabled)
    tax_codes: tuple[TaxCode, ...] = ()
    # Desktop preferences: the codes QuickBooks puts on taxable / non-taxable lines and the sales tax
    # item it uses when a document names none.
    default_taxable_code: str | None = None
    default_non_taxable_code: str | None = None
    default_sales_tax_item: str | None = None
    # QBO sales-form preferences that change documents.
    custom_txn_numbers: bool = True
    allow_discount: bool = True
    # QBO: the DefinitionId of the sales-form custom field named for the customer's PO number ("P.O.
    # Number", "PO Number"...), if the company has one (docs/quickbooks-online.md §7.2, §7.11).
    po_number_field: str | None = None
    # QBO: the DefinitionId of the sales-form custom field named for the sales rep ("Sales Rep", "Rep"),
    # if any: QBO invoices have no sales rep field of their own.
    sales_rep_field: str | None = None
    # Reference lists (see ListKind); ``lists_read`` is false for companies read before they were kept,
    # and then the plan does not know which entries exist (the transport finds each by name first).
    lists_read: bool = False
    terms: tuple[ListEntry, ...] = ()
    classes: tuple[ListEntry, ...] = ()
    locations: tuple[ListEntry, ...] = ()
    ship_methods: tuple[ListEntry, ...] = ()
    sales_reps: tuple[ListEntry, ...] = ()
    customer_messages: tuple[ListEntry, ...] = ()
    class_tracking: ClassTracking = "off"
    # QBO Preferences.AccountingInfoPrefs.TrackDepartments, and what the company calls them
    # (DepartmentTerminology: "Location", "Department", "Division", "Property", "Store"...).
    tracks_locations: bool = False
    location_label: str = "Location"
    read_at: datetime | None = None

    @property
    def regime(self) -> TaxRegime:
        if self.country != "US":
            return "per_line_codes"
        return "us_automated" if self.automated_sales_tax else "us_manual"

    @property
    def country_name(self) -> str:
        return COUNTRY_NAMES.get(self.country, self.country)

    def list_entries(self, kind: ListKind) -> tuple[ListEntry, ...]:
        return {
            "terms": self.terms,
            "class": self.classes,
            "location": self.locations,
            "ship_method": self.ship_methods,
            "sales_rep": self.sales_reps,
            "customer_message": self.customer_messages,
        }[kind]

    def list_entry(self, kind: ListKind, wanted: str) -> ListEntry | None:
        """The entry of ``kind`` named ``wanted`` (case-insensitive; a sales rep by initials or name)."""
        return next((e for e in self.list_entries(kind) if e.matches(wanted)), None)

    def accepts_currency(self, code: str) -> bool:
        code = code.upper()
        if code == self.home_currency.upper():
            return True
        return self.multi_currency and code in {c.upper() for c in self.currencies}

    def tax_code(self, wanted: str | None) -> TaxCode | None:
        """The code named ``wanted``, by id first, then by name (case-insensitive)."""
        if not wanted:
            return None
        for code in self.tax_codes:
            if code.id is not None and code.id == wanted:
                return code
        folded = wanted.casefold()
        return next((c for c in self.tax_codes if c.name.casefold() == folded), None)

    def no_tax_code(self, *, purchases: bool = False) -> TaxCode | None:
        """The company's zero-rated/exempt code for lines that carry no tax."""
        preferred = self.tax_code(self.default_non_taxable_code)
        if preferred is not None and _no_rate(preferred, purchases):
            return preferred
        for name in _NO_TAX_NAMES:
            for code in self.tax_codes:
                if code.name.casefold() == name and _no_rate(code, purchases):
                    return code
        return None

    def sales_code_for(self, name: str | None, percent: Decimal | None) -> TaxCode | None:
        """The sales code matching the order's tax: by name, else the one code with that total rate."""
        by_name = self.tax_code(name)
        if by_name is not None and by_name.for_sales:
            return by_name
        if percent is not None:
            matching = [c for c in self.tax_codes if c.sales_rates and c.sales_percent == percent]
            if len(matching) == 1:
                return matching[0]
        return self.tax_code(self.default_taxable_code)


def _no_rate(code: TaxCode, purchases: bool) -> bool:
    rates = code.purchase_rates if purchases else code.sales_rates
    return all(r.percent == 0 for r in rates)


def _percent(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text
