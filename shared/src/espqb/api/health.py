"""Liveness, readiness and (with a token) Prometheus metrics, on every service."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from espqb.api.deps import ContextDep
from espqb.api.errors import NotFound, Unauthorized, UpstreamUnavailable
from espqb.observability.exposition import token_matches

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz(ctx: ContextDep) -> dict[str, str]:
    return {"status": "ok", "service": ctx.service}


@router.get("/readyz", summary="Readiness: the database answers and is migrated")
async def readyz(ctx: ContextDep) -> dict[str, str]:
    try:
        async with ctx.db.engine.connect() as conn:
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception as exc:
        raise UpstreamUnavailable(
            f"The database is not ready ({type(exc).__name__}); run `espqb migrate`."
        ) from None
    expected = ctx.migration_head
    if expected and version != expected:
        raise UpstreamUnavailable(
            f"The database is at migration {version}, this build needs {expected}; run `espqb migrate`."
        )
    return {"status": "ready", "service": ctx.service, "migration": str(version)}


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, ctx: ContextDep) -> Response:
    """Prometheus metrics on the public port: only with ``METRICS_TOKEN`` and that token. Otherwise
    they are on the internal ``METRICS_PORT``, and this path does not exist."""
    token = ctx.settings.metrics_token
    if token is None:
        raise NotFound("Metrics are served on the internal METRICS_PORT, not on this port.")
    if not token_matches(request.headers.get("authorization"), token.get_secret_value()):
        raise Unauthorized("Metrics need Authorization: Bearer <METRICS_TOKEN>.")
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
