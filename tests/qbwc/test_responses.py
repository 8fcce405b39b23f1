"""Reading QuickBooks' answers: statuses, iterators, the session's Host/Company/Preferences answer,
and what each status code means for the send."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qb_sandbox.desktop import CompanyFile
from qbwc_gateway.install.identity import OWNER_ID
from qbwc_gateway.responses import (
    Decision,
    QbStatus,
    QbXmlReadError,
    choose_qbxml_version,
    decide,
    hresult_words,
    parse_hcp,
    parse_response_set,
    refusal,
)
from qbwc_gateway.session import company_pin
from qbwc_gateway.session.progress import progress

RESPONSE = """<?xml version="1.0" ?>
<QBXML><QBXMLMsgsRs newMessageSetID="abc" messageSetStatusCode="0">
<CustomerQueryRs requestID="cache.Customer" statusCode="0" statusSeverity="Info" statusMessage="Status OK"
  iteratorRemainingCount="150" iteratorID="{1234}">
  <CustomerRet><ListID>80000001-1</ListID><Name>Acme &amp; Sons</Name><FullName>Acme &amp; Sons</FullName></CustomerRet>
  <CustomerRet><ListID>80000002-1</ListID><Name>Beta</Name><FullName>Beta</FullName></CustomerRet>
</CustomerQueryRs>
<CustomerAddRs requestID="j1.0" statusCode="3100" statusSeverity="Error"
  statusMessage="The name &quot;Acme&quot; of the list element is already in use."/>
<BillAddRs requestID="j1.8" statusCode="570" statusSeverity="Warn" statusMessage="Cannot link.">
  <BillRet><TxnID>1B-1</TxnID><EditSequence>99</EditSequence></BillRet>
