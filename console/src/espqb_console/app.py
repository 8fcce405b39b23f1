"""The console's server: the static screens, the sample orders, where the gateways are, and the
development sign-in that mints ESP tokens. Everything else happens in the browser, against the
gateways' public JSON API (which must list this console's origin in ``CORS_ALLOWED_ORIGINS``)."""

from __future__ import annotations

import argparse
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from espqb.config import DEV_JWT_SECRET
from espqb.security.jwt import mint_token

HERE = Path(__file__).parent
STATIC = HERE / "static"
ORDERS = HERE / "orders"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
TOKEN_SECONDS = 8 * 3600


@dataclass(frozen=True)
class ConsoleConfig:
    """``env`` must be "development" for the sign-in to mint tokens; ``qbo_url`` and ``qbwc_url`` are
    the gateways as the browser reaches them."""

    qbo_url: str = "http://localhost:8001"
    qbwc_url: str = "http://localhost:8002"
    env: str = "development"
    jwt_secret: str = field(default=DEV_JWT_SECRET, repr=False)

    @classmethod
    def from_env(cls) -> ConsoleConfig:
        return cls(
            qbo_url=os.environ.get("QBO_PUBLIC_URL", cls.qbo_url).rstrip("/"),
            qbwc_url=os.environ.get("QBWC_PUBLIC_URL", cls.qbwc_url).rstrip("/"),
            env=os.environ.get("ENV", "development"),
            jwt_secret=os.environ.get("ESP_JWT_SECRET", DEV_JWT_SECRET),
        )


def sample_orders() -> list[dict[str, Any]]:
    """The sample orders (console/src/espqb_console/orders/*.json): a label and the send request."""
    orders = []
    for path in sorted(ORDERS.glob("*.json")):
        orders.append(json.loads(path.read_text(encoding="utf-8")))
    return orders


def problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


def create_app(config: ConsoleConfig | None = None) -> Starlette:
    config = config or ConsoleConfig.from_env()
    development = config.env == "development"

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def settings(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "qbo_url": config.qbo_url,
                "qbwc_url": config.qbwc_url,
                "env": config.env,
                "sign_in": development,
            }
        )

    async def orders(request: Request) -> JSONResponse:
        return JSONResponse(sample_orders())

    async def token(request: Request) -> JSONResponse:
        if not development:
            return problem(403, "Development only", f"ENV={config.env}: the console mints no tokens")
        try:
            body = await request.json()
        except ValueError:
            return problem(422, "Invalid body", "a JSON object with company, user, role and teams")
        if not isinstance(body, dict):
            return problem(422, "Invalid body", "a JSON object with company, user, role and teams")
        company, user = str(body.get("company", "")).strip(), str(body.get("user", "")).strip()
        role = body.get("role", "user")
        teams = body.get("teams") or []
        if isinstance(teams, str):
            teams = [t.strip() for t in teams.split(",") if t.strip()]
        if not (NAME.match(company) and NAME.match(user)):
            return problem(422, "Invalid body", "company and user: letters, digits and . _ @ -, up to 64")
        if role not in ("admin", "user"):
            return problem(422, "Invalid body", "role: admin or user")
        if not isinstance(teams, list) or not all(isinstance(t, str) and NAME.match(t) for t in teams):
            return problem(422, "Invalid body", "teams: a list of team names")
        jwt = mint_token(
            config.jwt_secret,
            company_id=company,
            user_id=user,
            roles=[role],
            teams=teams,
            ttl_seconds=TOKEN_SECONDS,
        )
        return JSONResponse(
            {"token": jwt, "company": company, "user": user, "role": role, "teams": teams},
            headers={"Cache-Control": "no-store"},
        )

    # The pages run only our own script and talk only to the console and the two gateways.
    policy = "; ".join(
        (
            "default-src 'self'",
            f"connect-src 'self' {config.qbo_url} {config.qbwc_url}",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )

    class SecurityHeaders(BaseHTTPMiddleware):
        async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
            response = await call_next(request)
            response.headers["Content-Security-Policy"] = policy
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "no-referrer"
            return response

    return Starlette(
        middleware=[Middleware(SecurityHeaders)],
        routes=[
            Route("/", index),
            Route("/console/config", settings),
            Route("/console/orders", orders),
            Route("/console/token", token, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CONSOLE_PORT", "8004")))
    args = parser.parse_args()
    uvicorn.run(create_app(), host=args.host, port=args.port, server_header=False)
