"""Who we are to the Web Connector and to QuickBooks: the application's names and its OwnerID.

The OwnerID is one GUID for the application, never per version or per customer (docs/web-connector.md
§2: "GUID per application … used as private data-ext owner"); changing it would make every Web
Connector registration look new. The FileID is per company (``QbwcCredential.file_id``).

User names are random (about 130 bits), stored with the credential and shown in the ``.qwc``: knowing
a company id tells a stranger nothing about its user name. Companies installed before user names were
random keep the name they have (computed from the company id): their Web Connector keeps working, and
a wrong password no longer locks anyone out (``session/login_throttle.py``), so a known name costs
nothing but the stranger's own slowed-down attempts.
"""

from __future__ import annotations

import base64
import secrets
import uuid

OWNER_ID = "{5C0E7E52-3B1A-4F4D-9E57-2A4B8C6D1E90}"
APP_NAME = "ESP Orders"
APP_DESCRIPTION = "Sends ESP Orders invoices, payments, bills and purchase orders to QuickBooks."
SERVER_VERSION = "esp-quickbooks qbwc-gateway 1.0"


def new_file_id() -> str:
    """A FileID in the form the .qwc and QuickBooks' GUIDTYPE expect: ``{XXXXXXXX-…}``."""
    return "{" + str(uuid.uuid4()).upper() + "}"


def new_username() -> str:
    """A Web Connector user name nobody can derive: ``esp-`` and 26 random base32 characters."""
    return "esp-" + base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=").lower()


def app_name_for(company_name: str | None, company_id: str) -> str:
    """AppName is shown in the Web Connector and must differ per registration (docs/web-connector.md §2)."""
    return f"{APP_NAME} ({company_name or company_id})"[:80]
