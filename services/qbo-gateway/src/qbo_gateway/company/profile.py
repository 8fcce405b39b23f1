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
* Document details (§7): ``SalesFormsPrefs.CustomField`` — groups of name/value pairs
  ``SalesFormsPrefs.UseSalesCustomN`` (on/off) and ``SalesFormsPrefs.SalesCustomNameN`` (the label), N
  being the field's DefinitionId (§7.11) — gives the field named for the customer's PO number ("P.O.
  Number", "PO #", "Purchase Order"…) and the one named for the sales rep ("Sales Rep", "Rep",
  "Salesperson"…); ``AccountingInfoPrefs.ClassTrackingPerTxn`` / ``ClassTrackingPerTxnLine`` the class
  tracking, ``TrackDepartments`` and ``DepartmentTerminology`` the locations and what they are called
  (§7.8); the active ``Term`` (``DueDays``; None for date-driven terms), ``Class`` and ``Department``
  entries, classes and locations by ``FullyQualifiedName`` (§7.3, §7.8).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from espqb.plan.company import (
    ClassTracking,
    ListEntry,
    QuickBooksCompany,
    TaxCode,
    TaxRate,
    normalise_country,
)

__all__ = [
    "HOME_CURRENCIES",
    "US_PSEUDO_CODES",
    "class_tracking",
    "company_from_qbo",
    "custom_field_for",
    "custom_fields",
    "list_entries",
    "tax_codes",
    "tax_rates",
]

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


# Labels of a sales-form custom field meant for the customer's PO number / the sales rep, compared
# without case, spaces or punctuation ("P.O. Number" → "ponumber").
_PO_LABELS = frozenset(
    {"ponumber", "po", "pono", "ponum", "purchaseorder", "purchaseordernumber", "customerpo"}
)
_PO_LABELS_HASH = frozenset({"po", "purchaseorder", "customerpo"})  # followed by "#": "PO #"
_REP_LABELS = frozenset({"salesrep", "rep", "salesperson", "salesrepresentative", "salesman", "repname"})


def _folded(label: str) -> str:
    return "".join(ch for ch in label.casefold() if ch.isalnum())


def custom_fields(preferences: Mapping[str, Any]) -> dict[str, str]:
    """DefinitionId → label of the sales-form custom fields that are on (§7.11)."""
    pairs: list[Mapping[str, Any]] = []
    for group in (preferences.get("SalesFormsPrefs") or {}).get("CustomField") or []:
        if isinstance(group, Mapping):
            inner = group.get("CustomField")
            pairs += [p for p in (inner if isinstance(inner, list) else [group]) if isinstance(p, Mapping)]
    labels: dict[str, str] = {}
    used: dict[str, bool] = {}
    for pair in pairs:
        name = str(pair.get("Name") or "")
        for prefix, target in (
            ("SalesFormsPrefs.SalesCustomName", "label"),
            ("SalesFormsPrefs.UseSalesCustom", "use"),
        ):
            if name.startswith(prefix) and name[len(prefix) :].isdigit():
                number = name[len(prefix) :]
                if target == "label":
                    labels[number] = str(pair.get("StringValue") or "").strip()
                else:
                    used[number] = _true(pair.get("BooleanValue"))
    return {n: label for n, label in sorted(labels.items()) if label and used.get(n, True)}


def custom_field_for(fields: Mapping[str, str], kind: str) -> str | None:
    """The DefinitionId of the field named for ``kind`` ("po_number" or "sales_rep"), if any."""
    for definition, label in fields.items():
        folded = _folded(label)
        if kind == "po_number" and (
            folded in _PO_LABELS or (label.strip().endswith("#") and folded in _PO_LABELS_HASH)
        ):
            return definition
        if kind == "sales_rep" and folded in _REP_LABELS:
            return definition
    return None


def class_tracking(preferences: Mapping[str, Any]) -> ClassTracking:
    prefs = preferences.get("AccountingInfoPrefs") or {}
    if _true(prefs.get("ClassTrackingPerTxnLine")):
        return "per_line"
    if _true(prefs.get("ClassTrackingPerTxn")):
        return "per_transaction"
    return "off"


def list_entries(rows: Iterable[Mapping[str, Any]], *, terms: bool = False) -> tuple[ListEntry, ...]:
    """Active Term, Class or Department rows; classes and locations by their full name."""
    out: list[ListEntry] = []
    for row in rows:
        if row.get("Id") is None or not _active(row):
            continue
        name = (
            str(row.get("Name") or "")
            if terms
            else str(row.get("FullyQualifiedName") or row.get("Name") or "")
        )
        if not name:
            continue
        due = row.get("DueDays") if terms else None
        out.append(ListEntry(id=str(row["Id"]), name=name, due_days=int(due) if due is not None else None))
    return tuple(sorted(out, key=lambda e: e.name.casefold()))


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
    term_rows: Iterable[Mapping[str, Any]] | None = None,
    class_rows: Iterable[Mapping[str, Any]] = (),
    department_rows: Iterable[Mapping[str, Any]] = (),
    read_at: datetime | None = None,
) -> QuickBooksCompany:
    """``term_rows`` None: the lists were not read (``lists_read`` stays false)."""
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
    fields = custom_fields(preferences)
    accounting = preferences.get("AccountingInfoPrefs") or {}
    tracks_locations = _true(accounting.get("TrackDepartments"))
    tracking = class_tracking(preferences)
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
        po_number_field=custom_field_for(fields, "po_number"),
        sales_rep_field=custom_field_for(fields, "sales_rep"),
        lists_read=term_rows is not None,
        terms=list_entries(term_rows or (), terms=True),
        classes=list_entries(class_rows) if tracking != "off" else (),
        locations=list_entries(department_rows) if tracks_locations else (),
        class_tracking=tracking,
        tracks_locations=tracks_locations,
        location_label=str(accounting.get("DepartmentTerminology") or "Location"),
        read_at=read_at,
    )
