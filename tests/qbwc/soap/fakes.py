"""Test doubles for the SOAP layer: an in-memory session handler, a company file, request builders."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fastapi import FastAPI

from qbwc_gateway.soap import WithoutInteractiveMode, soap_router

PUBLIC_URL = "https://qb.example.test/qbwc"
USER = "esp-acme"
PASSWORD = "s3cret-Wc-pass!"

# A customer name needing escaping twice: once inside qbXML, once more inside the SOAP envelope.
TRICKY_NAME = 'Smith &amp; Sons &lt;Promo&gt; "Q"'


def customer_add(n: int) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?>'
        '<QBXML><QBXMLMsgsRq onError="stopOnError">'
        f'<CustomerAddRq requestID="{n}"><CustomerAdd><Name>{TRICKY_NAME} {n}</Name></CustomerAdd></CustomerAddRq>'
        "</QBXMLMsgsRq></QBXML>"
    )


@dataclass
class FakeSessionHandler(WithoutInteractiveMode):
    """A plausible session: one password, a queue of qbXML requests, progress as a percentage."""

    requests: list[str] = field(default_factory=lambda: [customer_add(1), customer_add(2)])
    calls: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)
    _tickets: itertools.count[int] = field(default_factory=itertools.count)
    _sent: int = 0
    _open: set[str] = field(default_factory=set)

    async def server_version(self) -> str:
        self.calls.append(("server_version", ()))
        return "esp-quickbooks 0.1"

    async def client_version(self, str_version: str) -> str:
        self.calls.append(("client_version", (str_version,)))
        return ""

    async def authenticate(self, str_user_name: str, str_password: str) -> list[str]:
        self.calls.append(("authenticate", (str_user_name,)))
        if (str_user_name, str_password) != (USER, PASSWORD):
            return ["", "nvu"]
        ticket = f"TICKET-{next(self._tickets):04d}-0123456789abcdef"
        self._open.add(ticket)
        return [ticket, "" if self.requests else "none"]

    async def send_request_xml(
        self,
        ticket: str,
        str_hcp_response: str,
        str_company_file_name: str,
        qbxml_country: str,
        qbxml_major_vers: int,
        qbxml_minor_vers: int,
    ) -> str:
        self.calls.append(
            (
                "send_request_xml",
                (
                    ticket,
                    str_hcp_response,
                    str_company_file_name,
                    qbxml_country,
                    qbxml_major_vers,
                    qbxml_minor_vers,
                ),
            )
        )
        return self.requests[self._sent] if ticket in self._open and self._sent < len(self.requests) else ""

    async def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        self.calls.append(("receive_response_xml", (ticket, response, hresult, message)))
        self._sent += 1
        return 100 * self._sent // len(self.requests)

    async def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        self.calls.append(("connection_error", (ticket, hresult, message)))
        return "done"

    async def get_last_error(self, ticket: str) -> str:
        self.calls.append(("get_last_error", (ticket,)))
        return "No more work."

    async def close_connection(self, ticket: str) -> str:
        self.calls.append(("close_connection", (ticket,)))
        self._open.discard(ticket)
        return "OK: 2 documents sent"

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


@dataclass
class EchoCompanyFile:
    """Answers every request with a CustomerAddRs; remembers what it processed."""

    file_path: str = r"C:\Users\Public\Documents\Intuit\QuickBooks\Acme Promo.qbw"
    processed: list[str] = field(default_factory=list)

    def hcp_response(self) -> str:
        return (
            '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><HostQueryRs requestID="0" statusCode="0" '
            'statusSeverity="Info" statusMessage="Status OK"><HostRet><ProductName>QuickBooks Premier 2023'
            "</ProductName><MajorVersion>33</MajorVersion><Country>US</Country>"
            "<SupportedQBXMLVersion>13.0</SupportedQBXMLVersion></HostRet></HostQueryRs></QBXMLMsgsRs></QBXML>"
        )

    def process(self, request_xml: str) -> str:
        self.processed.append(request_xml)
        n = len(self.processed)
        return (
            '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>'
            f'<CustomerAddRs requestID="{n}" statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
            f"<CustomerRet><ListID>80000{n:03d}-1700000000</ListID><Name>{TRICKY_NAME} {n}</Name></CustomerRet>"
            "</CustomerAddRs></QBXMLMsgsRs></QBXML>"
        )


@dataclass
class HandlerProbe:
    """Counts how often the handler dependency was resolved and whether its cleanup saw an error."""

    resolved: int = 0
    cleanups: list[str] = field(default_factory=list)


def make_app(handler: object, probe: HandlerProbe | None = None, **router_kwargs: object) -> FastAPI:
    probe = probe or HandlerProbe()

    async def get_handler() -> AsyncIterator[object]:
        # Shaped like a DB-session dependency: commit on success, roll back on exception.
        probe.resolved += 1
        try:
            yield handler
        except Exception as exc:
            probe.cleanups.append(f"rollback:{type(exc).__name__}")
            raise
        else:
            probe.cleanups.append("commit")

    router_kwargs.setdefault("public_url", PUBLIC_URL)
    app = FastAPI()
    app.include_router(soap_router(get_handler, **router_kwargs))  # type: ignore[arg-type]
    return app


def soap_envelope(method: str, inner: str = "", *, ns: str = "http://developer.intuit.com/") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        f'<soap:Body><{method} xmlns="{ns}">{inner}</{method}></soap:Body></soap:Envelope>'
    ).encode()


def soap_headers(method: str | None = None) -> dict[str, str]:
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if method:
        headers["SOAPAction"] = f'"http://developer.intuit.com/{method}"'
    return headers
