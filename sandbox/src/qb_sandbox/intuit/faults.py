"""QBO API errors as Intuit renders them: the ``Fault`` envelope, the lower-case auth envelope, throttling.

Codes, messages and envelopes follow docs/quickbooks-online.md §2.10 (table of codes) and §1.5 (auth
envelope); the wording of the messages is Intuit's as quoted in the issues cited there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ErrorItem:
    code: str
    message: str
    detail: str
    element: str = ""

    def as_json(self) -> dict[str, str]:
        return {"Message": self.message, "Detail": self.detail, "code": self.code, "element": self.element}


class QboFault(Exception):
    """A fault the QBO API answers with ``{"Fault": {"Error": [...], "type": ...}, "time": ...}``."""

    def __init__(
        self, *errors: ErrorItem, http_status: int = 400, fault_type: str = "ValidationFault"
    ) -> None:
        super().__init__("; ".join(f"{e.code} {e.message}: {e.detail}" for e in errors))
        self.errors = errors
        self.http_status = http_status
        self.fault_type = fault_type

    @property
    def code(self) -> str:
        return self.errors[0].code

    def fault_json(self) -> dict[str, Any]:
        return {"Error": [e.as_json() for e in self.errors], "type": self.fault_type}

    def envelope(self, time: str) -> dict[str, Any]:
        return {"Fault": self.fault_json(), "time": time}


def _fault(code: str, message: str, detail: str, element: str = "", **kwargs: Any) -> QboFault:
    return QboFault(ErrorItem(code, message, detail, element), **kwargs)


_LIST_WORDS = {"Term": "Another term", "Class": "Another class", "Department": "Another location"}


def duplicate_name(*, kind: str) -> QboFault:
    """6240. The customer/vendor/employee wording is Intuit's as quoted in docs/quickbooks-online.md §2.3 (PHP
    SDK #241); those three share one DisplayName namespace."""
    if kind == "Item":
        who = "Another product or service"
    elif kind == "Account":
        who = "Another account"
    elif kind in _LIST_WORDS:
        # Term, Class, Department: the same fault, worded like the others [derived: no published text].
        who = _LIST_WORDS[kind]
    else:
        who = "Another customer, vendor or employee"
    return _fault(
        "6240",
        "Duplicate Name Exists Error",
        f"The name supplied already exists. : {who} is already using this name. Please use a different name.",
    )


def stale_object() -> QboFault:
    # docs/quickbooks-online.md §2.9: SyncToken is an optimistic lock; the API user is the "other" person in
    # the text.
    return _fault(
        "5010",
        "Stale Object Error",
        "Stale Object Error : You and API Sandbox were working on this at the same time. API Sandbox finished "
        "before you did, so your work was not saved.",
    )


def object_not_found(element: str = "") -> QboFault:
    return _fault(
        "610",
        "Object Not Found",
        "Object Not Found : Something you're trying to use has been made inactive. Check the fields with "
        "accounts, customers, items, vendors or employees.",
        element,
    )


def invalid_reference(element: str) -> QboFault:
    return _fault("2500", "Invalid Reference Id", f"Invalid Reference Id : {element}", element)


def required_param_missing(name: str) -> QboFault:
    return _fault(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {name} is missing in the request",
        name,
    )


def invalid_property(detail: str, element: str = "") -> QboFault:
    return _fault(
        "2010",
        "Request has invalid or unsupported property",
        f"Property Name:{detail} specified is unsupported or invalid",
        element,
    )


def invalid_enumeration(detail: str, element: str = "") -> QboFault:
    return _fault("2170", "Invalid Enumeration", f"Invalid Enumeration : {detail}", element)


def invalid_string_length(element: str, maximum: int, supplied: int) -> QboFault:
    return _fault(
        "2050",
        "String length is either shorter or longer than supported by specification",
        f"String length specified does not match the supported length. Min:0 Max:{maximum} supplied:{supplied}",
        element,
    )


