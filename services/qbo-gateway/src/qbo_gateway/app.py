"""The qbo-gateway FastAPI app factory (`uvicorn --factory qbo_gateway.app:create_app`)."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI

from espqb.api.app import build_app
from espqb.config import Settings
from espqb.observability.sampling import sampler_hooks
from qbo_gateway.connection import router as connection_router
from qbo_gateway.connection import start_connection, stop_connection
from qbo_gateway.connection.deadlines import earliest_deadline
from qbo_gateway.webhooks import router as webhooks_router
from qbo_gateway.worker import lookups_for, records_for, start_sending, stop_sending

DESCRIPTION = """
The QuickBooks Online half of esp-quickbooks.

* **Shared /v1 API** (also served by qbwc-gateway): integration install/uninstall, settings,
  "Send to QuickBooks" (durable send jobs), jobs, mappings, CRM customer links and drop-down lookups.
* Every `/v1` request carries `Authorization: Bearer <JWT>` signed by ESP (claims `sub`, `company_id`,
  `roles`, `teams`, `exp`). The company always comes from the token.
* Errors are `application/problem+json` (RFC 9457) with a stable `type`.
* **QuickBooks Online connection** (`/v1/qbo/...`): connect through Intuit's sign-in (admins), the
  OAuth callback pages, the connection's status and re-authorisation deadlines, disconnect.
* **Intuit webhooks** (`POST /v1/qbo/webhooks`): signed data-change notifications; paid, voided and
  deleted invoices are recorded on their mappings.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    # Gauges only the database knows (queue depth, Web Connector last poll, re-authorisation
    # deadlines), refreshed for /metrics every 15 s.
    start_metrics, stop_metrics = sampler_hooks(
        lambda s: partial(earliest_deadline, policy_days=s.reauth_policy_days)
    )
    return build_app(
        service="qbo-gateway",
        product="qbo",
        title="esp-quickbooks: qbo-gateway",
        description=DESCRIPTION,
        settings=settings,
        routers=[connection_router, webhooks_router],
        lookups=lookups_for,
        records=records_for,
        # Sending uses the connection's token provider: it starts after it and stops before it.
        on_startup=[start_connection, start_sending, start_metrics],
        on_shutdown=[stop_connection, stop_sending, stop_metrics],
    )
