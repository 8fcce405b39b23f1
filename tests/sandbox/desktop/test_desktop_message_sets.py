"""Message-set behaviour: onError, parse failures, error recovery, faults, the HCP response."""

from __future__ import annotations

import pytest
from lxml import etree

from qb_sandbox.desktop import HRESULT_PARSE_ERROR, CompanyFile, QbXmlParseError, validate_qbxml
from tests.sandbox.desktop.qbd_messages import (
    PROLOG,
    TickingClock,
    customer_add,
    each,
    message_set,
    responses_of,
    send,
    status_of,
    text,
    vendor_add,
)

PARSE_MESSAGE = "QuickBooks found an error when parsing the provided XML text stream."


def test_stop_on_error_leaves_later_requests_unanswered(empty_company: CompanyFile) -> None:
    responses = send(
        empty_company,
        customer_add("Acme", "1"),
        vendor_add("Acme", "2"),
        customer_add("Bolt", "3"),
        on_error="stopOnError",
    )

    assert [(r.tag, r.get("requestID"), status_of(r)) for r in responses] == [
        ("CustomerAddRs", "1", 0),
        ("VendorAddRs", "2", 3100),
    ]
    assert [c["Name"] for c in empty_company.documents("Customer")] == ["Acme"]
    assert empty_company.requests_processed == 2


def test_continue_on_error_answers_every_request(empty_company: CompanyFile) -> None:
    responses = send(
        empty_company,
        customer_add("Acme", "1"),
        vendor_add("Acme", "2"),
        customer_add("Bolt", "3"),
        on_error="continueOnError",
    )

    assert [(r.get("requestID"), status_of(r)) for r in responses] == [("1", 0), ("2", 3100), ("3", 0)]
    assert [c["Name"] for c in empty_company.documents("Customer")] == ["Acme", "Bolt"]


def test_warnings_do_not_stop_the_set(empty_company: CompanyFile) -> None:
    responses = send(
        empty_company,
        "<CustomerQueryRq><FullName>Nobody</FullName></CustomerQueryRq>",
        customer_add("Acme"),
        on_error="stopOnError",
    )

    assert [status_of(r) for r in responses] == [500, 0]


def test_a_set_that_breaks_the_schema_is_a_parse_error_with_no_response(empty_company: CompanyFile) -> None:
    out_of_order = message_set(
        customer_add("Acme"),
        "<InvoiceAddRq><InvoiceAdd><TxnDate>2024-03-01</TxnDate><CustomerRef><FullName>Acme</FullName>"
        "</CustomerRef></InvoiceAdd></InvoiceAddRq>",
    )

    with pytest.raises(QbXmlParseError) as caught:
        empty_company.process(out_of_order)
    result = empty_company.process_for_web_connector(out_of_order)

    assert caught.value.hresult == HRESULT_PARSE_ERROR == "0x80040400"
    assert caught.value.message == PARSE_MESSAGE
    assert any("TxnDate" in p for p in caught.value.problems)
    assert (result.response, result.hresult, result.message, result.ok) == (
        "",
        "0x80040400",
        PARSE_MESSAGE,
        False,
    )
    assert empty_company.documents("Customer") == []  # nothing in the set was processed
    assert empty_company.requests_processed == 0


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(f"{PROLOG}<QBXML><QBXMLMsgsRq onError='stopOnError'>", id="not-well-formed"),
        pytest.param(
            message_set(customer_add("Acme")).replace(PROLOG, '<?xml version="1.0"?>'), id="no-qbxml-version"
        ),
        pytest.param(
            message_set(customer_add("Acme")).replace('version="13.0"', 'version="99.0"'),
            id="unknown-version",
        ),
        pytest.param(message_set("<CustomerFrobRq/>"), id="unknown-request"),
    ],
)
def test_other_unparseable_sets(empty_company: CompanyFile, document: str) -> None:
    result = empty_company.process_for_web_connector(document)

    assert result.hresult == "0x80040400"
    assert result.response == ""


def test_a_successful_set_reports_ok_to_the_web_connector(empty_company: CompanyFile) -> None:
    result = empty_company.process_for_web_connector(message_set(customer_add("Acme")))

    assert result.ok and result.hresult == "" and result.message == ""
    assert status_of(responses_of(result.response)[0]) == 0


def test_request_ids_are_echoed_and_limited_to_50_characters(empty_company: CompanyFile) -> None:
    fine, too_long = send(
        empty_company,
        customer_add("Acme", "r" * 50),
        customer_add("Bolt", "r" * 51),
        on_error="continueOnError",
    )

    assert fine.get("requestID") == "r" * 50 and status_of(fine) == 0
    assert status_of(too_long) == 1060


