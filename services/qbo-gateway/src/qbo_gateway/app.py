"""The qbo-gateway FastAPI app factory (`uvicorn --factory qbo_gateway.app:create_app`)."""

from __future__ import annotations

from fastapi import FastAPI

from espqb.api.app import build_app
from espqb.config import Settings

DESCRIPTION = """
The QuickBooks Online half of esp-quickbooks.

* **Shared /v1 API** (also served by qbwc-gateway): integration install/uninstall, settings,
  "Send to QuickBooks" (durable send jobs), jobs, mappings, CRM customer links and drop-down lookups.
* Every `/v1` request carries `Authorization: Bearer <JWT>` signed by ESP (claims `sub`, `company_id`,
  `roles`, `teams`, `exp`). The company always comes from the token.
* Errors are `application/problem+json` (RFC 9457) with a stable `type`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app(
        service="qbo-gateway",
        product="qbo",
        title="esp-quickbooks: qbo-gateway",
        description=DESCRIPTION,
        settings=settings,
    )