def business_validation(detail: str, element: str = "", code: str = "6000") -> QboFault:
    return _fault(
        code,
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
        element,
    )


def duplicate_doc_number(doc_number: str) -> QboFault:
    return _fault(
        "6140",
        "Duplicate Document Number Error",
        f"Duplicate Document Number Error : You must specify a different number. This number has already "
        f"been used. DocNumber={doc_number}",
        "DocNumber",
    )


def amount_mismatch(element: str) -> QboFault:
    return _fault(
        "6070", "Amount is not equal to UnitPrice * Qty", "Amount is not equal to UnitPrice * Qty", element
    )


def unsupported_operation(detail: str) -> QboFault:
    return _fault("500", "Unsupported Operation", f"Operation {detail} is not supported.")


def system_failure(detail: str, http_status: int = 500) -> QboFault:
    return _fault(
        "10000",
        "An application error has occurred while processing your request",
        f"System Failure Error: {detail}",
        http_status=http_status,
        fault_type="SystemFault",
    )


def query_parse_error(detail: str) -> QboFault:
    return _fault("4000", "Error parsing query", f"QueryParserError: {detail}")


def query_validation_error(detail: str) -> QboFault:
    return _fault("4001", "Invalid query", f"QueryValidationError: {detail}")


def throttled() -> QboFault:
    # docs/quickbooks-online.md §2.10/§2.11: code 3001 with the HTTP status inside the message; fault type
    # SERVICE.
    return _fault(
        "3001",
        "message=ThrottleExceeded; errorCode=003001; statusCode=429",
        "The request limit was reached.  Try again later",
        http_status=429,
        fault_type="SERVICE",
    )


def service_unavailable() -> QboFault:
    return _fault(
        "10000",
        "An application error has occurred while processing your request",
        "System Failure Error: Service is temporarily unavailable",
        http_status=503,
        fault_type="SystemFault",
    )


def gateway_timeout() -> QboFault:
    return _fault(
        "6002",
        "GatewayTimeout",
        "The request took too long to process",
        http_status=504,
        fault_type="SystemFault",
    )


def throttle_xml(time: str) -> str:
    """The throttle fault as Intuit has sent it even to JSON clients (docs/quickbooks-online.md §2.10,
    issue #43)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<IntuitResponse time="{time}" xmlns="http://schema.intuit.com/finance/v3">\n'
        '    <Fault type="SERVICE">\n'
        '        <Error code="3001">\n'
        "            <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>\n"
        "            <Detail>The request limit was reached.  Try again later</Detail>\n"
        "        </Error>\n"
        "    </Fault>\n"
        "</IntuitResponse>\n"
    )


class AuthFault(Exception):
    """An API-gateway auth failure: 401/3200 or 403/3100, in Intuit's lower-case envelope
    (docs/quickbooks-online.md §1.5)."""

    def __init__(self, detail: str, *, http_status: int = 401) -> None:
        super().__init__(detail)
        self.detail = detail
        self.http_status = http_status

    def envelope(self, epoch_millis: int) -> dict[str, Any]:
        if self.http_status == 403:
            code, message, fault_type = (
                "3100",
                "message=AuthorizationFailed; errorCode=003100; statusCode=403",
                "SERVICE",
            )
        else:
            code, message = "3200", "message=AuthenticationFailed; errorCode=003200; statusCode=401"
            fault_type = "AUTHENTICATION"
        return {
            "warnings": None,
            "intuitObject": None,
            "fault": {
                "error": [{"message": message, "detail": self.detail, "code": code, "element": None}],
                "type": fault_type,
            },
            "report": None,
            "queryResponse": None,
            "batchItemResponse": [],
            "attachableResponse": [],
            "syncErrorResponse": None,
            "requestId": None,
            "time": epoch_millis,
            "status": None,
            "cdcresponse": [],
        }
