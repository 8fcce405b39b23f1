"""The Web Connector's calls as typed values, and the table that ties them to the WSDL.

Element names are part of the contract ("You must use the parameter names as given",
docs/web-connector.md §0.1), so each parameter records its exact WSDL element name next to its Python name.
The table also covers the Programmer's Guide methods no published WSDL declares (interactive mode,
``getServerVersion``): the Web Connector may still call them, and we answer harmlessly
(docs/web-connector.md §1.3, §1.9).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

INTUIT_NS = "http://developer.intuit.com/"


@dataclass(frozen=True, slots=True)
class ServerVersionCall:
    # Intuit's troubleshooting WSDL sends no parameter, consolibyte's sends strVersion: accept both
    # (docs/web-connector.md §9).
    str_version: str = ""


@dataclass(frozen=True, slots=True)
class GetServerVersionCall:
    """The Programmer's Guide 2.0 name of serverVersion (docs/web-connector.md §1.3)."""

    ticket: str = ""


@dataclass(frozen=True, slots=True)
class ClientVersionCall:
    str_version: str = ""


@dataclass(frozen=True, slots=True)
class AuthenticateCall:
    str_user_name: str = ""
    str_password: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class SendRequestXMLCall:
    ticket: str
    str_hcp_response: str
    str_company_file_name: str
    qbxml_country: str
    qbxml_major_vers: int
    qbxml_minor_vers: int


@dataclass(frozen=True, slots=True)
class ReceiveResponseXMLCall:
    ticket: str = ""
    response: str = ""
    hresult: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class ConnectionErrorCall:
    ticket: str = ""
    hresult: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class GetLastErrorCall:
    ticket: str = ""


@dataclass(frozen=True, slots=True)
class CloseConnectionCall:
    ticket: str = ""


@dataclass(frozen=True, slots=True)
class GetInteractiveURLCall:
    wc_ticket: str = ""
    session_id: str = ""


@dataclass(frozen=True, slots=True)
class InteractiveDoneCall:
    wc_ticket: str = ""


@dataclass(frozen=True, slots=True)
class InteractiveRejectedCall:
    wc_ticket: str = ""
    reason: str = ""


SoapCall = (
    ServerVersionCall
    | GetServerVersionCall
    | ClientVersionCall
    | AuthenticateCall
    | SendRequestXMLCall
    | ReceiveResponseXMLCall
    | ConnectionErrorCall
    | GetLastErrorCall
    | CloseConnectionCall
    | GetInteractiveURLCall
    | InteractiveDoneCall
    | InteractiveRejectedCall
)

SoapResult = str | int | list[str]


class ResultKind(Enum):
    STRING = "string"  # s:string
    INT = "int"  # s:int
    STRING_ARRAY = "ArrayOfString"  # tns:ArrayOfString, one <string> child per item


@dataclass(frozen=True, slots=True)
class Param:
    xml_name: str
    attr: str
    kind: Literal["string", "int"] = "string"
    # WSDL minOccurs="1": only the two int version numbers of sendRequestXML.
    required: bool = False


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    call_type: type[SoapCall]
    params: tuple[Param, ...]
    result: ResultKind
    # False for methods from the Programmer's Guide that no published WSDL declares.
    in_wsdl: bool = True

    @property
    def soap_action(self) -> str:
        return INTUIT_NS + self.name

    @property
    def response_element(self) -> str:
        return f"{self.name}Response"

    @property
    def result_element(self) -> str:
        return f"{self.name}Result"


def _ticket(xml_name: str = "ticket", attr: str = "ticket") -> Param:
    return Param(xml_name, attr)


_OPERATION_LIST: tuple[Operation, ...] = (
    Operation("serverVersion", ServerVersionCall, (Param("strVersion", "str_version"),), ResultKind.STRING),
    Operation("clientVersion", ClientVersionCall, (Param("strVersion", "str_version"),), ResultKind.STRING),
    Operation(
        "authenticate",
        AuthenticateCall,
        (Param("strUserName", "str_user_name"), Param("strPassword", "str_password")),
        ResultKind.STRING_ARRAY,
    ),
    Operation(
        "sendRequestXML",
        SendRequestXMLCall,
        (
            _ticket(),
            Param("strHCPResponse", "str_hcp_response"),
            Param("strCompanyFileName", "str_company_file_name"),
            Param("qbXMLCountry", "qbxml_country"),
            Param("qbXMLMajorVers", "qbxml_major_vers", "int", required=True),
            Param("qbXMLMinorVers", "qbxml_minor_vers", "int", required=True),
        ),
        ResultKind.STRING,
    ),
    Operation(
        "receiveResponseXML",
        ReceiveResponseXMLCall,
        (_ticket(), Param("response", "response"), Param("hresult", "hresult"), Param("message", "message")),
        ResultKind.INT,
    ),
    Operation(
        "connectionError",
        ConnectionErrorCall,
        (_ticket(), Param("hresult", "hresult"), Param("message", "message")),
        ResultKind.STRING,
    ),
    Operation("getLastError", GetLastErrorCall, (_ticket(),), ResultKind.STRING),
    Operation("closeConnection", CloseConnectionCall, (_ticket(),), ResultKind.STRING),
    # Programmer's Guide only (docs/web-connector.md §1.3: PG p.71, p.74-76).
    Operation("getServerVersion", GetServerVersionCall, (_ticket(),), ResultKind.STRING, in_wsdl=False),
    Operation(
        "getInteractiveURL",
        GetInteractiveURLCall,
        (_ticket("wcTicket", "wc_ticket"), Param("sessionID", "session_id")),
        ResultKind.STRING,
        in_wsdl=False,
    ),
    Operation(
        "interactiveDone",
        InteractiveDoneCall,
        (_ticket("wcTicket", "wc_ticket"),),
        ResultKind.STRING,
        in_wsdl=False,
    ),
    Operation(
        "interactiveRejected",
        InteractiveRejectedCall,
        (_ticket("wcTicket", "wc_ticket"), Param("reason", "reason")),
        ResultKind.STRING,
        in_wsdl=False,
    ),
)

OPERATIONS: dict[str, Operation] = {op.name: op for op in _OPERATION_LIST}
OPERATION_BY_CALL_TYPE: dict[type[SoapCall], Operation] = {op.call_type: op for op in _OPERATION_LIST}


def operation_of(call: SoapCall) -> Operation:
    return OPERATION_BY_CALL_TYPE[type(call)]


def ticket_of(call: SoapCall) -> str | None:
    """The session ticket a call carries, if any (for logs and correlation)."""
    if isinstance(call, GetInteractiveURLCall | InteractiveDoneCall | InteractiveRejectedCall):
        return call.wc_ticket
    return getattr(call, "ticket", None)
