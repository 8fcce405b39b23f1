"""The qbwc-gateway FastAPI app factory (`uvicorn --factory qbwc_gateway.app:create_app`)."""

from __future__ import annotations

from fastapi import FastAPI, Request

from espqb.api.app import build_app
from espqb.api.context import AppContext
from espqb.config import Settings, get_settings
from espqb.db.types import utcnow
from espqb.observability.sampling import sampler_hooks

from .install import router as install_router
from .install import support_router
from .listcache import DesktopLookups
from .session import DesktopWebConnector, SessionOptions
from .session.handler import Clock
from .soap import WebConnectorHandler, soap_router

DESCRIPTION = """
The QuickBooks Desktop half of esp-quickbooks.

* **Shared /v1 API** (also served by qbo-gateway): integration install/uninstall, settings,
  "Send to QuickBooks" (durable send jobs), jobs, mappings, CRM customer links and drop-down lookups.
* **QuickBooks Desktop**: the Web Connector file (`GET /v1/qbwc/qwc`), its password
  (`POST /v1/qbwc/password`), and the Web Connector status (`GET /v1/qbwc/status`). Lookups answer
  from the list cache the Web Connector keeps fresh.
* **The Web Connector's SOAP endpoint** is `POST /qbwc` (WSDL at `GET /qbwc?wsdl`).
* Every `/v1` request carries `Authorization: Bearer <JWT>` signed by ESP (claims `sub`, `company_id`,
  `roles`, `teams`, `exp`). The company always comes from the token.
* Errors are `application/problem+json` (RFC 9457) with a stable `type`.
"""

HANDLER_KEY = "qbwc_handler"
OPTIONS_KEY = "qbwc_options"


def get_handler(request: Request) -> WebConnectorHandler:
    ctx: AppContext = request.app.state.ctx
    handler: WebConnectorHandler = ctx.extras[HANDLER_KEY]
    return handler


def create_app(
    settings: Settings | None = None,
    *,
    options: SessionOptions | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """``options`` and ``clock`` are for tests and the benchmark; production reads the settings."""
    settings = settings or get_settings()
    session_options = options or SessionOptions.from_settings(settings)

    async def start_web_connector(ctx: AppContext) -> None:
        ctx.extras[HANDLER_KEY] = DesktopWebConnector(
            ctx.db, ctx.settings, options=session_options, clock=clock or utcnow
        )

    async def stop_web_connector(ctx: AppContext) -> None:
        handler = ctx.extras.get(HANDLER_KEY)
        if handler is not None:
            await handler.aclose()

    # Gauges only the database knows (queue depth, Web Connector last poll), refreshed for /metrics.
    start_metrics, stop_metrics = sampler_hooks()
    public_url = settings.qbwc_public_url.rstrip("/") + "/qbwc"
    return build_app(
        service="qbwc-gateway",
        product="qbd",
        title="esp-quickbooks: qbwc-gateway",
        description=DESCRIPTION,
        settings=settings,
        routers=(
            install_router,
            support_router,
            soap_router(get_handler, public_url=public_url, max_body_bytes=settings.qbwc_max_soap_body_bytes),
        ),
        lookups=lambda _ctx: DesktopLookups(),
        records=lambda _ctx: DesktopLookups(),
        on_startup=(start_web_connector, start_metrics),
        on_shutdown=(stop_web_connector, stop_metrics),
        extras={OPTIONS_KEY: session_options},
        body_limit_exempt=("/qbwc",),
    )
