"""The simulator with the simulated QuickBooks company file behind it, and the ``.qwc`` runner."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from qb_sandbox.desktop import CompanyFile
from qb_sandbox.webconnector import QwcError, SessionOutcome, parse_qwc
from qb_sandbox.webconnector.__main__ import main
from qb_sandbox.webconnector.runner import run_sessions
from tests.qbwc.soap.fakes import customer_add, make_app
from tests.sandbox.webconnector.fakes import ScriptedHandler, simulator_against

OWNER_ID = "{6C1D8E2A-4B6F-4C55-9E1B-7A0C2F3D4E5F}"
FILE_ID = "{0F1E2D3C-4B5A-4697-8877-665544332211}"
QWC = f"""<?xml version="1.0"?>
<QBWCXML>
  <AppName>ESP Orders (Acme Promo)</AppName>
  <AppID></AppID>
  <AppURL>https://qb.example.test/qbwc</AppURL>
  <AppDescription>Send ESP orders to QuickBooks</AppDescription>
  <AppSupport>https://qb.example.test/support</AppSupport>
  <UserName>esp-acme</UserName>
  <OwnerID>{OWNER_ID}</OwnerID>
  <FileID>{FILE_ID}</FileID>
  <QBType>QBFS</QBType>
  <Scheduler><RunEveryNMinutes>15</RunEveryNMinutes><RunEveryNSeconds>30</RunEveryNSeconds></Scheduler>
</QBWCXML>
"""


async def test_customer_sent_through_the_web_connector_lands_in_the_company_file() -> None:
    company = CompanyFile()
    handler = ScriptedHandler(requests=[customer_add(1)], progress=[100])

    async with simulator_against(handler, company) as wc:  # type: ignore[arg-type]
        report = await wc.run_once()

    assert report.outcome is SessionOutcome.COMPLETED
    assert [c["Name"] for c in company.find("Customer", Name='Smith & Sons <Promo> "Q" 1')]
    response = next(args[1] for name, args in handler.calls if name == "receive_response_xml")
    assert 'statusCode="0"' in str(response) and "<CustomerRet>" in str(response)


async def test_unparseable_qbxml_reaches_the_service_as_an_hresult() -> None:
    handler = ScriptedHandler(
        requests=["<QBXML><QBXMLMsgsRq><NoSuchRq/></QBXMLMsgsRq></QBXML>"], progress=[-1]
    )
    async with simulator_against(handler, CompanyFile()) as wc:  # type: ignore[arg-type]
        await wc.run_once()
    _, response, hresult, message = next(
        args for name, args in handler.calls if name == "receive_response_xml"
    )
    assert (response, hresult) == ("", "0x80040400")
    assert message


async def test_file_id_from_the_qwc_is_in_the_first_hcp_response() -> None:
    handler = ScriptedHandler()
    async with simulator_against(handler, CompanyFile(), owner_id=OWNER_ID, file_id=FILE_ID) as wc:  # type: ignore[arg-type]
        await wc.run_once()
    hcp = str(next(args[1] for name, args in handler.calls if name == "send_request_xml"))
    assert "<CompanyQueryRs" in hcp
    assert f"<OwnerID>{OWNER_ID}</OwnerID>" in hcp and f"<DataExtValue>{FILE_ID}</DataExtValue>" in hcp


def test_qwc_fields_and_first_scheduler_entry_wins() -> None:
    registration = parse_qwc(QWC)
    assert registration.user_name == "esp-acme"
    assert registration.app_url == "https://qb.example.test/qbwc"
    assert (registration.owner_id, registration.file_id) == (OWNER_ID, FILE_ID)
    assert registration.run_every_seconds == 15 * 60


@pytest.mark.parametrize(
    "bad",
    [
        QWC.replace("<UserName>esp-acme</UserName>", ""),
        QWC.replace("QBWCXML", "Other"),
        '<!DOCTYPE QBWCXML [<!ENTITY x "y">]>' + QWC.split("?>", 1)[1],
        "<QBWCXML>",
    ],
)
def test_unusable_qwc_is_refused(bad: str) -> None:
    with pytest.raises(QwcError):
        parse_qwc(bad)


async def test_runner_keeps_the_books_in_the_json_company_file(tmp_path: Path) -> None:
    handler = ScriptedHandler(requests=[customer_add(1)], progress=[100])
    books = tmp_path / "qbd-company.json"
    lines: list[str] = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(make_app(handler)), base_url="http://t"
    ) as http:
        report = await run_sessions(
            parse_qwc(QWC), password="pw", company_file=books, http_client=http, out=lines.append
        )

    assert report.outcome is SessionOutcome.COMPLETED
    assert json.loads(lines[0])["outcome"] == "completed"
    reopened = CompanyFile.load_or_create(books)
    assert reopened.find("Customer", Name='Smith & Sons <Promo> "Q" 1')
    assert FILE_ID in reopened.hcp_response()


def test_cli_refuses_to_run_without_a_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QBWC_PASSWORD", raising=False)
    qwc = tmp_path / "acme.qwc"
    qwc.write_text(QWC)
    assert main(["--qwc", str(qwc), "--company-file", str(tmp_path / "c.json"), "--once"]) == 2
    assert not (tmp_path / "c.json").exists()
