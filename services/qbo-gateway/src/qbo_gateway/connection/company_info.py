"""Reading the connected company's name (CompanyInfo) right after the code exchange.

`GET /v3/company/{realmId}/companyinfo/{realmId}` (docs/quickbooks-online.md §2.1: paths under
/v3/company/{realmId}, case sensitive; minorversion on every call). It is also the first real use of the new
tokens: a 401/403 here means the keys and the environment do not match (docs/quickbooks-online.md §1.3), which
is why the callback stores nothing when it fails.
"""

from __future__ import annotations

from typing import Any

import httpx

from espqb.config import Settings
from espqb.errors import EspqbError


class CompanyInfoUnavailable(EspqbError):
    """QuickBooks Online did not say the company's name; ``http_status`` is what it answered."""

    slug, title = "quickbooks-online-company-unreadable", "QuickBooks Online did not describe the company"

    def __init__(self, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


async def read_company_name(
    http: httpx.AsyncClient, settings: Settings, realm_id: str, access_token: str
) -> str | None:
    base = settings.intuit_api_base_url.rstrip("/")
    try:
        response = await http.get(
            f"{base}/v3/company/{realm_id}/companyinfo/{realm_id}",
            params={"minorversion": str(settings.qbo_minor_version)},
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
    except httpx.HTTPError as exc:
        raise CompanyInfoUnavailable(
            f"QuickBooks Online could not be reached ({type(exc).__name__})"
        ) from None
    if response.status_code != 200:
        raise CompanyInfoUnavailable(
            f"QuickBooks Online answered HTTP {response.status_code} when asked for the company's details",
            response.status_code,
        )
    try:
        info: Any = response.json().get("CompanyInfo") or {}
    except (ValueError, AttributeError):
        raise CompanyInfoUnavailable("QuickBooks Online's answer about the company was not JSON") from None
    name = info.get("CompanyName") or info.get("LegalName") if isinstance(info, dict) else None
    return str(name) if name else None
