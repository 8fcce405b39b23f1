"""What both services' app factories share: lifespan (engine, verifier, secret box), error
handlers, middleware, and the shared /v1 routers. Each service adds its own routes and hooks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI

from espqb.api import health
from espqb.api.context import AppContext
from espqb.api.deps import refuse_nul_text
from espqb.api.docs import install_docs
from espqb.api.errors import install_error_handlers
from espqb.api.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from espqb.api.security_headers import SecuredFastAPI
from espqb.config import Settings, get_settings
from espqb.db import Database
from espqb.db.migrate import current_heads
from espqb.integration.endpoints import router as integration_router
from espqb.jobs.endpoints import router as jobs_router
from espqb.lookups.endpoints import router as lookups_router
from espqb.lookups.provider import LookupProvider, RecordFinder
from espqb.mappings.endpoints import router as mappings_router
from espqb.observability.exposition import metrics_port_hooks
from espqb.observability.logging import configure_logging
from espqb.security.crypto import SecretBox
from espqb.security.jwt import TokenVerifier
from espqb.sending.endpoints import router as sending_router

Hook = Callable[[AppContext], Awaitable[None]]

SHARED_ROUTERS: tuple[APIRouter, ...] = (
    integration_router,
    sending_router,
    jobs_router,
    mappings_router,
    lookups_router,
)


def build_context(service: str, product: str, settings: Settings, db: Database | None = None) -> AppContext:
    return AppContext(
        service=service,
        service_product=product,
        settings=settings,
        db=db or Database.from_url(settings.database_url, echo=settings.database_echo),
        verifier=TokenVerifier(
            secret=settings.esp_jwt_secret.get_secret_value(),
            jwks_url=settings.esp_jwks_url,
            issuer=settings.esp_jwt_issuer,
            audience=settings.esp_jwt_audience,
        ),
        secret_box=SecretBox.from_setting(settings.encryption_keys.get_secret_value()),
    )


def build_app(
    *,
    service: str,
    product: str,
    title: str,
    description: str,
    settings: Settings | None = None,
    routers: Sequence[APIRouter] = (),
    lookups: Callable[[AppContext], LookupProvider] | None = None,
    records: Callable[[AppContext], RecordFinder] | None = None,
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    extras: dict[str, Any] | None = None,
    body_limit_exempt: tuple[str, ...] = (),
) -> FastAPI:
    settings = settings or get_settings()
    start_metrics_port, stop_metrics_port = metrics_port_hooks()
    on_startup, on_shutdown = (start_metrics_port, *on_startup), (*on_shutdown, stop_metrics_port)
    configure_logging(
        json_logs=(settings.log_format or ("console" if settings.is_development else "json")) == "json",
        level=settings.log_level,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = build_context(service, product, settings)
        ctx.extras.update(extras or {})
        heads = current_heads(settings.database_url)
        ctx.extras.setdefault("migration_head", next(iter(heads)) if len(heads) == 1 else None)
        if lookups is not None:
            ctx.lookups = lookups(ctx)
        if records is not None:
            ctx.records = records(ctx)
        app.state.ctx = ctx
        for hook in on_startup:
            await hook(ctx)
        try:
            yield
        finally:
            for hook in reversed(on_shutdown):
                await hook(ctx)
            await ctx.db.dispose()

    app = SecuredFastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # `/v1/jobs/` is not `/v1/jobs`: a 404, not a redirect to another resource.
        redirect_slashes=False,
    )
    install_docs(app)
    install_error_handlers(app)
    app.include_router(health.router)
    for router in (*SHARED_ROUTERS, *routers):
        app.include_router(router, dependencies=[Depends(refuse_nul_text)])
    app.add_middleware(
        BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes, exempt_paths=body_limit_exempt
    )
    app.add_middleware(RequestContextMiddleware, service=service)
    return app
