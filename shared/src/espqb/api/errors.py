"""How errors are answered: one handler renders every product error (`espqb.errors.EspqbError`, which
carries its HTTP status, slug and title) as RFC 9457 `application/problem+json` with a stable `type`;
framework errors (validation, routing) and anything unexpected are rendered the same way. `ApiError`
is the branch of the tree the JSON API raises on purpose. 422 is reserved for payload validation;
business rules have their own classes. No stack trace ever reaches a response."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from espqb.errors import EspqbError

PROBLEM_BASE = "https://esp-quickbooks.dev/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

log = structlog.get_logger(__name__)


class FieldProblem(BaseModel):
    path: str = Field(description="Where in the request, e.g. `order.lines[2].quantity`")
    message: str = Field(description="What is wrong, in words")


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of this API is rendered."""

    type: str = Field(description="A stable URI naming the kind of problem")
    title: str
    status: int
    detail: str = Field(description="What happened and what to do, in words")
    instance: str | None = None
    errors: list[FieldProblem] | None = Field(None, description="Validation errors, field by field (422)")


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, invalid or expired ESP token",
    403: "Not allowed for this user",
    404: "Not found (or belongs to another company)",
    409: "Conflicts with the current state (e.g. integration not installed)",
    413: "Request body too large",
    422: "The request body or parameters are not valid",
    503: "A dependency (database, QuickBooks) is not available",
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the problem responses a route may give."""
    return {
        code: {
            "model": Problem,
            "description": _DESCRIPTIONS[code],
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


V1_PROBLEMS = problem_responses(400, 401, 403, 404, 409, 413, 422, 503)


def problem_response(code: int, description: str) -> dict[int | str, dict[str, Any]]:
    """One problem response with its own description (merged over ``V1_PROBLEMS`` it keeps the
    problem+json content)."""
    return {code: {**problem_responses(code)[code], "description": description}}


class ApiError(EspqbError):
    """An answer the JSON API gives on purpose; ``extra`` adds fields to the problem body."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail: str = detail
        self.extra = extra or {}


class Unauthorized(ApiError):
    status, slug, title = 401, "unauthorized", "Not signed in"


class Forbidden(ApiError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(ApiError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ApiError):
    status, slug, title = 409, "conflict", "Conflict"


class NotInstalled(ApiError):
    status, slug, title = 409, "integration-not-installed", "QuickBooks is not installed"


class InvalidText(ApiError):
    status, slug, title = 422, "validation-error", "The request is not valid"


class PayloadTooLarge(ApiError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class UnprocessableOrder(ApiError):
    """The order itself cannot be written to QuickBooks as it stands (e.g. it does not balance)."""

    status, slug, title = 422, "order-not-sendable", "The order cannot be sent as it stands"


class UpstreamUnavailable(ApiError):
    status, slug, title = 503, "quickbooks-unavailable", "QuickBooks is not reachable right now"


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    instance: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update(extra)
    headers = dict(headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(body, status_code=status, media_type=PROBLEM_CONTENT_TYPE, headers=headers or None)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EspqbError)
    async def _espqb_error(request: Request, exc: EspqbError) -> JSONResponse:
        if exc.internal:
            # Ours: on to the last-resort handler below, as any unexpected exception (logged, answered
            # with the generic 500 outside the middleware, exactly like an error of no product class).
            raise exc
        extra = exc.extra if isinstance(exc, ApiError) else {}
        detail = exc.detail if exc.detail is not None else exc.title
        return problem(exc.status, exc.slug, exc.title, detail, request.url.path, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"path": _path(e.get("loc", ())), "message": _message(e)} for e in exc.errors()]
        summary = "; ".join(f"{e['path']}: {e['message']}" for e in errors[:5])
        return problem(
            422, "validation-error", "The request is not valid", summary, request.url.path, errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large"}.get(
            exc.status_code, "http-error"
        )
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # RFC 9110 §15.5.6: a 405 lists every method the path answers (Starlette names only the
            # methods of the first route it matched).
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return problem(
            exc.status_code, slug, str(exc.detail), str(exc.detail), request.url.path, headers=headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        return problem(
            500, "internal-error", "Internal error", "Something went wrong on our side; it has been logged."
        )


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> list[str]:
    """The methods some route answers fully for this path (routes of included routers too)."""
    routes: list[BaseRoute] = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    ]


def _path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or "body"


def _message(error: Any) -> str:
    msg = str(error.get("msg", "is not valid"))
    return msg.removeprefix("Value error, ")
