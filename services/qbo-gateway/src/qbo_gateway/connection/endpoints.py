"""HTTP only: /v1/qbo/connect, /v1/qbo/callback, /v1/qbo/connection, /v1/qbo/disconnect."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import HTMLResponse

from espqb.api.deps import AdminDep, ContextDep, PrincipalDep, SessionDep
from espqb.api.errors import PROBLEM_CONTENT_TYPE, V1_PROBLEMS, problem_response
from qbo_gateway.connection import service
from qbo_gateway.connection.pages import PAGE_HEADERS
from qbo_gateway.connection.runtime import ConnectionRuntime
from qbo_gateway.connection.schemas import ConnectionOut, ConnectOut, ConnectRequest, DisconnectOut
from qbo_gateway.state import QboDep

router = APIRouter(prefix="/v1/qbo", tags=["QuickBooks Online connection"])


def get_runtime(qbo: QboDep) -> ConnectionRuntime:
    return qbo.connection


RuntimeDep = Annotated[ConnectionRuntime, Depends(get_runtime)]


@router.post(
    "/connect",
    summary="Start connecting QuickBooks Online (admins)",
    responses={**V1_PROBLEMS, **problem_response(409, "QuickBooks Online is not the installed integration")},
)
async def connect(
    session: SessionDep,
    principal: AdminDep,
    runtime: RuntimeDep,
    body: Annotated[ConnectRequest | None, Body()] = None,
) -> ConnectOut:
    """Returns Intuit's sign-in URL for the admin's browser. The sign-in must be completed within 10
    minutes and can be completed once. Connecting books other than the ones connected before needs
    `{"confirm_realm_change": true}`."""
    confirm = body.confirm_realm_change if body is not None else False
    return await service.begin_connect(session, runtime, principal, confirm_realm_change=confirm)


@router.get(
    "/callback",
    response_class=HTMLResponse,
    summary="Where Intuit sends the browser back (OAuth redirect URI)",
    responses={
        200: {"description": "Connected: a page naming the QuickBooks company"},
        400: {
            "description": "A page explaining why nothing was connected (state, cancel, incomplete answer)"
        },
        409: {"description": "A page explaining that different books need an explicit confirmation"},
        502: {"description": "A page explaining that Intuit did not complete the connection"},
        # Refused before any page, as on every route: a problem (not HTML), hence no "model" here.
        422: {
            "description": "The URL carries a NUL character (%00)",
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        },
    },
)
async def callback(
    ctx: ContextDep,
    runtime: RuntimeDep,
    code: Annotated[str | None, Query()] = None,
    state: Annotated[str | None, Query()] = None,
    realm_id: Annotated[str | None, Query(alias="realmId")] = None,
    error: Annotated[str | None, Query()] = None,
    error_description: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """Not called with an ESP token: the `state` (single use, 10 minutes) binds it to the admin who
    started the sign-in. Every outcome is a plain HTML page; only success stores anything."""
    page = await service.complete_callback(
        runtime, service.CallbackParams(code, state, realm_id, error, error_description)
    )
    return HTMLResponse(page.html, status_code=page.status_code, headers=PAGE_HEADERS)


@router.get("/connection", summary="The company's QuickBooks Online connection", responses=V1_PROBLEMS)
async def get_connection(session: SessionDep, principal: PrincipalDep, runtime: RuntimeDep) -> ConnectionOut:
    """Realm, company name, status, re-authorisation deadlines (the earliest is `reauthorize_by`),
    last refresh and last error, and the QuickBooks company as last read (`company`: country, home
    currency and multi-currency, automated sales tax and the tax regime, sales-form preferences).
    Tokens are never shown."""
    return await service.read_connection(session, runtime, principal.company_id)


@router.post(
    "/disconnect",
    summary="Disconnect QuickBooks Online (admins)",
    responses={**V1_PROBLEMS, **problem_response(409, "QuickBooks Online was never connected")},
)
async def disconnect(session: SessionDep, principal: AdminDep, runtime: RuntimeDep) -> DisconnectOut:
    """Revokes the authorisation at Intuit and deletes the tokens. Queued sends are held until the
    company connects again; links to QuickBooks records are kept."""
    return await service.disconnect(session, runtime, principal)
