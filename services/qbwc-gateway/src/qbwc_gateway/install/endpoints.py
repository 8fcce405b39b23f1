"""HTTP only: the QuickBooks Desktop pages of Admin → Integrations, and the support page the Web
Connector opens (``AppSupport``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from espqb.api.deps import AdminDep, ContextDep, PrincipalDep, SessionDep
from espqb.api.errors import V1_PROBLEMS, ApiError
from espqb.db.types import utcnow

from ..state import DesktopDep
from . import service
from .qwc import QwcConfigError
from .schemas import CompanyFileBody, PasswordOut, QbwcStatusOut

router = APIRouter(prefix="/v1/qbwc", tags=["quickbooks desktop"], responses=V1_PROBLEMS)
support_router = APIRouter()


class QwcUnavailable(ApiError):
    status, slug, title = 409, "qwc-unavailable", "The Web Connector file cannot be made"


@router.get(
    "/qwc",
    summary="Download the Web Connector file (.qwc)",
    response_class=Response,
    responses={200: {"content": {"application/x-qwc": {}}, "description": "The .qwc file"}},
)
async def download_qwc(
    session: SessionDep,
    principal: AdminDep,
    ctx: ContextDep,
    run_every_minutes: Annotated[int | None, Query(ge=1, le=1440)] = None,
    run_every_seconds: Annotated[
        int | None, Query(ge=1, le=3599, description="Real-time polling instead of every N minutes.")
    ] = None,
) -> Response:
    """Add the file to the QuickBooks Web Connector on the computer running QuickBooks, answer
    "Yes, whenever this QuickBooks company file is open", and paste the password from
    `POST /v1/qbwc/password`. Auto-Run every 15 minutes unless `run_every_minutes` or
    `run_every_seconds` says otherwise."""
    await service.require_desktop(session, principal.company_id)
    if run_every_minutes is not None and run_every_seconds is not None:
        raise QwcUnavailable("Give run_every_minutes or run_every_seconds, not both.")
    try:
        text = await service.qwc_file(
            session,
            principal.company_id,
            ctx.settings,
            run_every_minutes=run_every_minutes,
            run_every_seconds=run_every_seconds,
        )
    except QwcConfigError as exc:
        raise QwcUnavailable(str(exc)) from None
    return Response(
        text,
        media_type="application/x-qwc",
        headers={"Content-Disposition": 'attachment; filename="esp-quickbooks.qwc"'},
    )


@router.post("/password", summary="Generate a new Web Connector password (shown once)")
async def generate_password(
    session: SessionDep, principal: AdminDep, ctx: ContextDep, response: Response
) -> PasswordOut:
    """ "Generate new password": the old password stops working at once; paste the new one into
    the Web Connector. Only a keyed hash is stored, so the password cannot be shown again."""
    await service.require_desktop(session, principal.company_id)
    response.headers["Cache-Control"] = "no-store"
    return await service.new_password(
        session,
        principal.company_id,
        principal.user_id,
        pepper=ctx.settings.qbwc_password_pepper.get_secret_value(),
        now=utcnow(),
    )


@router.get("/status", summary="Web Connector status: last poll, last session, cache, pending sends")
async def get_status(session: SessionDep, principal: PrincipalDep, desktop: DesktopDep) -> QbwcStatusOut:
    return await service.status(
        session, principal.company_id, now=utcnow(), cache_max_age=desktop.options.cache_max_age
    )


@router.put("/company-file", status_code=204, summary="Choose the company file the Web Connector opens")
async def put_company_file(body: CompanyFileBody, session: SessionDep, principal: AdminDep) -> Response:
    await service.require_desktop(session, principal.company_id)
    await service.set_company_file(session, principal.company_id, body.path, principal.user_id)
    return Response(status_code=204)


@router.post(
    "/company-file/reset", status_code=204, summary="Forget the pinned company file (the company moved books)"
)
async def reset_company_file(session: SessionDep, principal: AdminDep) -> Response:
    """Only when the company really moved to another QuickBooks company file: the list cache and
    every Desktop mapping are forgotten, and the next session pins the file it finds open."""
    await service.require_desktop(session, principal.company_id)
    await service.reset_company_file(session, principal.company_id, principal.user_id)
    return Response(status_code=204)


SUPPORT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ESP Orders – QuickBooks Desktop</title></head>
<body>
<h1>ESP Orders and the QuickBooks Web Connector</h1>
<p>This service receives the orders you send from ESP Orders with the "QB" button and writes them into
your QuickBooks Desktop company file each time the Web Connector updates.</p>
<ul>
<li>The Web Connector and QuickBooks must run on the same computer, with the company file open.</li>
<li>If the Web Connector reports a wrong password, generate a new one in ESP (Admin → Integrations →
QuickBooks Desktop) and paste it into the Web Connector.</li>
<li>The status of each send, and the Web Connector's last update, are shown in ESP.</li>
</ul>
</body></html>
"""


@support_router.get("/qbwc/support", include_in_schema=False)
async def support_page(request: Request) -> HTMLResponse:
    # The Web Connector fetches AppSupport when the .qwc is added and needs HTTP 200 (QBWC1003/1004).
    return HTMLResponse(SUPPORT_PAGE)
