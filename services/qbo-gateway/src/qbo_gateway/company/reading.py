"""Asking QuickBooks Online about the company: four queries, a fifth with multi-currency on.

Through the gateway's ``CompanyApi`` (rate limiter, retries, typed errors, docs/quickbooks-online.md
§2.10–§2.11); every one is a query (§2.6), ``SELECT * FROM CompanyInfo`` / ``Preferences`` being
single records. Tax codes and rates are read in full (they are few; QBO has no change feed for them,
§6.6). Done once per connection and then daily — never per send.
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
    return company_from_qbo(info, preferences, codes, rates, currencies, read_at=now())
