"""Asking QuickBooks Online about the company: five queries; one more each with multi-currency on,
class tracking on and locations on.

Through the gateway's ``CompanyApi`` (rate limiter, retries, typed errors, docs/quickbooks-online.md
§2.10–§2.11); every one is a query (§2.6), ``SELECT * FROM CompanyInfo`` / ``Preferences`` being
single records. Tax codes and rates are read in full (they are few; QBO has no change feed for them,
§6.6). The reference lists documents name (docs/quickbooks-online.md §7.3, §7.8): ``Term`` always,
``Class`` only when class tracking is on and ``Department`` only when locations are tracked — the
plan neither links nor creates what the company does not use. Done once per connection and then
daily — never per send.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from espqb.plan.company import QuickBooksCompany
from qbo_gateway.client import CompanyApi
from qbo_gateway.company.profile import company_from_qbo

__all__ = ["PROFILE_QUERIES", "read_company"]

PROFILE_QUERIES = {
    "CompanyInfo": "SELECT * FROM CompanyInfo",
    "Preferences": "SELECT * FROM Preferences",
    "TaxCode": "SELECT * FROM TaxCode",
    "TaxRate": "SELECT * FROM TaxRate",
    "CompanyCurrency": "SELECT * FROM CompanyCurrency",
    "Term": "SELECT * FROM Term",
    "Class": "SELECT * FROM Class",
    "Department": "SELECT * FROM Department",
}


async def _one(api: CompanyApi, entity: str) -> dict[str, Any]:
    rows = (await api.query(PROFILE_QUERIES[entity])).get(entity) or []
    first = rows[0] if isinstance(rows, list) and rows else rows
    return first if isinstance(first, dict) else {}


async def read_company(
    api: CompanyApi, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> QuickBooksCompany:
    """Raises what the client raises (``QboFault`` and the connection's errors)."""
    info = await _one(api, "CompanyInfo")
    preferences = await _one(api, "Preferences")
    codes = await api.query_all("TaxCode", PROFILE_QUERIES["TaxCode"])
    rates = await api.query_all("TaxRate", PROFILE_QUERIES["TaxRate"])
    currencies: list[dict[str, Any]] = []
    if str((preferences.get("CurrencyPrefs") or {}).get("MultiCurrencyEnabled")).lower() == "true":
        currencies = await api.query_all("CompanyCurrency", PROFILE_QUERIES["CompanyCurrency"])
    accounting = preferences.get("AccountingInfoPrefs") or {}
    terms = await api.query_all("Term", PROFILE_QUERIES["Term"])
    classes: list[dict[str, Any]] = []
    if any(_on(accounting.get(k)) for k in ("ClassTrackingPerTxn", "ClassTrackingPerTxnLine")):
        classes = await api.query_all("Class", PROFILE_QUERIES["Class"])
    departments: list[dict[str, Any]] = []
    if _on(accounting.get("TrackDepartments")):
        departments = await api.query_all("Department", PROFILE_QUERIES["Department"])
    return company_from_qbo(
        info,
        preferences,
        codes,
        rates,
        currencies,
        term_rows=terms,
        class_rows=classes,
        department_rows=departments,
        read_at=now(),
    )


def _on(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
