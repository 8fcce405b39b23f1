"""The simulated Web Connector reacts to each answer the way the Programmer's Guide describes."""

from __future__ import annotations

import pytest

from qb_sandbox.webconnector import SessionOutcome
from tests.qbwc.soap.fakes import EchoCompanyFile, customer_add
from tests.sandbox.webconnector.fakes import TICKET, ScriptedHandler, simulator_against

PREAMBLE = ["serverVersion", "clientVersion", "authenticate"]


async def test_three_requests_then_done() -> None:
    handler = ScriptedHandler(
        requests=[customer_add(1), customer_add(2), customer_add(3)], progress=[33, 66, 100]
    )
    company = EchoCompanyFile()

    async with simulator_against(handler, company) as wc:
        report = await wc.run_once()

    assert report.outcome is SessionOutcome.COMPLETED
    assert report.methods == [*PREAMBLE, *["sendRequestXML", "receiveResponseXML"] * 3, "closeConnection"]
    assert report.round_trips == 3
    assert report.progress == [33, 66, 100]
    assert report.ticket == TICKET
    assert report.server_version == "scripted 1.0"
    assert report.close_message == "Closed by scripted service"
    assert company.processed == [customer_add(1), customer_add(2), customer_add(3)]
    hcp_sent = [args[1] for name, args in handler.calls if name == "send_request_xml"]
    assert hcp_sent == [company.hcp_response(), "", ""]


async def test_client_version_warning_is_shown_and_the_session_goes_on() -> None:
    handler = ScriptedHandler(client_version_answer="W:Please upgrade to 2.3 soon")
    async with simulator_against(handler) as wc:
        report = await wc.run_once()
    assert report.warnings == ["Please upgrade to 2.3 soon"]
    assert report.outcome is SessionOutcome.COMPLETED


async def test_user_may_cancel_at_a_client_version_warning() -> None:
    handler = ScriptedHandler(client_version_answer="W:Old Web Connector")
    async with simulator_against(handler, continue_after_warning=False) as wc:
        report = await wc.run_once()
    assert report.outcome is SessionOutcome.CANCELLED_BY_USER
    assert "authenticate" not in handler.names()


@pytest.mark.parametrize("answer", ["E:This Web Connector is not supported", "O:2.3.0.215", "Upgrade!"])
async def test_client_version_refusal_stops_before_authenticate(answer: str) -> None:
    handler = ScriptedHandler(client_version_answer=answer)
    async with simulator_against(handler) as wc:
        report = await wc.run_once()
    assert report.outcome is SessionOutcome.CLIENT_VERSION_REJECTED
    assert report.methods == ["serverVersion", "clientVersion"]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("nvu", SessionOutcome.INVALID_USER),
        ("none", SessionOutcome.NOTHING_TO_DO),
        ("BUSY", SessionOutcome.BUSY),
    ],
)
async def test_authenticate_status_ends_the_session_with_close_connection(
    status: str, outcome: SessionOutcome
) -> None:
    handler = ScriptedHandler(authenticate_answer=[TICKET, status, "", "300"])
    async with simulator_against(handler) as wc:
        report = await wc.run_once()
    assert report.outcome is outcome
    assert report.methods == [*PREAMBLE, "closeConnection"]
    assert report.min_run_every_seconds == 300


async def test_company_file_path_from_authenticate_is_recorded() -> None:
    handler = ScriptedHandler(authenticate_answer=[TICKET, r"C:\Books\Acme.qbw"])
    async with simulator_against(handler) as wc:
        report = await wc.run_once()
    assert report.authenticate_status == r"C:\Books\Acme.qbw"
    assert report.outcome is SessionOutcome.COMPLETED


async def test_postponed_update_sends_nothing() -> None:
    handler = ScriptedHandler(authenticate_answer=[TICKET, "", "60"])
    async with simulator_against(handler) as wc:
        report = await wc.run_once()
    assert report.outcome is SessionOutcome.POSTPONED
    assert report.postpone_seconds == 60
    assert "sendRequestXML" not in report.methods


async def test_nothing_to_send_asks_get_last_error_and_shows_it() -> None:
    handler = ScriptedHandler(requests=[""], last_errors=["Nothing queued for this company file."])
    async with simulator_against(handler) as wc:
        report = await wc.run_once()
    assert report.methods == [*PREAMBLE, "sendRequestXML", "getLastError", "closeConnection"]
    assert report.last_error == "Nothing queued for this company file."
    assert report.outcome is SessionOutcome.SERVER_ERROR


async def test_noop_pauses_then_calls_send_request_xml_again() -> None:
    handler = ScriptedHandler(requests=["", customer_add(1)], last_errors=["NoOp"], progress=[100])
    async with simulator_against(handler) as wc:
        report = await wc.run_once()
    assert report.methods == [
        *PREAMBLE,
        "sendRequestXML",
        "getLastError",
        "sendRequestXML",
        "receiveResponseXML",
        "closeConnection",
    ]
    assert report.noop_pauses == 1
    assert report.outcome is SessionOutcome.COMPLETED


async def test_endless_noop_is_cut_off() -> None:
    handler = ScriptedHandler(requests=[], last_errors=["NoOp"] * 10)
    async with simulator_against(handler, max_noop_pauses=3) as wc:
        report = await wc.run_once()
    assert report.outcome is SessionOutcome.NOOP_LIMIT
    assert report.noop_pauses == 3
    assert report.methods[-1] == "closeConnection"


async def test_negative_progress_fetches_the_error_and_closes() -> None:
    handler = ScriptedHandler(progress=[-101], last_errors=["QuickBooks rejected CustomerAdd: 3100"])
    async with simulator_against(handler) as wc:
        report = await wc.run_once()
    assert report.progress == [-101]
    assert report.methods[-2:] == ["getLastError", "closeConnection"]
    assert report.last_error == "QuickBooks rejected CustomerAdd: 3100"
    assert report.outcome is SessionOutcome.SERVER_ERROR


async def test_interactive_mode_is_declined() -> None:
    handler = ScriptedHandler(requests=[""], last_errors=["Interactive mode"])
    async with simulator_against(handler) as wc:
        report = await wc.run_once()
    assert report.outcome is SessionOutcome.INTERACTIVE_MODE_UNSUPPORTED
    assert report.methods[-1] == "closeConnection"


async def test_service_without_version_calls_is_still_served() -> None:
    handler = ScriptedHandler(fail_on={"server_version", "client_version"})
    async with simulator_against(handler) as wc:
        report = await wc.run_once()
    assert report.outcome is SessionOutcome.COMPLETED
    assert report.calls[0].fault is not None and report.calls[0].fault.startswith("soap:Server")


async def test_fault_during_the_exchange_ends_the_session() -> None:
    handler = ScriptedHandler(fail_on={"send_request_xml"})
    async with simulator_against(handler) as wc:
        report = await wc.run_once()
    assert report.outcome is SessionOutcome.SOAP_FAULT
    assert report.methods == [*PREAMBLE, "sendRequestXML"]
    assert report.last_error is not None and report.last_error.startswith("sendRequestXML")