</BillAddRs>
</QBXMLMsgsRs></QBXML>"""


def test_every_response_is_matched_by_request_id_with_its_status() -> None:
    answers = parse_response_set(RESPONSE)
    by_id = answers.by_request_id()

    assert (answers.new_message_set_id, answers.message_set_status_code) == ("abc", 0)
    query = by_id["cache.Customer"]
    assert [r.text("FullName") for r in query.rets] == ["Acme & Sons", "Beta"]
    assert (query.iterator_id, query.iterator_remaining) == ("{1234}", 150)
    add = by_id["j1.0"]
    assert add.status == QbStatus(3100, "Error", 'The name "Acme" of the list element is already in use.')
    assert add.status.is_error and not add.rets
    bill = by_id["j1.8"]
    assert bill.status.is_warning and not bill.status.is_error
    assert bill.rets[0].text("TxnID") == "1B-1"


@pytest.mark.parametrize(
    "text",
    ["", "not xml", "<QBXML><Other/></QBXML>", '<!DOCTYPE x [<!ENTITY e "boom">]><QBXML>&e;</QBXML>'],
)
def test_unreadable_answers_are_refused(text: str) -> None:
    with pytest.raises(QbXmlReadError):
        parse_response_set(text)


@pytest.mark.parametrize(
    ("code", "severity", "is_query", "decision"),
    [
        (0, "Info", False, Decision.STORE),
        (530, "Warn", False, Decision.STORE),
        (1, "Info", True, Decision.EMPTY),
        (3100, "Error", False, Decision.LINK_EXISTING),
        (3140, "Error", False, Decision.REFRESH_AND_RETRY),
        (3200, "Error", False, Decision.REREAD_AND_RETRY),
        (3170, "Error", False, Decision.RETRY_NEXT_SESSION),
        (3175, "Error", False, Decision.RETRY_NEXT_SESSION),
        (3176, "Error", False, Decision.RETRY_NEXT_SESSION),
        (3180, "Error", False, Decision.RETRY_NEXT_SESSION),
        (9100, "Error", False, Decision.NOT_THE_CAUSE),
        (3210, "Error", False, Decision.FAIL),
        (1000, "Error", False, Decision.FAIL),
    ],
)
def test_what_each_status_code_means(code: int, severity: str, is_query: bool, decision: Decision) -> None:
    assert decide(QbStatus(code, severity, "message"), is_query=is_query) is decision


def test_refusals_quote_quickbooks_in_plain_words() -> None:
    status = QbStatus(
        3210,
        "Error",
        'The "AppliedToTxnAdd payment amount" field has an invalid value "129.43".  QuickBooks error '
        "message: You cannot pay more than the amount due",
    )
    text = refusal("the payment of 129.43", status)
    assert text.startswith('QuickBooks refused the payment of 129.43: The "AppliedToTxnAdd payment amount"')
    assert (
        'invalid value "129.43". QuickBooks error message: You cannot pay more than the amount due.' in text
    )
    assert text.endswith("(QuickBooks status 3210)")


def test_hresults_are_explained() -> None:
    assert hresult_words("0x80040408", "Could not start QuickBooks.") == (
        "QuickBooks could not be started: make sure QuickBooks is open with the company file "
        "(0x80040408: Could not start QuickBooks.)."
    )
    assert "0x8004FFFF" in hresult_words("0x8004FFFF", "")


def test_the_first_call_describes_quickbooks_and_the_company_file() -> None:
    books = CompanyFile("Lakeside Books", seed_demo=True)
    books.set_file_id(OWNER_ID, "{11111111-2222-3333-4444-555555555555}")

    hcp = parse_hcp(books.hcp_response())

    assert hcp.host.product_name == "QuickBooks Pro 2023"
    assert "13.0" in hcp.host.supported_versions
    assert hcp.company.company_name == "Lakeside Books"
    assert hcp.company.file_ids[OWNER_ID] == "{11111111-2222-3333-4444-555555555555}"
    assert hcp.preferences.sales_tax_on
    assert (hcp.preferences.taxable_code, hcp.preferences.non_taxable_code) == ("Tax", "Non")
    assert not parse_hcp(CompanyFile().hcp_response()).preferences.sales_tax_on


@pytest.mark.parametrize(
    ("supported", "expected"),
    [
        (["1.0", "12.0", "13.0", "16.0"], "13.0"),
        (["16.0"], "13.0"),
        (["8.0", "10.0", "11.0"], "11.0"),
        (["2.0", "5.0"], None),
    ],
)
def test_qbxml_version_is_13_when_quickbooks_speaks_it(supported: list[str], expected: str | None) -> None:
    assert choose_qbxml_version(supported) == expected


def test_without_host_versions_the_request_processor_level_decides() -> None:
    assert choose_qbxml_version([], 13, 0) == "13.0"
    assert choose_qbxml_version([], 10, 0) == "10.0"


def test_a_pinned_company_file_refuses_another_one() -> None:
    now = datetime(2024, 5, 14, tzinfo=UTC)
    ours = CompanyFile("Lakeside Books")
    pinned = company_pin.pin(parse_hcp(ours.hcp_response()), ours.file_path, owner_id=OWNER_ID, now=now)

    same = company_pin.refusal(
        pinned, parse_hcp(ours.hcp_response()), ours.file_path, owner_id=OWNER_ID, our_file_id="{A}"
    )
    other = CompanyFile("Harbor Books", file_path="C:\\other.qbw")
    refused = company_pin.refusal(
        pinned, parse_hcp(other.hcp_response()), other.file_path, owner_id=OWNER_ID, our_file_id="{A}"
    )

    assert same is None
    assert refused is not None
    assert "“Harbor Books” (C:\\other.qbw)" in refused and "“Lakeside Books”" in refused
    assert "2024-05-14" in refused


def test_a_company_file_registered_by_another_account_is_refused() -> None:
    now = datetime(2024, 5, 14, tzinfo=UTC)
    books = CompanyFile("Lakeside Books")
    pinned = company_pin.pin(parse_hcp(books.hcp_response()), books.file_path, owner_id=OWNER_ID, now=now)
    books.set_file_id(OWNER_ID, "{99999999-0000-0000-0000-000000000000}")

    refused = company_pin.refusal(
        pinned,
        parse_hcp(books.hcp_response()),
        books.file_path,
        owner_id=OWNER_ID,
        our_file_id="{12345678-0000-0000-0000-000000000000}",
    )

    assert refused is not None and "another ESP account" in refused


@pytest.mark.parametrize(
    ("finished", "remaining", "floor", "expected"),
    [(0, 3, 0, 0), (1, 2, 0, 33), (2, 1, 0, 66), (3, 0, 0, 100), (99, 1, 0, 99), (1, 3, 33, 33)],
)
def test_progress_is_below_100_until_nothing_remains(
    finished: int, remaining: int, floor: int, expected: int
) -> None:
    assert progress(finished=finished, remaining=remaining, floor=floor) == expected
