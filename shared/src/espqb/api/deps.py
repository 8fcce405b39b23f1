"""Typed dependencies that keep endpoint signatures short: `SessionDep`, `PrincipalDep`, `AdminDep`.

The request's database transaction is opened by `SessionDep` and committed when the endpoint
returns (scope="function": before the response is sent, so a client that reads right after a 202
sees what was written), rolled back if it raises.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.api.context import AppContext
from espqb.api.errors import Forbidden, Unauthorized
from espqb.security.jwt import InvalidToken, Principal

_bearer = HTTPBearer(
    auto_error=False, description="A JWT signed by ESP (claims: sub, company_id, roles, teams, exp)"
)


def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


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
