"""A QuickBooks Web Connector that runs one update session against a SOAP service.

It makes the calls the real Web Connector makes, in its order, and reacts to the answers the way the
Programmer's Guide says it does (docs/web-connector.md §1.2-§1.8). QuickBooks itself is a ``CompanyFileLike``.
Faults can be injected to reproduce what users meet in the field: QuickBooks not running, a response
lost after QuickBooks processed a request, and HTTP exchanges that fail.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, Self

import httpx

from qb_sandbox.contracts import wsdl_path as intuit_wsdl_path

from .company import (
    DEFAULT_QBXML_COUNTRY,
    UNEXPECTED_ERROR_HRESULT,
    CompanyFileLike,
    RegistersFileID,
    ReportsCountry,
    RequestProcessorError,
)
from .report import CallRecord, Exchange, SessionOutcome, SessionReport
from .soap_client import HttpDrop, HttpFailure, SoapFaultAnswer, WebConnectorSoapClient

# Web Connector 2.3 build seen in the field (docs/web-connector.md §1.1).
DEFAULT_WC_VERSION = "2.3.0.215"
# connectionError arguments when QuickBooks cannot be started (docs/web-connector.md §4.2, §6 #1).
QB_NOT_RUNNING_HRESULT = "0x80040408"
QB_NOT_RUNNING_MESSAGE = "Could not start QuickBooks."
# getLastError special values (docs/web-connector.md §1.7).
NOOP = "NoOp"
INTERACTIVE_MODE = "Interactive mode"
NOOP_PAUSE_SECONDS = 5.0


class _SessionOver(Exception):
    """Internal: the Web Connector stops making calls for this session."""


class WebConnectorSimulator:
    """Simulated Web Connector for one ``.qwc`` registration (service URL + user name + password).

    Fault injection, set before :meth:`run_once`:

    * ``quickbooks_not_running = True``: opening the company file fails, so the Web Connector calls
      ``connectionError`` (HRESULT 0x80040408) instead of ``sendRequestXML``; stays set until cleared.
    * ``drop_next_response = True``: the next qbXML request is processed by QuickBooks, then the session
      ends abruptly without ``receiveResponseXML`` (the service restarted, the network went away).
      Cleared once used.
    * ``http_drop = HttpDrop(method, when)``: the next HTTP exchange of ``method`` fails. Cleared once
      used.
    """

    def __init__(
        self,
        url: str,
        *,
        username: str,
        password: str,
        company: CompanyFileLike,
        wsdl_path: str | Path | None = None,
        version: str = DEFAULT_WC_VERSION,
        http_client: httpx.AsyncClient | None = None,
        qbxml_country: str | None = None,
        qbxml_major_vers: int = 13,
        qbxml_minor_vers: int = 0,
        noop_pause_seconds: float = NOOP_PAUSE_SECONDS,
        max_noop_pauses: int = 12,
        max_connection_retries: int = 2,
        continue_after_warning: bool = True,
        owner_id: str | None = None,
        file_id: str | None = None,
    ) -> None:
        self.url = url
        self.username = username
        self._password = password
        self.company = company
        self.version = version
        self._qbxml_country = qbxml_country
        self.qbxml_major_vers = qbxml_major_vers
        self.qbxml_minor_vers = qbxml_minor_vers
        self.noop_pause_seconds = noop_pause_seconds
        self.max_noop_pauses = max_noop_pauses
        # "Don't retry the same operation in response to the connectionError more than a couple of
        # times" (docs/web-connector.md §1.8).
        self.max_connection_retries = max_connection_retries
        # A clientVersion "W:" lets the user continue or cancel (docs/web-connector.md §1.3).
        self.continue_after_warning = continue_after_warning
        # The .qwc OwnerID/FileID pair, stamped on the company file when first connecting.
        self.owner_id = owner_id
        self.file_id = file_id
        self.quickbooks_not_running = False
        self.drop_next_response = False
        self.http_drop: HttpDrop | None = None
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=httpx.Timeout(300.0))
        self._soap = WebConnectorSoapClient(
            url, wsdl_path=wsdl_path or intuit_wsdl_path(), http_client=self._http
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http_client:
            await self._http.aclose()

    async def run_once(self) -> SessionReport:
        """One update session, as when the user clicks "Update Selected" or Auto-Run fires."""
        report = SessionReport()
        with contextlib.suppress(_SessionOver):
            await self._run(report)
        return report

    async def _run(self, report: SessionReport) -> None:
        # 1. serverVersion, then clientVersion; a service may implement neither (docs/web-connector.md §1.2).
        report.server_version = await self._call(report, "serverVersion", {}, fault_is_fatal=False)
        answer = await self._call(report, "clientVersion", {"strVersion": self.version}, fault_is_fatal=False)
        report.client_version_answer = answer
        self._react_to_client_version(report, answer or "")

        # 2. authenticate (docs/web-connector.md §1.4).
        auth = await self._call(
            report, "authenticate", {"strUserName": self.username, "strPassword": self._password}
        )
        ticket = self._react_to_authenticate(report, auth)
        if report.outcome is not None:
            await self._close(report, ticket)
            return

        # 3. open the company file, or tell the service why not (docs/web-connector.md §1.8).
        if not await self._open_company_file(report, ticket):
            await self._close(report, ticket)
            return

        # 4. the exchange loop (docs/web-connector.md §1.2 steps 5-6).
        await self._exchange_until_done(report, ticket)
        await self._close(report, ticket)

    def _react_to_client_version(self, report: SessionReport, answer: str) -> None:
        if not answer:
            return
        prefix, colon, text = answer.partition(":")
        if prefix == "W" and colon:
            report.warnings.append(text)
            if not self.continue_after_warning:
                self._end(report, SessionOutcome.CANCELLED_BY_USER, text)
            return
        if prefix in {"E", "O"} and colon:
            # "E:" refuse this Web Connector; "O:" the service needs version <text> or newer.
            self._end(report, SessionOutcome.CLIENT_VERSION_REJECTED, text)
        # Anything else is QBWC1046, a bad clientVersion answer (docs/web-connector.md §1.10).
        self._end(report, SessionOutcome.CLIENT_VERSION_REJECTED, f"QBWC1046: unexpected answer {answer!r}")

    def _react_to_authenticate(self, report: SessionReport, auth: list[str]) -> str:
        if len(auth) < 2:
            # What a short or wrongly serialised array does to QBWC (docs/web-connector.md §1.1).
            self._end(
                report, SessionOutcome.SOAP_FAULT, "QBWC1012: authenticate returned fewer than 2 strings"
            )
        ticket, status = auth[0], auth[1]
        report.ticket = ticket
        report.authenticate_status = status
        report.postpone_seconds = _optional_seconds(auth, 2)
        report.min_run_every_seconds = _optional_seconds(auth, 3)
        outcome = {
            "nvu": SessionOutcome.INVALID_USER,
            "none": SessionOutcome.NOTHING_TO_DO,
            "busy": SessionOutcome.BUSY,
        }.get(status.lower())
        if outcome is not None:
            report.outcome = outcome
        elif report.postpone_seconds:
            report.outcome = SessionOutcome.POSTPONED
        return ticket

    async def _open_company_file(self, report: SessionReport, ticket: str) -> bool:
        retries = 0
        while self.quickbooks_not_running:
            answer = await self._call(
                report,
                "connectionError",
                {"ticket": ticket, "hresult": QB_NOT_RUNNING_HRESULT, "message": QB_NOT_RUNNING_MESSAGE},
            )
            # "done" stops; any other string is a company file to retry with (docs/web-connector.md §1.8).
            if answer.lower() == "done" or retries >= self.max_connection_retries:
                report.outcome = SessionOutcome.CONNECTION_ERROR
                report.last_error = QB_NOT_RUNNING_MESSAGE
                return False
            retries += 1
        if self.owner_id and self.file_id and isinstance(self.company, RegistersFileID):
            self.company.set_file_id(self.owner_id, self.file_id)
        return True

    @property
    def qbxml_country(self) -> str:
        """``qbXMLCountry`` of sendRequestXML: the company file's country (US, CA, UK;
        docs/web-connector.md §3.10) unless one was given; "US" for a company file that does not
        report its country."""
        if self._qbxml_country:
            return self._qbxml_country
        if isinstance(self.company, ReportsCountry):
            return self.company.country
        return DEFAULT_QBXML_COUNTRY

    async def _exchange_until_done(self, report: SessionReport, ticket: str) -> None:
        hcp_response = self.company.hcp_response()
        while True:
            request_xml = await self._call(
                report,
                "sendRequestXML",
                {
                    "ticket": ticket,
                    # Only the first sendRequestXML of a session carries it (docs/web-connector.md §1.5).
                    "strHCPResponse": hcp_response,
                    "strCompanyFileName": self.company.file_path,
                    "qbXMLCountry": self.qbxml_country,
                    "qbXMLMajorVers": self.qbxml_major_vers,
                    "qbXMLMinorVers": self.qbxml_minor_vers,
                },
            )
            hcp_response = ""
            if not request_xml:
                if await self._pause_if_noop(report, ticket):
                    continue
                return
            exchange = self._process(request_xml)
            report.exchanges.append(exchange)
            if self.drop_next_response:
                self.drop_next_response = False
                self._end(report, SessionOutcome.DROPPED_RESPONSE, "the response never reached the service")
            progress = await self._call(
                report,
                "receiveResponseXML",
                {
                    "ticket": ticket,
                    "response": exchange.response_xml,
                    "hresult": exchange.hresult,
                    "message": exchange.message,
                },
            )
            report.progress.append(progress)
            if progress < 0:
                # Negative: an error; the Web Connector asks for its text (docs/web-connector.md §1.6).
                if await self._pause_if_noop(report, ticket):
                    continue
                return
            if progress >= 100:
                report.outcome = SessionOutcome.COMPLETED
                return

    async def _pause_if_noop(self, report: SessionReport, ticket: str) -> bool:
        """getLastError after an empty request or a negative progress; True to call sendRequestXML
        again after the NoOp pause (docs/web-connector.md §1.7)."""
        message = await self._call(report, "getLastError", {"ticket": ticket})
        if message == NOOP:
            if report.noop_pauses >= self.max_noop_pauses:
                report.outcome = SessionOutcome.NOOP_LIMIT
                report.last_error = f"the service answered NoOp {report.noop_pauses} times in a row"
                return False
            report.noop_pauses += 1
            await asyncio.sleep(self.noop_pause_seconds)
            return True
        if message == INTERACTIVE_MODE:
            # Interactive mode needs a browser on the user's machine (docs/web-connector.md §1.9).
            report.outcome = SessionOutcome.INTERACTIVE_MODE_UNSUPPORTED
            report.last_error = message
            return False
        report.outcome = SessionOutcome.SERVER_ERROR
        report.last_error = message
        return False

    def _process(self, request_xml: str) -> Exchange:
        try:
            return Exchange(request_xml, self.company.process(request_xml))
        except RequestProcessorError as exc:
            return Exchange(request_xml, "", exc.hresult, exc.message)
        except Exception as exc:
            return Exchange(request_xml, "", UNEXPECTED_ERROR_HRESULT, f"Unexpected error: {exc}")

    async def _close(self, report: SessionReport, ticket: str) -> None:
        report.close_message = await self._call(report, "closeConnection", {"ticket": ticket})

    def _end(self, report: SessionReport, outcome: SessionOutcome, error: str) -> NoReturn:
        report.outcome = outcome
        report.last_error = error
        raise _SessionOver

    async def _call(
        self,
        report: SessionReport,
        method: str,
        params: dict[str, str | int],
        *,
        fault_is_fatal: bool = True,
    ) -> Any:
        recorded = {name: value for name, value in params.items() if name != "strPassword"}
        drop = self.http_drop if self.http_drop is not None and self.http_drop.method == method else None
        if drop is not None:
            self.http_drop = None
        self._soap.drop_next(drop)
        try:
            raw = await self._soap.call(method, **params)
        except SoapFaultAnswer as fault:
            report.calls.append(CallRecord(method, recorded, fault=str(fault)))
            if fault_is_fatal:
                # QBWC1041-1045: an exception in a callback ends the session (docs/web-connector.md §1.10).
                self._end(report, SessionOutcome.SOAP_FAULT, f"{method}: {fault.message}")
            return None
        except HttpFailure as failure:
            report.calls.append(CallRecord(method, recorded, transport_error=str(failure)))
            self._end(report, SessionOutcome.HTTP_ERROR, f"{method}: {failure}")
        result = _normalise(method, raw)
        report.calls.append(CallRecord(method, recorded, result=result))
        return result


def _normalise(method: str, raw: Any) -> str | int | list[str]:
    # zeep reads an empty element as None; .NET (the Web Connector) reads it as "".
    if method == "authenticate":
        items = getattr(raw, "string", raw) or []
        return ["" if item is None else str(item) for item in items]
    if method == "receiveResponseXML":
        return int(raw)
    return "" if raw is None else str(raw)


def _optional_seconds(auth: list[str], index: int) -> int | None:
    if len(auth) <= index or not auth[index].strip():
        return None
    try:
        return int(auth[index])
    except ValueError:
        return None
