"""Orders never land in the wrong books: the company file is pinned on the first session (pure).

The first session records which company file answered: its name from CompanyQuery, its path, and
the ``FileID`` data extension the Web Connector writes under our OwnerID (docs/web-connector.md §1.5, §2: "use
the CompanyRet's FileID DataExt to verify you are talking to the expected company file"). A later
session from another company file is refused with an explanation instead of sending anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..responses import HcpInfo


def _fold(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def pin(hcp: HcpInfo, company_file_name: str, *, owner_id: str, now: datetime) -> dict[str, Any]:
    """What to remember about the company file of the first session."""
    return {
        "company_name": hcp.company.company_name,
        "legal_name": hcp.company.legal_name,
        "file_path": company_file_name or None,
        "file_id": hcp.company.file_ids.get(owner_id.upper()),
        "product": hcp.host.product_name,
        "country": hcp.host.country,
        "sales_tax_on": hcp.preferences.sales_tax_on,
        "multi_currency_on": hcp.preferences.multi_currency_on,
        "pinned_at": now.isoformat(),
    }


def is_pinned(pinned: dict[str, Any] | None) -> bool:
    return bool(pinned and pinned.get("pinned_at"))


def refusal(
    pinned: dict[str, Any], hcp: HcpInfo, company_file_name: str, *, owner_id: str, our_file_id: str
) -> str | None:
    """Why this company file is not the pinned one, in words; None when it is."""
    found_file_id = hcp.company.file_ids.get(owner_id.upper())
    other_account = found_file_id is not None and found_file_id.upper() != our_file_id.upper()
    other_name = _fold(hcp.company.company_name) != _fold(pinned.get("company_name"))
    if not other_account and not other_name:
        return None
    found = f"“{hcp.company.company_name or 'unnamed company'}”"
    if company_file_name:
        found += f" ({company_file_name})"
    expected = f"“{pinned.get('company_name') or 'unnamed company'}”"
    if pinned.get("file_path"):
        expected += f" ({pinned['file_path']})"
    since = str(pinned.get("pinned_at", ""))[:10]
    reason = (
        "That company file is registered with another ESP account's Web Connector file."
        if other_account
        else f"ESP sends to {expected}, the company file it first connected to{f' on {since}' if since else ''}."
    )
    return (
        f"Nothing was sent: QuickBooks has the company file {found} open. {reason} To protect your books, "
        f"open {expected} in QuickBooks and update again. If your company really moved to another company "
        "file, an admin can reset the link under Integrations → QuickBooks Desktop."
    )
