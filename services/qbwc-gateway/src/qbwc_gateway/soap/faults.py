"""SOAP 1.1 faults: the only way this layer reports a failed call to the Web Connector.

A fault travels as an ordinary exception until the router renders it. Its text is shown in the Web
Connector's log and status column, so it must be short, human and free of internals: never a stack
trace and never the body we were sent (docs/web-connector.md §6 #5: server errors leaking into the SOAP body
give users the cryptic QBWC1042).
"""

from __future__ import annotations

from enum import StrEnum

from espqb.errors import EspqbError


class FaultCode(StrEnum):
    """The SOAP 1.1 fault codes (SOAP 1.1 §4.4.1), rendered with the ``soap:`` prefix."""

    VERSION_MISMATCH = "VersionMismatch"
    MUST_UNDERSTAND = "MustUnderstand"
    CLIENT = "Client"  # the message was wrong: malformed, unknown method, too big, DOCTYPE…
    SERVER = "Server"  # the message was fine, we failed to answer it


class SoapFault(EspqbError):
    """A fault to return to the caller.

    A :class:`WebConnectorHandler` may raise it on purpose to answer with a specific fault; any other
    exception from a handler becomes a ``soap:Server`` fault with a generic message.
    Its ``status`` (the ``http_status`` it is made with) is 500 as SOAP 1.1 over HTTP requires for
    faults, except for refusals that happen before a SOAP message exists (body too large: 413, wrong
    media type: 415). The SOAP layer renders it as a SOAP Fault, never as problem+json.
    """

    slug, title = "soap-fault", "SOAP Fault"

    def __init__(self, code: FaultCode, message: str, *, http_status: int = 500) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = http_status

    @classmethod
    def client(cls, message: str, *, http_status: int = 500) -> SoapFault:
        return cls(FaultCode.CLIENT, message, http_status=http_status)

    @classmethod
    def server(cls, message: str = "The server could not process the request.") -> SoapFault:
        return cls(FaultCode.SERVER, message)

    def __repr__(self) -> str:
        return f"SoapFault({self.code.value!r}, {self.message!r}, http_status={self.status})"
