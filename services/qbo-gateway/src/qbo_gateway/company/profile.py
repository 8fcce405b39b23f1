"""QBO's answers → ``QuickBooksCompany`` (pure).

* ``CompanyInfo.Country``: the country whose rules the books follow; ``US``/``USA``, ``CA``/``CAN``,
  ``GB``/``UK``/``GBR``, ``AU``/``AUS`` (docs/quickbooks-online.md §6.1); the company address's country
  when it is missing.
* ``Preferences.TaxPrefs.PartnerTaxEnabled`` present and true: automated sales tax (US only, §6.3);
  ``TaxPrefs.UsingSalesTax``; ``CurrencyPrefs.MultiCurrencyEnabled`` and ``HomeCurrency`` (§6.7);
  ``SalesFormsPrefs.CustomTxnNumbers`` and ``AllowDiscount`` (§6.2).
* ``TaxCode`` with the ``RateValue`` of each ``TaxRate`` its ``SalesTaxRateList`` /
  ``PurchaseTaxRateList`` names, by Id (§6.6). The US pseudo codes ``TAX``/``NON`` are left out: they
  are line markers, not codes with rates (§6.4). Inactive codes are left out too.
* ``CompanyCurrency``: the active currencies besides the home currency, with multi-currency on (§6.7).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from espqb.plan.company import QuickBooksCompany, TaxCode, TaxRate, normalise_country

__all__ = ["HOME_CURRENCIES", "US_PSEUDO_CODES", "company_from_qbo", "tax_codes", "tax_rates"]

US_PSEUDO_CODES = frozenset({"TAX", "NON"})
# What QBO uses when Preferences do not say (a single-currency company of that country).
HOME_CURRENCIES = {"US": "USD", "CA": "CAD", "GB": "GBP", "AU": "AUD"}


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _active(row: Mapping[str, Any]) -> bool:
    return row.get("Active") is not False and str(row.get("Active")).lower() != "false"


def _ref_value(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("value")
    return str(value) if value not in (None, "") else None


def _percent(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else Decimal(0)
    except (InvalidOperation, ValueError):
        return Decimal(0)


def tax_rates(rows: Iterable[Mapping[str, Any]]) -> dict[str, TaxRate]:
    """Every TaxRate by Id (inactive ones too: an active code may still name one)."""
    return {
        str(row["Id"]): TaxRate(
            id=str(row["Id"]), name=str(row.get("Name") or row["Id"]), percent=_percent(row.get("RateValue"))
        )
        for row in rows
        if row.get("Id") is not None
    }


def _rate_list(value: Any, rates: Mapping[str, TaxRate]) -> tuple[TaxRate, ...]:
    details = value.get("TaxRateDetail") if isinstance(value, Mapping) else None
    out: list[TaxRate] = []
    for detail in details or []:
        rate_id = _ref_value(detail.get("TaxRateRef")) if isinstance(detail, Mapping) else None
        if rate_id is None:
            continue
        known = rates.get(rate_id)
        if known is None:
            name = (
                (detail.get("TaxRateRef") or {}).get("name")
                if isinstance(detail.get("TaxRateRef"), Mapping)
                else None
            )
            known = TaxRate(id=rate_id, name=str(name or rate_id), percent=Decimal(0))
        out.append(known)
    return tuple(out)


def tax_codes(rows: Iterable[Mapping[str, Any]], rates: Mapping[str, TaxRate]) -> tuple[TaxCode, ...]:
    codes: list[TaxCode] = []
    for row in rows:
        code_id = str(row.get("Id") or "")
        if not code_id or code_id.upper() in US_PSEUDO_CODES or not _active(row):
            continue
        sales = _rate_list(row.get("SalesTaxRateList"), rates)
        purchases = _rate_list(row.get("PurchaseTaxRateList"), rates)
        taxable = row.get("Taxable")
        codes.append(
            TaxCode(
                id=code_id,
                name=str(row.get("Name") or code_id),
                description=str(row["Description"]) if row.get("Description") else None,
                taxable=_true(taxable) if taxable is not None else any(r.percent for r in sales + purchases),
                sales_rates=sales,
                purchase_rates=purchases,
            )
        )
    return tuple(codes)


def _country(info: Mapping[str, Any]) -> str:
    said = info.get("Country")
    if not said:
        address = info.get("CompanyAddr") or info.get("LegalAddr") or {}
        said = address.get("Country") if isinstance(address, Mapping) else None
    return normalise_country(str(said) if said else None)


def company_from_qbo(
    info: Mapping[str, Any],
    preferences: Mapping[str, Any],
    tax_code_rows: Iterable[Mapping[str, Any]],
    tax_rate_rows: Iterable[Mapping[str, Any]],
    currency_rows: Iterable[Mapping[str, Any]] = (),
    *,
    read_at: datetime | None = None,
) -> QuickBooksCompany:
    country = _country(info)
    tax_prefs = preferences.get("TaxPrefs") or {}
    currency_prefs = preferences.get("CurrencyPrefs") or {}
    sales_forms = preferences.get("SalesFormsPrefs") or {}
    home = (_ref_value(currency_prefs.get("HomeCurrency")) or HOME_CURRENCIES.get(country, "USD")).upper()
    multi = _true(currency_prefs.get("MultiCurrencyEnabled"))
    currencies = (
        sorted(
            {
                str(row.get("Code")).upper()
                for row in currency_rows
                if row.get("Code") and _active(row) and str(row.get("Code")).upper() != home
            }
        )
        if multi
        else []
    )
    using = tax_prefs.get("UsingSalesTax")
    custom_numbers = sales_forms.get("CustomTxnNumbers")
    allow_discount = sales_forms.get("AllowDiscount")
    return QuickBooksCompany(
        product="qbo",
        name=str(info.get("CompanyName") or info.get("LegalName") or "") or None,
        country=country,
        home_currency=home,
        multi_currency=multi,
        currencies=tuple(currencies),
        uses_sales_tax=_true(using) if using is not None else True,
        # Element absent: not an AST company; false: AST on but sales tax not set up yet (§6.3).
        automated_sales_tax=country == "US" and _true(tax_prefs.get("PartnerTaxEnabled")),
        tax_codes=tax_codes(tax_code_rows, tax_rates(tax_rate_rows)),
        custom_txn_numbers=_true(custom_numbers) if custom_numbers is not None else True,
        allow_discount=_true(allow_discount) if allow_discount is not None else True,
        read_at=read_at,
    )
