"""Where a service's Prometheus metrics can be read: an internal port of their own
(``METRICS_PORT``, for Prometheus inside the private network) and, only with ``METRICS_TOKEN``, the
public port's ``/metrics``. The public port never serves them to anyone without the token.

Wiring: ``start, stop = metrics_port_hooks()`` among the app's startup and shutdown hooks; the
running server is ``ctx.extras["metrics_server"]``.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from espqb.api.context import AppContext
from espqb.observability.metrics import serve_metrics

__all__ = ["METRICS_SERVER_KEY", "metrics_port_hooks", "token_matches"]

METRICS_SERVER_KEY = "metrics_server"

Hook = Callable[[AppContext], Awaitable[None]]


def token_matches(authorization: str | None, token: str) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time."""
    return hmac.compare_digest((authorization or "").encode(), f"Bearer {token}".encode())


def metrics_port_hooks() -> tuple[Hook, Hook]:
    async def start(ctx: AppContext) -> None:
        server = serve_metrics(ctx.settings.metrics_port)
        if server is not None:
            ctx.extras[METRICS_SERVER_KEY] = server

    async def stop(ctx: AppContext) -> None:
        server = ctx.extras.pop(METRICS_SERVER_KEY, None)
        if server is not None:
            server.shutdown()
            server.server_close()

    return start, stop
