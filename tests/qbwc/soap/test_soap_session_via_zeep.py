"""A whole Web Connector update session, zeep client → httpx → soap_router → in-memory handler."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from qb_sandbox.contracts import wsdl_path as intuit_wsdl
from qb_sandbox.webconnector import SessionOutcome, WebConnectorSimulator
from tests.qbwc.soap.fakes import (
    PASSWORD,
    PUBLIC_URL,
    USER,
    EchoCompanyFile,
    FakeSessionHandler,
    customer_add,
)


async def served_wsdl(client: httpx.AsyncClient, tmp_path: Path) -> Path:
    response = await client.get("/qbwc?wsdl")
    path = tmp_path / "served.wsdl"
    path.write_bytes(response.content)
    return path


@pytest.mark.parametrize("wsdl", ["intuit", "served"])
async def test_full_session_round_trips_names_types_and_qbxml(
    wsdl: str, client: httpx.AsyncClient, handler: FakeSessionHandler, tmp_path: Path
) -> None:
    wsdl_file = intuit_wsdl() if wsdl == "intuit" else await served_wsdl(client, tmp_path)
    company = EchoCompanyFile()
    simulator = WebConnectorSimulator(
        PUBLIC_URL, wsdl_path=wsdl_file, username=USER, password=PASSWORD, company=company, http_client=client
    )

    report = await simulator.run_once()

    assert report.outcome is SessionOutcome.COMPLETED
    assert handler.names() == [
        "server_version",
        "client_version",
        "authenticate",
        "send_request_xml",
        "receive_response_xml",
        "send_request_xml",
        "receive_response_xml",
        "close_connection",
    ]
    assert report.server_version == "esp-quickbooks 0.1"
    assert report.progress == [50, 100]
    assert report.close_message == "OK: 2 documents sent"
    # The qbXML the service queued reached QuickBooks unchanged, escaping included, and back.
    assert company.processed == [customer_add(1), customer_add(2)]
    received = [str(args[1]) for name, args in handler.calls if name == "receive_response_xml"]
    assert received == [exchange.response_xml for exchange in report.exchanges]
    assert "Smith &amp; Sons &lt;Promo&gt;" in received[0]


async def test_send_request_xml_arguments_arrive_typed(
    client: httpx.AsyncClient, handler: FakeSessionHandler
) -> None:
    company = EchoCompanyFile()
    simulator = WebConnectorSimulator(
        PUBLIC_URL, username=USER, password=PASSWORD, company=company, http_client=client
    )

    report = await simulator.run_once()

    sends = [args for name, args in handler.calls if name == "send_request_xml"]
    first, second = sends
    assert first == (report.ticket, company.hcp_response(), company.file_path, "US", 13, 0)
    assert type(first[4]) is int and type(first[5]) is int
    # The HostQuery/CompanyQuery/PreferencesQuery answer comes with the first call only.
    assert second[1] == ""
    assert ("client_version", ("2.3.0.215",)) in handler.calls


async def test_wrong_password_ends_with_nvu_and_the_password_is_never_recorded(
    client: httpx.AsyncClient, handler: FakeSessionHandler
) -> None:
    simulator = WebConnectorSimulator(
        PUBLIC_URL, username=USER, password="wrong-password", company=EchoCompanyFile(), http_client=client
    )

    report = await simulator.run_once()

    assert report.outcome is SessionOutcome.INVALID_USER
    assert "send_request_xml" not in handler.names()
    assert report.methods[-1] == "closeConnection"
    assert "wrong-password" not in repr(report)
    assert all("strPassword" not in call.args for call in report.calls)
