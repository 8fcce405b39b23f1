"""What one simulated Web Connector update session did, call by call."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SessionOutcome(StrEnum):
    COMPLETED = "completed"  # receiveResponseXML reached 100, closeConnection called
    NOTHING_TO_DO = "nothing_to_do"  # authenticate: "none"
    INVALID_USER = "invalid_user"  # authenticate: "nvu"
    BUSY = "busy"  # authenticate: "busy"
    POSTPONED = "postponed"  # authenticate asked to postpone the update
    CLIENT_VERSION_REJECTED = "client_version_rejected"  # clientVersion "E:" / "O:" / bad syntax
    CONNECTION_ERROR = "connection_error"  # could not open the company file; connectionError said stop
    SERVER_ERROR = "server_error"  # negative progress or an error from getLastError
    INTERACTIVE_MODE_UNSUPPORTED = "interactive_mode_unsupported"
    NOOP_LIMIT = "noop_limit"  # the simulator's guard against an endless NoOp loop
    SOAP_FAULT = "soap_fault"  # the service answered a call with a SOAP fault
    HTTP_ERROR = "http_error"  # the call never completed at the HTTP level
    DROPPED_RESPONSE = "dropped_response"  # QuickBooks processed a request; its response never arrived
    CANCELLED_BY_USER = "cancelled_by_user"  # the user cancelled at a clientVersion "W:" warning


@dataclass(frozen=True, slots=True)
class CallRecord:
    method: str
    # Parameters by their WSDL element names; authenticate's strPassword is never recorded.
    args: dict[str, str | int]
    result: str | int | list[str] | None = None
    fault: str | None = None  # "soap:Client: message" when the call ended in a SOAP fault
    transport_error: str | None = None


@dataclass(frozen=True, slots=True)
class Exchange:
    """One qbXML round trip through the (simulated) QuickBooks request processor."""

    request_xml: str
    response_xml: str
    hresult: str = ""
    message: str = ""


@dataclass(slots=True)
class SessionReport:
    outcome: SessionOutcome | None = None
    ticket: str | None = None
    # authenticate's second element: "", a company-file path, or a status (none, nvu, busy).
    authenticate_status: str | None = None
    postpone_seconds: int | None = None
    min_run_every_seconds: int | None = None
    server_version: str | None = None
    client_version_answer: str | None = None
    warnings: list[str] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    progress: list[int] = field(default_factory=list)
    noop_pauses: int = 0
    last_error: str | None = None
    close_message: str | None = None

    @property
    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    @property
    def round_trips(self) -> int:
        """How many sendRequestXML calls the session made."""
        return self.methods.count("sendRequestXML")
