"""A scripted Web Connector service: each test says what the service answers, then checks what the
simulated Web Connector did with it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx

from qb_sandbox.webconnector import WebConnectorSimulator
from qbwc_gateway.soap import WithoutInteractiveMode
from tests.qbwc.soap.fakes import EchoCompanyFile, customer_add, make_app

URL = "https://qb.example.test/qbwc"
TICKET = "7f9c2d1e-0000-4000-8000-00000000abcd"


@dataclass
class ScriptedHandler(WithoutInteractiveMode):
    client_version_answer: str = ""
    authenticate_answer: list[str] = field(default_factory=lambda: [TICKET, ""])
    # sendRequestXML answers in order ("" = nothing to send); once exhausted, "".
    requests: list[str] = field(default_factory=lambda: [customer_add(1)])
    progress: list[int] = field(default_factory=lambda: [100])
    last_errors: list[str] = field(default_factory=lambda: ["No work."])
    connection_error_answers: list[str] = field(default_factory=lambda: ["done"])
    fail_on: set[str] = field(default_factory=set)
    calls: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)

    def _record(self, name: str, *args: object) -> None:
        self.calls.append((name, args))
        if name in self.fail_on:
            raise RuntimeError(f"{name} is broken")

    async def server_version(self) -> str:
        self._record("server_version")
        return "scripted 1.0"

    async def client_version(self, str_version: str) -> str:
        self._record("client_version", str_version)
        return self.client_version_answer

    async def authenticate(self, str_user_name: str, str_password: str) -> list[str]:
        self._record("authenticate", str_user_name)
        return self.authenticate_answer

    async def send_request_xml(
        self,
        ticket: str,
        str_hcp_response: str,
        str_company_file_name: str,
        qbxml_country: str,
        qbxml_major_vers: int,
        qbxml_minor_vers: int,
    ) -> str:
        self._record("send_request_xml", ticket, str_hcp_response)
        return self.requests.pop(0) if self.requests else ""

    async def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        self._record("receive_response_xml", ticket, response, hresult, message)
        return self.progress.pop(0)

    async def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        self._record("connection_error", ticket, hresult, message)
        return self.connection_error_answers.pop(0)

    async def get_last_error(self, ticket: str) -> str:
        self._record("get_last_error", ticket)
        return self.last_errors.pop(0) if self.last_errors else "No work."

    async def close_connection(self, ticket: str) -> str:
        self._record("close_connection", ticket)
        return "Closed by scripted service"

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


@asynccontextmanager
async def simulator_against(
    handler: ScriptedHandler, company: EchoCompanyFile | None = None, **options: object
) -> AsyncIterator[WebConnectorSimulator]:
    app = make_app(handler)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        yield WebConnectorSimulator(
            URL,
            username="esp-acme",
            password="pw-123456",
            company=company or EchoCompanyFile(),
            http_client=http,
            noop_pause_seconds=0,
            **options,  # type: ignore[arg-type]
        )
