"""Typed dependencies that keep endpoint signatures short: `ContextDep`, `SessionDep`, `PrincipalDep`,
`AdminDep`; and `gateway_state` / `gateway_dependency`, how a gateway reads its own typed state.

The request's database transaction is opened by `SessionDep` and committed when the endpoint
returns (scope="function": before the response is sent, so a client that reads right after a 202
sees what was written), rolled back if it raises.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.api.context import AppContext
from espqb.api.errors import Forbidden, InvalidText, Unauthorized
from espqb.security.jwt import InvalidToken, Principal

_bearer = HTTPBearer(
    auto_error=False, description="A JWT signed by ESP (claims: sub, company_id, roles, teams, exp)"
)


def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]

S = TypeVar("S")


def gateway_state(ctx: AppContext, kind: type[S]) -> S:
    """The running gateway's own state, of type ``kind`` (built by the lifespan it gave `build_app`)."""
    if not isinstance(ctx.gateway, kind):
        raise TypeError(f"this app's gateway state is a {type(ctx.gateway).__name__}, not a {kind.__name__}")
    return ctx.gateway


def gateway_dependency(kind: type[S]) -> Callable[[AppContext], S]:
    """A FastAPI dependency giving the running gateway's state: ``Annotated[K, Depends(gateway_dependency(K))]``."""

    def get_gateway_state(ctx: ContextDep) -> S:
        return gateway_state(ctx, kind)

    return get_gateway_state


async def get_session(ctx: ContextDep) -> AsyncIterator[AsyncSession]:
    async with ctx.db.transaction() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_principal(
    ctx: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("Send the ESP token as `Authorization: Bearer <JWT>`.")
    try:
        return await ctx.verifier.verify(credentials.credentials)
    except InvalidToken as exc:
        raise Unauthorized(f"The ESP token was refused: {exc}.") from None


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def require_admin(principal: PrincipalDep) -> Principal:
    if not principal.is_admin:
        raise Forbidden("Only a company admin can change the QuickBooks integration or its settings.")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]


# A JSON string escape for NUL that is not itself escaped (an odd run of backslashes before "u0000").
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


async def refuse_nul_text(request: Request) -> None:
    """PostgreSQL cannot store the NUL character in text or JSONB; refuse it at the edge with a
    clear 422 instead of failing deep inside a transaction."""
    if "%00" in request.url.query or "%00" in request.url.path:
        raise InvalidText("Text in the URL must not contain the NUL character (%00).")
    if request.method in ("POST", "PUT", "PATCH") and _JSON_NUL.search(await request.body()):
        raise InvalidText("Text in the request must not contain the NUL character (\\u0000).")
