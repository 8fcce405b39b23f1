"""Pure ASGI middleware (no BaseHTTPMiddleware): request id + access log, and a body-size limit
enforced while the body streams in."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from espqb.api.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE
from espqb.errors import EspqbError
from espqb.observability import metrics

log = structlog.get_logger("espqb.http")


class RequestContextMiddleware:
    """Gives every request an id (from `X-Request-ID` or new), binds it to every log line written
    while the request runs, echoes it in the response, and records latency metrics."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"x-request-id", b"").decode("latin-1")[:100]
        request_id = raw if raw and raw.isprintable() else uuid.uuid4().hex
        status_holder: dict[str, int] = {}
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                elapsed = time.perf_counter() - started
                route = scope.get("route")
                path_template = getattr(route, "path", None) or "unmatched"
                status = status_holder.get("status", 500)
                metrics.HTTP_REQUESTS.labels(self.service, scope["method"], path_template, str(status)).inc()
                metrics.HTTP_LATENCY.labels(self.service, path_template).observe(elapsed)
                if path_template not in ("/healthz", "/readyz", "/metrics"):
                    log.info(
                        "request",
                        method=scope["method"],
                        path=path_template,
                        status=status,
                        ms=round(elapsed * 1000, 1),
                    )


class BodySizeLimitMiddleware:
    """Refuses request bodies over `max_bytes` with 413, without buffering more than that."""

    def __init__(self, app: ASGIApp, max_bytes: int, exempt_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_paths = exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(self.exempt_paths or ("\0",)):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        received = 0
        exceeded = False
        answered = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # Frameworks may turn the receive error into their own 400; whatever the app answers
            # once the limit was crossed is replaced by one 413.
            nonlocal answered
            if exceeded:
                if not answered:
                    answered = True
                    await _too_large(send, self.max_bytes)
                return
            await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, limited_receive, guarded_send)
        if exceeded and not answered:
            await _too_large(send, self.max_bytes)


class _BodyTooLarge(EspqbError):
    """Private control flow: raised by the guarded ``receive`` once the body passes the limit and
    suppressed right here, where the 413 is answered (`_too_large`) unless the app already answered."""

    status, slug, title = 413, "payload-too-large", "Request body too large"


async def _too_large(send: Send, limit: int) -> None:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + "payload-too-large",
        "title": "Request body too large",
        "status": 413,
        "detail": f"The request body is larger than the {limit} bytes this service accepts.",
    }
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})
