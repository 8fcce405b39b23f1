"""What both services' app factories share: the lifespan (engine, verifier, secret box, the internal
metrics port and the database gauges' sampler), error handlers, middleware, and the shared /v1
routers. Each service adds its own routes, and gives its own lifespan (which builds and tears down
its typed state, `AppContext.gateway`) and the hooks the shared API needs from it as typed parameters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import TypeVar

from fastapi import APIRouter, Depends, FastAPI
from starlette.middleware.cors import CORSMiddleware

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
from espqb.integration.service import UninstallHook
from espqb.jobs.endpoints import router as jobs_router
from espqb.lookups.endpoints import router as lookups_router
from espqb.lookups.provider import LookupProvider, RecordFinder
from espqb.mappings.endpoints import router as mappings_router
from espqb.observability.exposition import metrics_port
from espqb.observability.logging import configure_logging
from espqb.observability.sampling import running_sampler
from espqb.ops.status_model import DeadlineOf
from espqb.security.crypto import SecretBox
from espqb.security.jwt import TokenVerifier
from espqb.sending.endpoints import router as sending_router
from espqb.sending.service import StartStateHook

S = TypeVar("S")

# The gateway's part of the lifespan: builds its typed state from the context, tears it down after.
GatewayLifespan = Callable[[AppContext], AbstractAsyncContextManager[S]]

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
    gateway: GatewayLifespan[S],
    lookups: Callable[[S], LookupProvider],
    records: Callable[[S], RecordFinder],
    settings: Settings | None = None,
    routers: Sequence[APIRouter] = (),
    start_state: StartStateHook | None = None,
    uninstall_hooks: Callable[[S], Sequence[UninstallHook]] | None = None,
    reauth_deadlines: Callable[[Settings], DeadlineOf] | None = None,
    body_limit_exempt: tuple[str, ...] = (),
) -> FastAPI:
    """``gateway`` builds the service's typed state once the shared context exists; ``lookups``,
    ``records`` and ``uninstall_hooks`` are taken from that state; ``start_state`` decides a new
    send's first state; ``reauth_deadlines`` (qbo-gateway) adds the re-authorisation gauges."""
    settings = settings or get_settings()
    configure_logging(
        json_logs=(settings.log_format or ("console" if settings.is_development else "json")) == "json",
        level=settings.log_level,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = build_context(service, product, settings)
        heads = current_heads(settings.database_url)
        ctx.migration_head = next(iter(heads)) if len(heads) == 1 else None
        ctx.start_state = start_state
        async with AsyncExitStack() as stack:
            stack.push_async_callback(ctx.db.dispose)
            stack.enter_context(metrics_port(ctx))
            state = await stack.enter_async_context(gateway(ctx))
            ctx.lookups, ctx.records = lookups(state), records(state)
            ctx.uninstall_hooks = tuple(uninstall_hooks(state)) if uninstall_hooks is not None else ()
            await stack.enter_async_context(running_sampler(ctx, reauth_deadlines))
            ctx.gateway = state
            app.state.ctx = ctx
            yield

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
    if settings.cors_origins:
        # Outermost, so a preflight is answered before authentication or the body limit look at it.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Location", "Retry-After"],
            max_age=600,
        )
    return app
