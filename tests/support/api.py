"""Driving a service in-process: its lifespan, an httpx client over ASGI, and ESP tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from espqb.config import DEV_JWT_SECRET, Settings
from espqb.security.jwt import mint_token


def service_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "development",
        "database_url": database_url,
        "run_worker_in_process": False,
    }
    values.update(overrides)
    return Settings(**values)


def token(
    company: str = "acme",
    user: str = "alice",
    roles: Sequence[str] = ("admin",),
    teams: Sequence[str] = (),
    ttl: int = 600,
) -> str:
    return mint_token(
        DEV_JWT_SECRET,
        company_id=company,
        user_id=user,
        roles=list(roles),
        teams=list(teams),
        ttl_seconds=ttl,
    )


def auth(
    company: str = "acme", user: str = "alice", roles: Sequence[str] = ("admin",), teams: Sequence[str] = ()
) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(company, user, roles, teams)}"}


@asynccontextmanager
async def running(
    factory: Callable[[Settings], FastAPI], settings: Settings
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = factory(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app, client
