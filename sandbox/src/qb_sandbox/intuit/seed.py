"""What a fresh sandbox company holds: a chart of accounts, the Services item, US sales tax, CompanyInfo.

Accounts cover what the "Send to QuickBooks" dialog in ESP's help article asks for: Income, Cost of Goods
Sold, Accounts Receivable, Accounts Payable, Undeposited Funds and a bank, plus a discount account
(``SalesFormsPrefs.DefaultDiscountAccount``, docs/quickbooks-online.md §2.3). Tax follows the US model of
docs/quickbooks-online.md §2.4: the line pseudo codes ``TAX``/``NON`` and a transaction tax code with one
rate.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .company import Company

DEMO_REALM_ID = "9341453050000001"
DEMO_COMPANY_NAME = "ESP Demo Promotions"
DEMO_TAX_RATE = Decimal("8.25")
DEMO_TAX_CODE_ID = "2"  # the transaction tax code (TxnTaxDetail.TxnTaxCodeRef) carrying DEMO_TAX_RATE

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
    _seed_sales_tax(company)
    company.books.insert(
        "CompanyInfo",
        {
            "CompanyName": company.name,
            "LegalName": company.name,
            "CompanyAddr": {
                "Line1": "100 Market Street",
                "City": "San Diego",
                "CountrySubDivisionCode": "CA",
                "PostalCode": "92101",
                "Country": "USA",
            },
            "CompanyEmailAddr": {"Address": "books@example.com"},
            "Country": "US",
            "FiscalYearStartMonth": "January",
            "SupportedLanguages": "en",
            "CompanyStartDate": company.today(),
        },
        entity_id="1",
    )
    if with_sample_names:
        for display_name in ("Acme Promotions", "Bayside Events"):
            company.create("Customer", {"DisplayName": display_name, "CompanyName": display_name})
        company.create("Vendor", {"DisplayName": "Demo Supplier Co", "CompanyName": "Demo Supplier Co"})


def _seed_sales_tax(company: Company) -> None:
    rate = company.books.insert(
        "TaxRate",
        {
            "Name": "Demo County",
            "Description": "Demo County sales tax",
            "Active": True,
            "RateValue": DEMO_TAX_RATE,
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
            "Name": "Demo County",
            "Description": "Demo County sales tax",
            "Active": True,
            "Taxable": True,
            "TaxGroup": True,
            "SalesTaxRateList": {
                "TaxRateDetail": [
                    {
                        "TaxRateRef": {"value": rate.id, "name": "Demo County"},
                        "TaxTypeApplicable": "TaxOnAmount",
                        "TaxOrder": 0,
                    }
                ]
            },
            "PurchaseTaxRateList": {"TaxRateDetail": []},
        },
        entity_id=DEMO_TAX_CODE_ID,
    )
