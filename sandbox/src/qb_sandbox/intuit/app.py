"""``create_intuit_app``: the FastAPI app that stands in for Intuit, every endpoint under one base URL."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import app_pages, control_endpoints, oauth_endpoints, qbo_endpoints
from .sandbox import IntuitSandbox


class IntuitTidMiddleware:
    """Every Intuit response carries an ``intuit_tid`` header that support uses to trace a call
    (docs/quickbooks-online.md §2.1); clients log it, so the sandbox sends one too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tid = f"1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}"

        async def send_with_tid(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"intuit_tid", tid.encode())]
            await send(message)

        await self.app(scope, receive, send_with_tid)


def create_intuit_app(sandbox: IntuitSandbox, *, control_api: bool = True) -> FastAPI:
    """The Intuit simulator over ``sandbox``. ``control_api`` adds the test-only ``/_sandbox`` routes."""
    app = FastAPI(
        title="Intuit sandbox (OAuth 2.0 + QuickBooks Online v3 subset)", docs_url="/_docs", redoc_url=None
    )
    app.state.sandbox = sandbox
    app.include_router(oauth_endpoints.router)
    app.include_router(qbo_endpoints.router)
    app.include_router(app_pages.router)  # where the jobs' links open a record (the web app's paths)
    if control_api:
        app.include_router(control_endpoints.router)
    app.add_middleware(IntuitTidMiddleware)
    return app
