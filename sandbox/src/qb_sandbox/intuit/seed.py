"""What a fresh sandbox company holds: a chart of accounts, the Services item, its edition's tax codes,
CompanyInfo, Preferences and (multi-currency) its CompanyCurrency list.

Accounts cover what the "Send to QuickBooks" dialog in ESP's help article asks for: Income, Cost of Goods
Sold, Accounts Receivable, Accounts Payable, Undeposited Funds and a bank, plus a discount account
(``SalesFormsPrefs.DefaultDiscountAccount``, docs/quickbooks-online.md §2.3). Tax follows the company's
edition (``editions``): in the US the line pseudo codes ``TAX``/``NON`` and a transaction tax code with
one rate (§2.4, §6.4); elsewhere the country's per-line codes (§6.5).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .editions import CURRENCY_NAMES, seed_tax_codes

if TYPE_CHECKING:
    from .company import Company

DEMO_REALM_ID = "9341453050000001"
DEMO_COMPANY_NAME = "ESP Demo Promotions"
DEMO_TAX_RATE = Decimal("8.25")
DEMO_TAX_CODE_ID = "2"  # the transaction tax code (TxnTaxDetail.TxnTaxCodeRef) carrying DEMO_TAX_RATE
# The code automated sales tax applies in the us_ast preset (editions.py), under the same Id.
AST_TAX_CODE_NAME = "California"
AST_TAX_RATE = Decimal("7.25")

# (role or None, Name, AccountType, AccountSubType)
_ACCOUNTS: tuple[tuple[str | None, str, str, str], ...] = (
    ("income", "Sales of Product Income", "Income", "SalesOfProductIncome"),
    ("service_income", "Services", "Income", "ServiceFeeIncome"),
    ("cogs", "Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs"),
    ("ar", "Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
    ("ap", "Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable"),
    ("undeposited", "Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
    ("bank", "Checking", "Bank", "Checking"),
    ("discount", "Discounts given", "Income", "DiscountsRefundsGiven"),
    ("expense", "Supplies", "Expense", "SuppliesMaterials"),
    ("sales_tax", "Sales Tax Payable", "Other Current Liability", "SalesTaxPayable"),
)


def seed_company(company: Company, *, with_sample_names: bool = True) -> None:
    for role, name, account_type, subtype in _ACCOUNTS:
        account = company.create(
            "Account", {"Name": name, "AccountType": account_type, "AccountSubType": subtype}
        )
        if role:
            company.defaults[role] = account["Id"]
    company.create(
        "Item",
        {
            "Name": "Services",
            "Type": "Service",
            "IncomeAccountRef": {"value": company.defaults["service_income"]},
        },
    )
    edition = company.edition
    if edition.per_line_codes:
        seed_tax_codes(company, edition)
    elif edition.automated_sales_tax:
        _seed_sales_tax(company, AST_TAX_CODE_NAME, AST_TAX_RATE)
    else:
        _seed_sales_tax(company, "Demo County", DEMO_TAX_RATE)
    company.books.insert(
        "CompanyInfo",
        {
            "CompanyName": company.name,
            "LegalName": company.name,
            "CompanyAddr": {**edition.address, "Country": edition.country3},
            "CompanyEmailAddr": {"Address": "books@example.com"},
            "Country": edition.country,
            "FiscalYearStartMonth": "January",
            "SupportedLanguages": "en",
            "CompanyStartDate": company.today(),
        },
        entity_id="1",
    )
    company.books.insert("Preferences", preferences_of(company), entity_id="1")
    for code in sorted(company.currencies):
        company.books.insert(
            "CompanyCurrency", {"Code": code, "Name": CURRENCY_NAMES.get(code, code), "Active": True}
        )
    if with_sample_names:
        for display_name in ("Acme Promotions", "Bayside Events"):
            company.create("Customer", {"DisplayName": display_name, "CompanyName": display_name})
        company.create("Vendor", {"DisplayName": "Demo Supplier Co", "CompanyName": "Demo Supplier Co"})


def preferences_of(company: Company) -> dict[str, Any]:
    """Preferences (docs/quickbooks-online.md §6.2): what the company's switches are."""
    edition = company.edition
    tax_prefs: dict[str, Any] = {"UsingSalesTax": True}
    if edition.automated_sales_tax:
        # §6.3: PartnerTaxEnabled present and true = automated sales tax on and set up; absent = not AST.
        tax_prefs["PartnerTaxEnabled"] = True
    return {
        "AccountingInfoPrefs": {
            "TrackDepartments": company.track_locations,
            **({"DepartmentTerminology": company.location_label} if company.track_locations else {}),
            "ClassTrackingPerTxn": company.class_tracking == "per_transaction",
            "ClassTrackingPerTxnLine": company.class_tracking == "per_line",
        },
        "SalesFormsPrefs": {
            **_custom_field_prefs(company),
            "CustomTxnNumbers": True,
            "AllowDiscount": True,
            "AllowShipping": True,
            "AllowDeposit": True,
            "AllowServiceDate": False,
        },
        "TaxPrefs": tax_prefs,
        "CurrencyPrefs": {
            "MultiCurrencyEnabled": company.multi_currency,
            "HomeCurrency": {"value": company.home_currency},
        },
    }