def test_response_data_include_none_returns_status_only(empty_company: CompanyFile) -> None:
    (rs,) = send(empty_company, customer_add("Acme"), responseData="includeNone")

    assert status_of(rs) == 0
    assert list(rs) == []
    assert len(empty_company.documents("Customer")) == 1


def test_include_ret_element_trims_the_answer(empty_company: CompanyFile) -> None:
    send(empty_company, customer_add("Acme"))

    (rs,) = send(
        empty_company,
        "<CustomerQueryRq><IncludeRetElement>ListID</IncludeRetElement><IncludeRetElement>Name</IncludeRetElement></CustomerQueryRq>",
    )

    ret = rs.find("CustomerRet")
    assert ret is not None
    assert [child.tag for child in ret] == ["ListID", "Name"]


def invoice_for(customer: str, ref: str) -> str:
    return (
        f"<InvoiceAddRq requestID='inv'><InvoiceAdd><CustomerRef><FullName>{customer}</FullName></CustomerRef>"
        f"<RefNumber>{ref}</RefNumber><InvoiceLineAdd><Desc>Rush fee</Desc><Amount>25.00</Amount></InvoiceLineAdd>"
        "</InvoiceAdd></InvoiceAddRq>"
    )


def test_old_message_set_id_returns_the_stored_result_without_a_second_invoice(
    empty_company: CompanyFile,
) -> None:
    send(empty_company, customer_add("Acme"))
    request = message_set(invoice_for("Acme", "1001"), newMessageSetID="job-42-try-1")
    first = empty_company.process(request)  # pretend this answer was lost on the way back

    retry = message_set(
        invoice_for("Acme", "1001"), oldMessageSetID="job-42-try-1", newMessageSetID="job-42-try-2"
    )
    recovered = empty_company.process(retry)

    assert recovered == first
    (rs,) = responses_of(recovered)
    assert status_of(rs) == 0
    assert len(empty_company.documents("Invoice")) == 1
    root = etree.fromstring(first.encode())
    msgs = root.find("QBXMLMsgsRs")
    assert msgs is not None
    assert (msgs.get("newMessageSetID"), msgs.get("messageSetStatusCode")) == ("job-42-try-1", "0")


def test_old_message_set_id_that_never_arrived_processes_the_set(empty_company: CompanyFile) -> None:
    send(empty_company, customer_add("Acme"))

    retry = message_set(invoice_for("Acme", "1001"), oldMessageSetID="never-sent", newMessageSetID="try-2")
    (rs,) = responses_of(empty_company.process(retry))
    status_only = empty_company.process(message_set(oldMessageSetID="never-sent-either"))

    assert status_of(rs) == 0
    assert len(empty_company.documents("Invoice")) == 1
    assert 'messageSetStatusCode="600"' in status_only
    assert validate_qbxml(status_only) == []


def test_clear_all_message_sets_forgets_stored_results(empty_company: CompanyFile) -> None:
    send(empty_company, customer_add("Acme"))
    empty_company.process(message_set(invoice_for("Acme", "1001"), newMessageSetID="s1"))

    empty_company.process(message_set(oldMessageSetID="ClearAllMessageSets"))
    again = empty_company.process(
        message_set(invoice_for("Acme", "1002"), oldMessageSetID="s1", newMessageSetID="s2")
    )

    assert status_of(responses_of(again)[0]) == 0
    assert [i["RefNumber"] for i in empty_company.documents("Invoice")] == ["1001", "1002"]


def test_only_the_last_sets_answer_is_kept(empty_company: CompanyFile) -> None:
    send(empty_company, customer_add("Acme"))
    empty_company.process(message_set(invoice_for("Acme", "1001"), newMessageSetID="s1"))
    empty_company.process(message_set(invoice_for("Acme", "1002"), newMessageSetID="s2"))

    # s1's answer is gone: a status check does not find it, a resend is processed again.
    status_check = empty_company.process(message_set(oldMessageSetID="s1"))
    replay = empty_company.process(message_set(invoice_for("Acme", "1002"), oldMessageSetID="s2"))

    assert 'messageSetStatusCode="600"' in status_check
    assert responses_of(status_check) == []
    assert 'newMessageSetID="s2"' in replay
    assert [i["RefNumber"] for i in empty_company.documents("Invoice")] == ["1001", "1002"]


