"""The qbo-gateway FastAPI app factory (`uvicorn --factory qbo_gateway.app:create_app`).

Its lifespan builds the typed `QboState`: the connection first, then sending, which uses the
connection's token provider (and stops before it). The shared API gets from it the lookups (QBO's
lists), the start state of a new send (held while the connection needs re-authorisation) and the
uninstall hook (revoke the tokens)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI

from espqb.api.app import build_app
from espqb.api.context import AppContext
from espqb.config import Settings
from qbo_gateway.connection import router as connection_router
from qbo_gateway.connection import running_connection
from qbo_gateway.connection import service as connection_service
from qbo_gateway.connection.deadlines import earliest_deadline
from qbo_gateway.state import QboState
from qbo_gateway.webhooks import router as webhooks_router
from qbo_gateway.worker import running_sending

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


@asynccontextmanager
async def qbo_lifespan(ctx: AppContext) -> AsyncIterator[QboState]:
    async with running_connection(ctx) as connection, running_sending(ctx, connection) as sending:
        yield QboState(connection, sending)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app(
        service="qbo-gateway",
        product="qbo",
        title="esp-quickbooks: qbo-gateway",
        description=DESCRIPTION,
        settings=settings,
        routers=[connection_router, webhooks_router],
        gateway=qbo_lifespan,
        lookups=lambda qbo: qbo.sending.lookups,
        records=lambda qbo: qbo.sending.lookups,  # links are checked against QuickBooks Online
        start_state=connection_service.start_state,
        uninstall_hooks=lambda qbo: [connection_service.uninstall_hook(qbo.connection)],
        # Gauges only the database knows (queue depth, Web Connector last poll, re-authorisation
        # deadlines), refreshed for /metrics every 15 s.
        reauth_deadlines=lambda s: partial(earliest_deadline, policy_days=s.reauth_policy_days),
    )
