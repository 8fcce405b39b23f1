"""Liveness, readiness and Prometheus metrics, on every service."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from espqb.api.deps import ContextDep
from espqb.api.errors import UpstreamUnavailable

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
    expected = ctx.extras.get("migration_head")
    if expected and version != expected:
        raise UpstreamUnavailable(
            f"The database is at migration {version}, this build needs {expected}; run `espqb migrate`."
        )
    return {"status": "ready", "service": ctx.service, "migration": str(version)}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