@pytest.mark.parametrize("replay_under_new_id", [False, True])
def test_a_replayed_answer_is_kept_under_the_id_the_company_file_is_set_to(
    replay_under_new_id: bool, clock: TickingClock
) -> None:
    books = CompanyFile(clock=clock, replay_under_new_id=replay_under_new_id)
    send(books, customer_add("Acme"))
    first = books.process(message_set(invoice_for("Acme", "1001"), newMessageSetID="try-1"))

    replay = books.process(
        message_set(invoice_for("Acme", "1001"), oldMessageSetID="try-1", newMessageSetID="try-2")
    )
    by_old = books.process(message_set(oldMessageSetID="try-1"))
    by_new = books.process(message_set(oldMessageSetID="try-2"))

    assert replay == first
    kept, gone = (by_new, by_old) if replay_under_new_id else (by_old, by_new)
    assert kept == first
    assert 'messageSetStatusCode="600"' in gone
    assert len(books.documents("Invoice")) == 1


def test_message_set_ids_longer_than_24_characters_are_refused(empty_company: CompanyFile) -> None:
    answer = empty_company.process(message_set(customer_add("Acme"), newMessageSetID="x" * 25))

    assert 'messageSetStatusCode="9004"' in answer
    assert empty_company.documents("Customer") == []


@pytest.mark.parametrize("code", [3170, 3175, 3180])
def test_record_in_use_injection_fails_the_next_write_then_clears(
    empty_company: CompanyFile, code: int
) -> None:
    empty_company.inject_record_in_use("Customer", times=1, code=code)

    (busy,) = send(empty_company, customer_add("Acme"))
    (retried,) = send(empty_company, customer_add("Acme"))

    assert status_of(busy) == code and busy.get("statusSeverity") == "Error"
    assert '"Acme"' in busy.get("statusMessage", "")
    assert status_of(retried) == 0
    assert len(empty_company.documents("Customer")) == 1


def test_record_in_use_targets_only_the_named_type(empty_company: CompanyFile) -> None:
    empty_company.inject_record_in_use("Invoice", times=2)

    (customer,) = send(empty_company, customer_add("Acme"))
    first, second, third = (send(empty_company, invoice_for("Acme", str(n)))[0] for n in range(3))

    assert status_of(customer) == 0
    assert [status_of(first), status_of(second), status_of(third)] == [3175, 3175, 0]
    with pytest.raises(ValueError):
        empty_company.inject_record_in_use("Customer", code=3100)


def test_a_request_the_sandbox_does_not_implement_says_so(empty_company: CompanyFile) -> None:
    (rs,) = send(empty_company, "<EstimateQueryRq/>")

    assert status_of(rs) == 1030


def test_hcp_response_describes_host_company_and_preferences(company: CompanyFile) -> None:
    company.set_file_id("{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}", "{90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}")

    hcp = company.hcp_response()

    host, company_rs, prefs = responses_of(hcp)
    assert [r.tag for r in (host, company_rs, prefs)] == [
        "HostQueryRs",
        "CompanyQueryRs",
        "PreferencesQueryRs",
    ]
    versions = [v.text for v in each(host, "HostRet/SupportedQBXMLVersion")]
    assert "13.0" in versions and text(host, "HostRet/Country") == "US"
    assert text(company_rs, "CompanyRet/CompanyName") == "Demo Promo Co"
    assert text(company_rs, "CompanyRet/DataExtRet/DataExtName") == "FileID"
    assert (
        text(prefs, "PreferencesRet/SalesTaxPreferences/DefaultItemSalesTaxRef/FullName") == "State Sales Tax"
    )
    assert text(prefs, "PreferencesRet/MultiCurrencyPreferences/IsMultiCurrencyOn") == "false"


def test_an_empty_company_has_sales_tax_off(empty_company: CompanyFile) -> None:
    _, _, prefs = responses_of(empty_company.hcp_response())

    assert prefs.find("PreferencesRet/SalesTaxPreferences") is None


def test_host_query_in_a_message_set_lists_the_configured_versions(clock: object) -> None:
    old_quickbooks = CompanyFile(qbxml_versions=("1.0", "2.0", "13.0"), clock=clock)  # type: ignore[arg-type]

    (rs,) = send(old_quickbooks, "<HostQueryRq/>", "<CompanyQueryRq/>", "<PreferencesQueryRq/>")[:1]

    assert [v.text for v in each(rs, "HostRet/SupportedQBXMLVersion")] == ["1.0", "2.0", "13.0"]
