"""HostQuery, CompanyQuery and PreferencesQuery – and the ``strHCPResponse`` built from them.

The Web Connector runs these three queries itself at the start of every session and hands
their responses to the first ``sendRequestXML`` call (docs/web-connector.md §1.5, §0.5): the host lists the
``SupportedQBXMLVersion``s our server picks its qbXML version from, the company carries the
``FileID`` data extension the Web Connector registered (docs/web-connector.md §2), and the preferences say
whether sales tax and multi-currency are on. ``HostRet/Country`` and ``ProductName`` are the
edition's (``US``, ``CA``, ``UK``; docs/web-connector.md §3.10, :mod:`.editions`).
"""

from __future__ import annotations

from .books import Books
from .coded_tax import codes_carry_tax
from .currencies import home_currency_ref
from .references import display_name
from .request_types import Handler, Outcome, Request, Runtime
from .xml_codec import Record


def host_ret(books: Books) -> Record:
    info = books.info
    return {
        "ProductName": info.product_name,
        "MajorVersion": info.major_version,
        "MinorVersion": info.minor_version,
        "Country": info.country,
        "SupportedQBXMLVersion": list(info.qbxml_versions),
        "IsAutomaticLogin": "false",
        "QBFileMode": "SingleUser",
    }


def company_ret(books: Books, owner_ids: list[str] | None) -> Record:
    """``owner_ids``: private data extensions to include (None: all of them)."""
    info = books.info
    record: Record = {
        "IsSampleCompany": "false",
        "CompanyName": info.company_name,
        "LegalCompanyName": info.legal_name or info.company_name,
        "Address": {"Country": info.country},
    }
    exts = [
        {"OwnerID": owner, "DataExtName": name, "DataExtType": "STR255TYPE", "DataExtValue": value}
        for owner, values in sorted(books.company_data_ext.items())
        for name, value in sorted(values.items())
        if owner_ids is None or owner in owner_ids
    ]
    if exts:
        record["DataExtRet"] = exts
    return record


def _ref_to(books: Books, kind: str, name: str | None) -> Record | None:
    if not name:
        return None
    for record in books.list_records(kind).values():
        if display_name(record).casefold() == name.casefold():
            return {"ListID": record["ListID"], "FullName": display_name(record)}
    return None


def preferences_ret(books: Books) -> Record:
    record: Record = {
        "AccountingPreferences": {
            "IsUsingAccountNumbers": "false",
            "IsRequiringAccounts": "true",
            "IsUsingClassTracking": "true" if books.info.class_tracking else "false",
            "IsUsingAuditTrail": "true",
            "IsAssigningJournalEntryNumbers": "true",
        },
        "FinanceChargePreferences": {
            "GracePeriod": "0",
            "IsAssessingForOverdueCharges": "false",
            "CalculateChargesFrom": "DueDate",
            "IsMarkedToBePrinted": "false",
        },
        "JobsAndEstimatesPreferences": {
            "IsUsingEstimates": "true",
            "IsUsingProgressInvoicing": "false",
            "IsPrintingItemsWithZeroAmounts": "false",
        },
        # docs/web-connector.md §3.13: the switch and the home currency, by the currency's name.
        "MultiCurrencyPreferences": {
            "IsMultiCurrencyOn": "true" if books.info.multi_currency else "false",
            "HomeCurrencyRef": home_currency_ref(books),
        },
        "PurchasesAndVendorsPreferences": {
            "IsUsingInventory": "false",
            "DaysBillsAreDue": "10",
            "IsAutomaticallyUsingDiscounts": "false",
        },
        "ReportsPreferences": {"AgingReportBasis": "AgeFromDueDate", "SummaryReportBasis": "Accrual"},
        "SalesAndCustomersPreferences": {
            "IsTrackingReimbursedExpensesAsIncome": "false",
            "IsAutoApplyingPayments": "true",
        },
        "TimeTrackingPreferences": {"FirstDayOfWeek": "Monday"},
        "CurrentAppAccessRights": {"IsAutomaticLoginAllowed": "false", "IsPersonalDataAccessAllowed": "true"},
    }
    sales_tax = books.info.sales_tax
    if sales_tax:
        # QuickBooks only answers SalesTaxPreferences when sales tax is turned on, and then all
        # four children are required by the schema.
        item = _ref_to(books, "ItemSalesTax", sales_tax.get("default_item"))
        taxable = _ref_to(books, "SalesTaxCode", sales_tax.get("taxable_code"))
        non_taxable = _ref_to(books, "SalesTaxCode", sales_tax.get("non_taxable_code"))
        if item and taxable and non_taxable:
            record["SalesTaxPreferences"] = {
                "DefaultItemSalesTaxRef": item,
                "PaySalesTax": sales_tax.get("pay_sales_tax", "Monthly"),
                "DefaultTaxableSalesTaxCodeRef": taxable,
                "DefaultNonTaxableSalesTaxCodeRef": non_taxable,
            }
            if codes_carry_tax(books):
                # CA/UK (docs/web-connector.md §3.12): the simulated files take neither the vendor's
                # nor the customer's code and enter amounts without tax by default.
                record["SalesTaxPreferences"].update(
                    {
                        "IsUsingVendorTaxCode": "false",
                        "IsUsingCustomerTaxCode": "false",
                        "IsUsingAmountsIncludeTax": "false",
                    }
                )
    return record


def _host_query(books: Books, request: Request, runtime: Runtime) -> Outcome:
    return Outcome(rets=[("HostRet", host_ret(books))])


def _company_query(books: Books, request: Request, runtime: Runtime) -> Outcome:
    owners = request.body.get("OwnerID")
    owner_list = owners if isinstance(owners, list) else ([owners] if owners else [])
    return Outcome(rets=[("CompanyRet", company_ret(books, owner_list))])


def _preferences_query(books: Books, request: Request, runtime: Runtime) -> Outcome:
    return Outcome(rets=[("PreferencesRet", preferences_ret(books))])


def host_handlers() -> dict[str, Handler]:
    return {
        "HostQueryRq": _host_query,
        "CompanyQueryRq": _company_query,
        "PreferencesQueryRq": _preferences_query,
    }
