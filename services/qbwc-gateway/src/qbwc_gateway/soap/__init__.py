"""The QuickBooks Web Connector SOAP protocol layer (server side).

Mount ``soap_router(get_handler, public_url=..., max_body_bytes=...)`` and implement
``WebConnectorHandler``; everything SOAP (envelopes, faults, WSDL, size limits, safe XML) stays here.
"""

from .envelope import parse_request, render_fault, render_result
from .faults import FaultCode, SoapFault
from .messages import INTUIT_NS, OPERATIONS, SoapCall, SoapResult
from .peer import client_address
from .protocol import WebConnectorHandler, WithoutInteractiveMode
from .request_body import DEFAULT_MAX_BODY_BYTES
from .router import HandlerProvider, soap_router
from .wsdl import packaged_wsdl_bytes, wsdl_for

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "INTUIT_NS",
    "OPERATIONS",
    "FaultCode",
    "HandlerProvider",
    "SoapCall",
    "SoapFault",
    "SoapResult",
    "WebConnectorHandler",
    "WithoutInteractiveMode",
    "client_address",
    "packaged_wsdl_bytes",
    "parse_request",
    "render_fault",
    "render_result",
    "soap_router",
    "wsdl_for",
]
