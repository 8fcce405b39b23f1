"""Field failures on demand: QuickBooks closed, a lost response, a dropped HTTP exchange."""

from __future__ import annotations

from dataclasses import dataclass

from qb_sandbox.webconnector import (
    QB_NOT_RUNNING_HRESULT,
    QB_NOT_RUNNING_MESSAGE,
    HttpDrop,
    RequestProcessorError,
    SessionOutcome,
)
from tests.qbwc.soap.fakes import EchoCompanyFile, customer_add
from tests.sandbox.webconnector.fakes import TICKET, ScriptedHandler, simulator_against


async def test_quickbooks_not_running_reports_connection_error_instead_of_sending() -> None:
    handler = ScriptedHandler()
    async with simulator_against(handler) as wc:
        wc.quickbooks_not_running = True
        report = await wc.run_once()

    assert ("connection_error", (TICKET, QB_NOT_RUNNING_HRESULT, QB_NOT_RUNNING_MESSAGE)) in handler.calls
    assert "send_request_xml" not in handler.names()
    assert report.outcome is SessionOutcome.CONNECTION_ERROR
    assert report.methods[-2:] == ["connectionError", "closeConnection"]


async def test_connection_error_retries_while_the_service_names_a_file_then_gives_up() -> None:
    handler = ScriptedHandler(connection_error_answers=[r"C:\Books\Acme.qbw", "", "C:\\other.qbw"])
    async with simulator_against(handler, max_connection_retries=2) as wc:
        wc.quickbooks_not_running = True
        report = await wc.run_once()
    assert report.methods.count("connectionError") == 3
    assert report.outcome is SessionOutcome.CONNECTION_ERROR


async def test_dropped_response_leaves_the_request_processed_but_unreported() -> None:
    handler = ScriptedHandler(requests=[customer_add(1), customer_add(2)], progress=[100])
    company = EchoCompanyFile()
    async with simulator_against(handler, company) as wc:
        wc.drop_next_response = True
        first = await wc.run_once()
        second = await wc.run_once()

    # QuickBooks wrote the customer, but the service never heard about it, nor about the session's end.
    assert first.outcome is SessionOutcome.DROPPED_RESPONSE
    assert company.processed[0] == customer_add(1)
    assert first.methods[-1] == "sendRequestXML"
    assert first.close_message is None
    # One-shot: the next session talks normally again.
    assert second.outcome is SessionOutcome.COMPLETED
    assert second.methods[-3:] == ["sendRequestXML", "receiveResponseXML", "closeConnection"]
    assert company.processed == [customer_add(1), customer_add(2)]


async def test_http_drop_before_send_never_reaches_the_service() -> None:
    handler = ScriptedHandler()
    async with simulator_against(handler) as wc:
        wc.http_drop = HttpDrop("sendRequestXML")
        report = await wc.run_once()
    assert report.outcome is SessionOutcome.HTTP_ERROR
    assert "send_request_xml" not in handler.names()
    assert report.calls[-1].transport_error is not None
    assert wc.http_drop is None


async def test_http_drop_after_send_is_handled_by_the_service_but_lost_to_the_client() -> None:
    handler = ScriptedHandler()
    async with simulator_against(handler) as wc:
        wc.http_drop = HttpDrop("receiveResponseXML", when="after_send")
        report = await wc.run_once()
    assert handler.names()[-1] == "receive_response_xml"
    assert report.outcome is SessionOutcome.HTTP_ERROR
    assert report.progress == []


@dataclass
class BrokenCompanyFile(EchoCompanyFile):
    def process(self, request_xml: str) -> str:
        raise RequestProcessorError(
            "0x80040400", "QuickBooks found an error when parsing the provided XML text stream."
        )


async def test_request_processor_error_is_passed_as_hresult_and_message() -> None:
    handler = ScriptedHandler(progress=[-1], last_errors=["QuickBooks could not parse our request."])
    async with simulator_against(handler, BrokenCompanyFile()) as wc:
        report = await wc.run_once()
    received = next(args for name, args in handler.calls if name == "receive_response_xml")
    assert received == (
        TICKET,
        "",
        "0x80040400",
        "QuickBooks found an error when parsing the provided XML text stream.",
    )
    assert report.last_error == "QuickBooks could not parse our request."
