"""Where a service's Prometheus metrics can be read: an internal port of their own
(``METRICS_PORT``, for Prometheus inside the private network) and, only with ``METRICS_TOKEN``, the
public port's ``/metrics``. The public port never serves them to anyone without the token.

Wiring: the shared app's lifespan enters ``metrics_port(ctx)``; the running server is
``ctx.metrics_server``.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager

from espqb.api.context import AppContext
from espqb.observability.metrics import serve_metrics

__all__ = ["metrics_port", "token_matches"]


def token_matches(authorization: str | None, token: str) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time."""
    return hmac.compare_digest((authorization or "").encode(), f"Bearer {token}".encode())


@contextmanager
def metrics_port(ctx: AppContext) -> Iterator[None]:
    """Serve the metrics on ``METRICS_PORT`` (0: not at all) while the service runs."""
    ctx.metrics_server = serve_metrics(ctx.settings.metrics_port)
    try:
        yield
    finally:
        server, ctx.metrics_server = ctx.metrics_server, None
        if server is not None:
            server.shutdown()
            server.server_close()
