"""HTTP edge of the Web Connector service: ``POST /qbwc`` (SOAP 1.1) and ``GET /qbwc?wsdl``.

Every failure reaches the Web Connector as a SOAP Fault, rendered by ``_SoapFaultRoute`` *outside*
FastAPI's dependency exit stack. That ordering matters: a handler dependency that owns a database
transaction (commit on success, rollback on exception) sees the exception and rolls back, and the Web
Connector still gets a well-formed fault instead of FastAPI's JSON error.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from email.message import Message

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send

from .dispatch import dispatch
from .envelope import parse_request, render_fault, render_result
from .faults import SoapFault
from .messages import SoapCall, operation_of, ticket_of
from .peer import set_client_address
from .protocol import WebConnectorHandler
from .request_body import DEFAULT_MAX_BODY_BYTES, check_declared_length, read_limited
from .wsdl import wsdl_for

logger = logging.getLogger(__name__)

SOAP_MEDIA_TYPE = "text/xml; charset=utf-8"
# How much of a ticket may appear in logs: enough to correlate calls, not enough to replay a session.
TICKET_LOG_PREFIX = 8

HandlerProvider = Callable[
    ...,
    WebConnectorHandler
    | Awaitable[WebConnectorHandler]
    | AsyncIterator[WebConnectorHandler]
    | Iterator[WebConnectorHandler],
]


def fault_response(fault: SoapFault) -> Response:
    return Response(render_fault(fault), status_code=fault.status, media_type=SOAP_MEDIA_TYPE)


class _SoapFaultRoute(APIRoute):
    """An APIRoute that renders a ``SoapFault`` escaping the endpoint or its dependencies.

    ``handle`` is the one entry point FastAPI uses for a route whether it is mounted directly or
    through ``include_router``, and it runs outside the dependencies' exit stacks.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().handle(scope, receive, send)
        except SoapFault as fault:
            await fault_response(fault)(scope, receive, send)


def _ticket_prefix(call: SoapCall) -> str | None:
    ticket = ticket_of(call)
    return ticket[:TICKET_LOG_PREFIX] if ticket else None


def _log_handler_failure(call: SoapCall, exc: BaseException) -> None:
    # Frames only: an exception's message may quote its arguments, and authenticate's are a password.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error(
        "Web Connector handler failed: method=%s ticket=%s error_type=%s\n%s",
        operation_of(call).name,
        _ticket_prefix(call),
        type(exc).__name__,
        frames,
    )


def _require_soap_content_type(content_type: str | None) -> None:
    message = Message()
    message["content-type"] = content_type or ""
    if message.get_content_type() != "text/xml":
        # SOAP 1.1 over HTTP is text/xml; application/soap+xml would be SOAP 1.2.
        raise SoapFault.client("Expected Content-Type text/xml (SOAP 1.1).", http_status=415)


def soap_router(
    get_handler: HandlerProvider,
    *,
    public_url: Callable[[Request], str] | str,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    path: str = "/qbwc",
) -> APIRouter:
    """The Web Connector endpoint.

    ``get_handler`` is a FastAPI dependency (it may itself depend on a DB session, and may ``yield``);
    it is resolved only for requests that parsed into a valid call. ``public_url`` is the SOAP
    endpoint's public address written into the served WSDL, or a function computing it per request.
    """
    if max_body_bytes <= 0:
        raise ValueError("max_body_bytes must be positive")
    router = APIRouter(route_class=_SoapFaultRoute)

    async def read_call(request: Request) -> SoapCall:
        _require_soap_content_type(request.headers.get("content-type"))
        check_declared_length(request.headers.get("content-length"), max_body_bytes)
        body = await read_limited(request.stream(), max_body_bytes)
        try:
            return parse_request(body, request.headers.get("soapaction"))
        except SoapFault as fault:
            logger.info("Rejected SOAP request: %s %s", fault.code.value, fault.message)
            raise

    async def post_soap(
        request: Request,
        call: SoapCall = Depends(read_call),
        handler: WebConnectorHandler = Depends(get_handler),
    ) -> Response:
        operation = operation_of(call)
        set_client_address(request.client.host if request.client else None)
        logger.debug("Web Connector call: method=%s ticket=%s", operation.name, _ticket_prefix(call))
        try:
            body = render_result(operation, await dispatch(call, handler))
        except SoapFault as fault:
            logger.info(
                "Web Connector call answered with a fault: method=%s ticket=%s code=%s",
                operation.name,
                _ticket_prefix(call),
                fault.code.value,
            )
            raise
        except Exception as exc:
            _log_handler_failure(call, exc)
            # Generic on purpose: the text is shown to the user; the details are in our log.
            raise SoapFault.server() from None
        return Response(body, media_type=SOAP_MEDIA_TYPE)

    async def get_wsdl(request: Request) -> Response:
        if not any(key.lower() == "wsdl" for key in request.query_params):
            return Response(
                "QuickBooks Web Connector SOAP endpoint: POST SOAP 1.1 requests here; the WSDL is at ?wsdl.\n",
                status_code=404,
                media_type="text/plain; charset=utf-8",
            )
        url = public_url(request) if callable(public_url) else public_url
        return Response(wsdl_for(url), media_type=SOAP_MEDIA_TYPE)

    router.add_api_route(path, post_soap, methods=["POST"], include_in_schema=False)
    router.add_api_route(path, get_wsdl, methods=["GET"], include_in_schema=False)
    return router
