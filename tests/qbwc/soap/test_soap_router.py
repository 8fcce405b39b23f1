"""The HTTP edge: status codes, faults, WSDL serving, and what reaches the handler and the logs."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
import pytest
from fastapi import Request
from lxml import etree

from qbwc_gateway.soap import SoapFault
from tests.qbwc.soap.fakes import (
    PASSWORD,
    USER,
    FakeSessionHandler,
    HandlerProbe,
    make_app,
    soap_envelope,
    soap_headers,
)

NS = {"soap": "http://schemas.xmlsoap.org/soap/envelope/", "i": "http://developer.intuit.com/"}


def fault_of(response: httpx.Response) -> tuple[str, str]:
    assert response.headers["content-type"].startswith("text/xml")
    fault = etree.fromstring(response.content).find("soap:Body/soap:Fault", NS)
    assert fault is not None, response.text
    return fault.findtext("faultcode") or "", fault.findtext("faultstring") or ""


def result_text(response: httpx.Response, method: str) -> str | None:
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content).findtext(
        f"soap:Body/i:{method}Response/i:{method}Result", namespaces=NS
    )


async def post(client: httpx.AsyncClient, body: bytes, method: str | None = None) -> httpx.Response:
    return await client.post("/qbwc", content=body, headers=soap_headers(method))


async def test_unknown_method_is_a_client_fault_with_http_500(
    client: httpx.AsyncClient, handler: FakeSessionHandler, probe: HandlerProbe
) -> None:
    response = await post(client, soap_envelope("dropDatabase"))

    assert response.status_code == 500
    code, message = fault_of(response)
    assert code == "soap:Client"
    assert "dropDatabase" in message
    # Nothing behind the protocol layer ran: no handler call, not even the handler dependency.
    assert handler.calls == [] and probe.resolved == 0


async def test_malformed_envelope_is_a_client_fault(client: httpx.AsyncClient, probe: HandlerProbe) -> None:
    response = await post(client, b"<soap:Envelope><soap:Body>")
    assert response.status_code == 500
    assert fault_of(response)[0] == "soap:Client"
    assert probe.resolved == 0


async def test_soap_action_that_contradicts_the_body_is_refused(
    client: httpx.AsyncClient, handler: FakeSessionHandler
) -> None:
    body = soap_envelope(
        "authenticate", f"<strUserName>{USER}</strUserName><strPassword>{PASSWORD}</strPassword>"
    )
    response = await post(client, body, "closeConnection")
    assert fault_of(response)[0] == "soap:Client"
    assert handler.calls == []


async def test_non_soap11_media_type_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/qbwc", content=soap_envelope("serverVersion"), headers={"Content-Type": "application/soap+xml"}
    )
    assert response.status_code == 415
    assert fault_of(response)[0] == "soap:Client"


async def test_a_valid_call_commits_and_answers(client: httpx.AsyncClient, probe: HandlerProbe) -> None:
    response = await post(client, soap_envelope("serverVersion"), "serverVersion")
    assert result_text(response, "serverVersion") == "esp-quickbooks 0.1"
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert probe.cleanups == ["commit"]


@dataclass
class FailingHandler(FakeSessionHandler):
    async def authenticate(self, str_user_name: str, str_password: str) -> list[str]:
        raise RuntimeError(f"database down while checking {str_user_name}/{str_password}")

    async def get_last_error(self, ticket: str) -> str:
        raise SoapFault.client("Unknown ticket.")

    async def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        return "100"  # type: ignore[return-value]  # a bug: the WSDL says int


async def test_handler_crash_is_a_generic_server_fault_rolled_back_and_logged_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    probe = HandlerProbe()
    app = make_app(FailingHandler(), probe)
    body = soap_envelope(
        "authenticate", f"<strUserName>{USER}</strUserName><strPassword>{PASSWORD}</strPassword>"
    )
    caplog.set_level(logging.DEBUG)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        response = await post(client, body, "authenticate")

    assert response.status_code == 500
    code, message = fault_of(response)
    assert code == "soap:Server"
    assert "database" not in message and "Traceback" not in response.text and PASSWORD not in response.text
    # The handler's dependency saw the failure, so a transaction it owns is rolled back.
    assert probe.cleanups == ["rollback:SoapFault"]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "method=authenticate" in logged and "RuntimeError" in logged
    assert PASSWORD not in logged


async def test_handler_may_answer_with_its_own_fault() -> None:
    app = make_app(FailingHandler())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        response = await post(client, soap_envelope("getLastError", "<ticket>T-0000-0123456789</ticket>"))
    assert fault_of(response) == ("soap:Client", "Unknown ticket.")


async def test_handler_answer_of_the_wrong_type_becomes_a_server_fault() -> None:
    app = make_app(FailingHandler())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        response = await post(client, soap_envelope("receiveResponseXML", "<ticket>T</ticket>"))
    assert fault_of(response)[0] == "soap:Server"


async def test_ticket_is_logged_by_prefix_only(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="qbwc_gateway.soap")
    await post(client, soap_envelope("closeConnection", "<ticket>ABCDEFGH-full-secret-ticket</ticket>"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "ticket=ABCDEFGH" in logged
    assert "full-secret-ticket" not in logged


@pytest.mark.parametrize(
    ("method", "inner", "expected"),
    [
        ("getServerVersion", "<ticket>T</ticket>", "esp-quickbooks 0.1"),
        ("getInteractiveURL", "<wcTicket>T</wcTicket><sessionID>S</sessionID>", None),
        ("interactiveDone", "<wcTicket>T</wcTicket>", "Done"),
        (
            "interactiveRejected",
            "<wcTicket>T</wcTicket><reason>user said no</reason>",
            "Interactive mode is not used",
        ),
    ],
)
async def test_programmers_guide_methods_missing_from_the_wsdl_are_answered(
    client: httpx.AsyncClient, method: str, inner: str, expected: str | None
) -> None:
    text = result_text(await post(client, soap_envelope(method, inner), method), method)
    if expected is None:
        assert not text
    else:
        assert text is not None and text.startswith(expected)


@pytest.mark.parametrize("query", ["wsdl", "WSDL"])
async def test_wsdl_is_served_with_our_address(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"/qbwc?{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    address = etree.fromstring(response.content).find(
        "wsdl:service/wsdl:port/soap:address",
        {"wsdl": "http://schemas.xmlsoap.org/wsdl/", "soap": "http://schemas.xmlsoap.org/wsdl/soap/"},
    )
    assert address is not None and address.get("location") == "https://qb.example.test/qbwc"


async def test_wsdl_address_can_be_computed_per_request() -> None:
    def from_forwarded_host(request: Request) -> str:
        return f"https://{request.headers['x-forwarded-host']}/qbwc"

    app = make_app(FakeSessionHandler(), public_url=from_forwarded_host)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        response = await client.get("/qbwc?wsdl", headers={"x-forwarded-host": "tenant.example.test"})
    assert b'location="https://tenant.example.test/qbwc"' in response.content


async def test_get_without_wsdl_query_is_not_the_wsdl(client: httpx.AsyncClient) -> None:
    response = await client.get("/qbwc")
    assert response.status_code == 404
    assert "?wsdl" in response.text
