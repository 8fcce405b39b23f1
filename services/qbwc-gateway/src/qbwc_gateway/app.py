"""The qbwc-gateway FastAPI app factory (`uvicorn --factory qbwc_gateway.app:create_app`).

Its lifespan builds the typed `DesktopState`: the Web Connector handler the SOAP endpoint answers
with, and the session options. Lookups and link checks answer from the list cache."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

from espqb.api.app import build_app
from espqb.api.context import AppContext
from espqb.api.deps import gateway_state, get_context
from espqb.config import Settings, get_settings
from espqb.db.types import utcnow

from .install import router as install_router
from .install import support_router
from .listcache import DesktopLookups
from .session import DesktopWebConnector, SessionOptions
from .session.handler import Clock
from .soap import WebConnectorHandler, soap_router
from .state import DesktopState

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


async def get_handler(request: Request) -> WebConnectorHandler:
    """The SOAP endpoint's handler, read straight from the request: every Web Connector poll goes
    through here, so it costs one dependency, not a chain of them — and an ``async`` one: FastAPI
    runs a plain ``def`` dependency in its thread pool, a thread hop per call."""
    return gateway_state(get_context(request), DesktopState).handler


def create_app(
    settings: Settings | None = None,
    *,
    options: SessionOptions | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """``options`` and ``clock`` are for tests and the benchmark; production reads the settings."""
    settings = settings or get_settings()
    session_options = options or SessionOptions.from_settings(settings)

    @asynccontextmanager
    async def desktop_lifespan(ctx: AppContext) -> AsyncIterator[DesktopState]:
        handler = DesktopWebConnector(ctx.db, ctx.settings, options=session_options, clock=clock or utcnow)
        try:
            yield DesktopState(handler, session_options)
        finally:
            await handler.aclose()

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
        gateway=desktop_lifespan,
        lookups=lambda _desktop: DesktopLookups(),
        records=lambda _desktop: DesktopLookups(),
        body_limit_exempt=("/qbwc",),
    )
