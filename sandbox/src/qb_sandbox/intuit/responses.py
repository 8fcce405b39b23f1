"""Rendering of API responses: JSON with Intuit's envelopes, and the canned failure responses."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from fastapi.responses import JSONResponse, Response

from . import faults
from .clock import epoch_millis, response_time
from .txn_math import jsonable

if TYPE_CHECKING:
    from .fault_injection import Fault
    from .sandbox import IntuitSandbox


class QboJSONResponse(JSONResponse):
    """JSON that may hold Decimals (money), printed as numbers."""

    def render(self, content: Any) -> bytes:
        return json.dumps(jsonable(content), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fault_response(sandbox: IntuitSandbox, fault: faults.QboFault) -> Response:
    if fault.http_status == 429:
        return throttle_response(sandbox)
    return QboJSONResponse(fault.envelope(response_time(sandbox.now())), status_code=fault.http_status)


def auth_response(sandbox: IntuitSandbox, fault: faults.AuthFault) -> Response:
    headers = {}
    if fault.http_status == 401:
        # RFC 6750 §3: a 401 for a bearer-protected resource names the scheme and the problem.
        headers["WWW-Authenticate"] = 'Bearer realm="Intuit", error="invalid_token"'
    return QboJSONResponse(
        fault.envelope(epoch_millis(sandbox.now())), status_code=fault.http_status, headers=headers
    )


def throttle_response(sandbox: IntuitSandbox) -> Response:
    headers: dict[str, str] = {}
    if sandbox.retry_after_seconds is not None:
        headers["Retry-After"] = str(sandbox.retry_after_seconds)
    time = response_time(sandbox.now())
    if sandbox.throttle_body == "xml":
        return Response(
            faults.throttle_xml(time), status_code=429, media_type="application/xml", headers=headers
        )
    return QboJSONResponse(faults.throttled().envelope(time), status_code=429, headers=headers)


async def injected_response(sandbox: IntuitSandbox, fault: Fault) -> Response:
    """The response for an injected fault (see fault_injection)."""
    if isinstance(fault, faults.QboFault):
        return fault_response(sandbox, fault)
    if fault == "timeout":
        # Stall past the client's timeout; whoever is still listening gets Intuit's gateway timeout.
        await asyncio.sleep(sandbox.faults.settings.timeout_delay_s)
        return fault_response(sandbox, faults.gateway_timeout())
    if fault == 429:
        return throttle_response(sandbox)
    if fault in (401, 403):
        detail = "Token expired" if fault == 401 else "AuthorizationFailed"
        return auth_response(sandbox, faults.AuthFault(detail, http_status=fault))
    if fault == 503:
        return fault_response(sandbox, faults.service_unavailable())
    if fault == 504:
        return fault_response(sandbox, faults.gateway_timeout())
    if isinstance(fault, int) and 400 <= fault < 500:
        rejected = faults.business_validation("Injected by the sandbox", code="6000")
        rejected.http_status = fault
        return fault_response(sandbox, rejected)
    status = fault if isinstance(fault, int) else 500
    return fault_response(sandbox, faults.system_failure("Injected by the sandbox", http_status=status))
