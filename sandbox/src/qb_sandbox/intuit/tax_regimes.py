"""Sales and purchase tax by edition: which line codes a company takes, and the tax QBO computes.

* US (docs/quickbooks-online.md §6.4): line codes are the pseudo codes ``TAX``/``NON`` (anything else
  is 6100); one transaction code (``TxnTaxDetail.TxnTaxCodeRef``) carries the rates.
* US with automated sales tax (§6.3): a line without a code counts as ``TAX`` (the 2018 AST update,
  https://developer.intuit.com/hub/blog/2018/03/28/automated-sales-tax-quickbooks-online-api-update);
  AST picks the transaction code itself, and ``TotalTax`` is an override only together with
  ``TxnTaxCodeRef`` — alone it is ignored and AST computes its own figure
  (https://github.com/intuit/QuickBooks-V3-PHP-SDK/issues/199).
* Outside the US (§6.5): every sales line and every bill or purchase-order line names one of the
  company's codes, or QBO answers 6000 with the country's message
  (https://github.com/ruckus/quickbooks-ruby/issues/351, https://github.com/intuit/quickbooks-online-mcp-server/issues/94,
  https://github.com/ruckus/quickbooks-ruby/issues/322); ``TAX``/``NON`` do not exist there (2500). The
  tax is computed from the codes: each rate once over the lines carrying it, half up
  (https://github.com/ruckus/quickbooks-ruby/issues/547); sales use the code's ``SalesTaxRateList``,
  bills and purchase orders its ``PurchaseTaxRateList``. ``GlobalTaxCalculation`` says whether amounts
  include tax (``TaxExcluded`` when not sent); it does not apply to US companies, which ignore it here.
  A ``TotalTax`` sent by the client is not an override there: QBO computes from the codes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import faults
from .txn_math import ZERO, cents

if TYPE_CHECKING:
    from .books import Record
    from .company import Company

__all__ = ["CodedTax", "coded_tax", "global_calculation", "line_code", "purchase_line_code"]

US_LINE_TAX_CODES = ("TAX", "NON")
GLOBAL_CALCULATIONS = ("TaxExcluded", "TaxInclusive", "NotApplicable")


def line_code(company: Company, given: Any, item: Record | None, element: str) -> dict[str, Any]:
    """The TaxCodeRef a sales line is stored with."""
    edition = company.edition
    if edition.per_line_codes:
        return _company_code(company, given, element)
    if edition.automated_sales_tax:
        default = "TAX"  # AST: a line without a code is taxable; its item and customer decide
    else:
        default = "TAX" if item is not None and item.body.get("Taxable") else "NON"
    code = (given or {}).get("value", default)
    if code not in US_LINE_TAX_CODES:
        # §6.4: US line tax codes are the pseudo codes TAX / NON (error 6100).
        raise faults.business_validation(
            "Valid Line TaxCodes for US should be TAX or NON", f"{element}.TaxCodeRef", "6100"
        )
    return {"value": code}


def purchase_line_code(company: Company, given: Any, element: str) -> dict[str, Any]:
    """The TaxCodeRef a bill or purchase-order line is stored with (US: NON when not sent)."""
    if company.edition.per_line_codes:
        return _company_code(company, given, element)
    return given if isinstance(given, dict) and given.get("value") else {"value": "NON"}


def _company_code(company: Company, given: Any, element: str) -> dict[str, Any]:
    if not isinstance(given, dict) or given.get("value") in (None, ""):
        raise faults.business_validation(
            company.edition.missing_code_message, f"{element}.TaxCodeRef", "6000"
        )
    return company.resolve_ref("TaxCode", given, f"{element}.TaxCodeRef")


def global_calculation(company: Company, body: dict[str, Any]) -> str | None:
    """``GlobalTaxCalculation`` as stored: outside the US the value sent (TaxExcluded by default)."""
    if not company.edition.per_line_codes:
        return None  # "not applicable to US companies" (§6.5)
    value = body.get("GlobalTaxCalculation") or "TaxExcluded"
    if value not in GLOBAL_CALCULATIONS:
        raise faults.invalid_enumeration(f"GlobalTaxCalculation {value}", "GlobalTaxCalculation")
    return str(value)


@dataclass(frozen=True)
class CodedTax:
    total: Decimal
    tax_lines: list[dict[str, Any]]
    inclusive: bool  # the amounts already contain the tax


def coded_tax(
    company: Company,
    lines: list[tuple[Decimal, str]],
    *,
    discount: Decimal = ZERO,
    discount_before_tax: bool = False,
    calculation: str = "TaxExcluded",
    purchase: bool = False,
) -> CodedTax:
    """The tax of lines given as (amount, TaxCode Id), each rate rounded once.

    With a discount taken before tax, each code's lines lose their share of it (discount × their
    amount / subtotal, to the cent). ``TaxInclusive``: the tax is the part of the amounts that is tax.
    """
    if calculation == "NotApplicable":
        return CodedTax(ZERO, [], inclusive=False)
    subtotal = sum((amount for amount, _ in lines), ZERO)
    by_code: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for amount, code_id in lines:
        by_code[code_id] += amount
    bases: dict[str, tuple[dict[str, Any], Decimal, Decimal]] = {}  # rate id -> (ref, percent, base)
    for code_id, amount in by_code.items():
        share = cents(discount * amount / subtotal) if discount_before_tax and discount and subtotal else ZERO
        for ref, percent in _rates(company, code_id, purchase):
            current = bases.get(ref["value"])
            base = amount - share
            bases[ref["value"]] = (ref, percent, base + (current[2] if current else ZERO))
    tax_lines: list[dict[str, Any]] = []
    total = ZERO
    inclusive = calculation == "TaxInclusive"
    for ref, percent, base in bases.values():
        if inclusive:
            amount = cents(base * percent / (Decimal(100) + percent))
            net = base - amount
        else:
            amount, net = cents(base * percent / Decimal(100)), base
        total += amount
        tax_lines.append(
            {
                "Amount": amount,
                "DetailType": "TaxLineDetail",
                "TaxLineDetail": {
                    "TaxRateRef": ref,
                    "PercentBased": True,
                    "TaxPercent": percent,
                    "NetAmountTaxable": cents(net),
                },
            }
        )
    return CodedTax(cents(total), tax_lines, inclusive)


def _rates(company: Company, code_id: str, purchase: bool) -> list[tuple[dict[str, Any], Decimal]]:
    code = company.books.get("TaxCode", code_id)
    if code is None:
        return []
    list_name = "PurchaseTaxRateList" if purchase else "SalesTaxRateList"
    out = []
    for detail in (code.body.get(list_name) or {}).get("TaxRateDetail") or []:
        rate = company.books.get("TaxRate", str(detail["TaxRateRef"]["value"]))
        if rate is not None:
            ref = {"value": rate.id, "name": rate.body.get("Name")}
            out.append((ref, Decimal(str(rate.body.get("RateValue", 0)))))
    return out


def ast_code_id(company: Company) -> str | None:
    """The transaction code automated sales tax applies: the company's first code with sales rates."""
    for record in company.books.records("TaxCode"):
        if (record.body.get("SalesTaxRateList") or {}).get("TaxRateDetail"):
            return record.id
    return None
