"""Security headers on every response, as pure ASGI (no BaseHTTPMiddleware).

Set on every answer of both services, error pages included (``SecuredFastAPI`` wraps the whole
middleware stack, so even Starlette's last-resort 500 gets them):

* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``;
* no framing: ``X-Frame-Options: DENY`` and a CSP ``frame-ancestors 'none'`` (a page that sets its
  own CSP, like /docs with its inline start-up script, keeps it, with ``frame-ancestors`` added);
* ``Strict-Transport-Security`` when the request came over https (behind a proxy: uvicorn's
  ``--proxy-headers`` turns ``X-Forwarded-Proto`` into the request's scheme);
* ``Cache-Control: no-store`` on every ``/v1`` answer: they carry customers' data;
* no ``Server`` header (uvicorn's own is turned off with ``--no-server-header``).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX = "/v1"
DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'"
NO_FRAMING = "frame-ancestors 'none'"
HSTS = "max-age=31536000"
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def secure_headers(message: Message, *, https: bool, api: bool) -> None:
    """Adds the headers to an ``http.response.start`` message, in place."""
    headers = MutableHeaders(scope=message)
    if "server" in headers:
        del headers["server"]
    for name, value in ALWAYS.items():
        headers.setdefault(name, value)
    policy = headers.get("content-security-policy")
    if policy is None:
        headers["Content-Security-Policy"] = DEFAULT_CSP
    elif "frame-ancestors" not in policy:
        headers["Content-Security-Policy"] = f"{policy.rstrip('; ')}; {NO_FRAMING}"
    if https:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if api:
        headers["Cache-Control"] = "no-store"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        path: str = scope.get("path", "")
        api = path == API_PREFIX or path.startswith(API_PREFIX + "/")

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"])
                secure_headers(message, https=https, api=api)
            await send(message)

        await self.app(scope, receive, send_secured)


class SecuredFastAPI(FastAPI):
    """A FastAPI app whose every response — Starlette's outermost error page included — carries the
    security headers."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(super().build_middleware_stack())
