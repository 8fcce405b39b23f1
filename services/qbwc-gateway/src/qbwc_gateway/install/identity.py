"""Who we are to the Web Connector and to QuickBooks: the application's names and its OwnerID.

The OwnerID is one GUID for the application, never per version or per customer (qbwc-facts §2:
"GUID per application … used as private data-ext owner"); changing it would make every Web
Connector registration look new. The FileID is per company (``QbwcCredential.file_id``).
"""

from __future__ import annotations

import re
import uuid

OWNER_ID = "{5C0E7E52-3B1A-4F4D-9E57-2A4B8C6D1E90}"
APP_NAME = "ESP Orders"
APP_DESCRIPTION = "Sends ESP Orders invoices, payments, bills and purchase orders to QuickBooks."
SERVER_VERSION = "esp-quickbooks qbwc-gateway 1.0"

_USERNAME_SAFE = re.compile(r"[^a-z0-9]+")


def new_file_id() -> str:
    """A FileID in the form the .qwc and QuickBooks' GUIDTYPE expect: ``{XXXXXXXX-…}``."""
    return "{" + str(uuid.uuid4()).upper() + "}"


def username_for(company_id: str) -> str:
    """The Web Connector user name of a company: readable, and unique through the company id."""
    slug = _USERNAME_SAFE.sub("-", company_id.lower()).strip("-")[:40] or "company"
    return f"esp-{slug}-{uuid.uuid5(uuid.NAMESPACE_URL, company_id).hex[:8]}"


def app_name_for(company_name: str | None, company_id: str) -> str:
    """AppName is shown in the Web Connector and must differ per registration (qbwc-facts §2)."""
    return f"{APP_NAME} ({company_name or company_id})"[:80]