def _custom_field_prefs(company: Company) -> dict[str, Any]:
    """``SalesFormsPrefs.CustomField`` as Intuit returns it: two groups of name/value pairs, the
    switches ``SalesFormsPrefs.UseSalesCustomN`` (BooleanType) and the labels
    ``SalesFormsPrefs.SalesCustomNameN`` (StringType); N is the field's DefinitionId (Intuit's
    Preferences example, as in ruckus/quickbooks-ruby's preferences fixture; docs/quickbooks-online.md §7.11)."""
    if not company.custom_fields:
        return {}
    switches, labels = [], []
    for n, name in enumerate(company.custom_fields, start=1):
        switches.append(
            {"Name": f"SalesFormsPrefs.UseSalesCustom{n}", "Type": "BooleanType", "BooleanValue": bool(name)}
        )
        if name:
            labels.append(
                {"Name": f"SalesFormsPrefs.SalesCustomName{n}", "Type": "StringType", "StringValue": name}
            )
    return {"CustomField": [{"CustomField": switches}, {"CustomField": labels}]}


def _seed_sales_tax(company: Company, name: str, percent: Decimal) -> None:
    """US: the line pseudo codes TAX/NON and one transaction code (Id DEMO_TAX_CODE_ID) with one rate."""
    rate = company.books.insert(
        "TaxRate",
        {
            "Name": name,
            "Description": f"{name} sales tax",
            "Active": True,
            "RateValue": percent,
            "AgencyRef": {"value": "1"},
            "SpecialTaxType": "NONE",
            "DisplayType": "ReadOnly",
        },
    )
    for code_id, taxable, description in (("TAX", True, "TAX"), ("NON", False, "Non")):
        company.books.insert(
            "TaxCode",
            {
                "Name": code_id,
                "Description": description,
                "Taxable": taxable,
                "TaxGroup": False,
                "Active": True,
            },
            entity_id=code_id,
        )
    company.books.insert(
        "TaxCode",
        {
            "Name": name,
            "Description": f"{name} sales tax",
            "Active": True,
            "Taxable": True,
            "TaxGroup": True,
            "SalesTaxRateList": {
                "TaxRateDetail": [
                    {
                        "TaxRateRef": {"value": rate.id, "name": name},
                        "TaxTypeApplicable": "TaxOnAmount",
                        "TaxOrder": 0,
                    }
                ]
            },
            "PurchaseTaxRateList": {"TaxRateDetail": []},
        },
        entity_id=DEMO_TAX_CODE_ID,
    )
