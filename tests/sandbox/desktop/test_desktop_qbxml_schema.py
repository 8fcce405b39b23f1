"""The qbXML 13.0 validator our server's encoder (and its tests) rely on."""

from __future__ import annotations

import pytest

from qb_sandbox.desktop import QbXmlValidationError, assert_valid_qbxml, validate_qbxml
from tests.sandbox.desktop.qbd_messages import PROLOG, message_set

INVOICE_ADD = (
    '<InvoiceAddRq requestID="1"><InvoiceAdd defMacro="TxnID:Inv1">'
    "<CustomerRef><FullName>Acme Promo</FullName></CustomerRef>"
    "<TxnDate>2024-03-01</TxnDate><RefNumber>{ref}</RefNumber>"
    "<ItemSalesTaxRef><FullName>State Sales Tax</FullName></ItemSalesTaxRef>"
    "<InvoiceLineAdd><ItemRef><FullName>A7102</FullName></ItemRef><Quantity>100</Quantity><Rate>2.30</Rate></InvoiceLineAdd>"
    "<InvoiceLineAdd><ItemRef><FullName>Subtotal</FullName></ItemRef></InvoiceLineAdd>"
    "<InvoiceLineAdd><ItemRef><FullName>Discount</FullName></ItemRef><RatePercent>5</RatePercent></InvoiceLineAdd>"
    "</InvoiceAdd></InvoiceAddRq>"
)


def test_a_correct_invoice_add_with_macro_payment_validates() -> None:
    payment = (
        '<ReceivePaymentAddRq requestID="2"><ReceivePaymentAdd>'
        "<CustomerRef><FullName>Acme Promo</FullName></CustomerRef><TotalAmount>100.00</TotalAmount>"
        '<AppliedToTxnAdd><TxnID useMacro="TxnID:Inv1"/><PaymentAmount>100.00</PaymentAmount></AppliedToTxnAdd>'
        "</ReceivePaymentAdd></ReceivePaymentAddRq>"
    )
    xml = message_set(INVOICE_ADD.format(ref="A7102"), payment)

    assert validate_qbxml(xml) == []
    assert_valid_qbxml(xml.encode())  # bytes are accepted as well


def test_a_29_character_ref_number_is_rejected_with_the_limit_named() -> None:
    problems = validate_qbxml(message_set(INVOICE_ADD.format(ref="R" * 29)))

    assert len(problems) == 1
    assert "RefNumber" in problems[0]
    assert "maximum length of '11'" in problems[0]


def test_elements_out_of_order_are_rejected() -> None:
    swapped = INVOICE_ADD.format(ref="A7102").replace(
        "<CustomerRef><FullName>Acme Promo</FullName></CustomerRef><TxnDate>2024-03-01</TxnDate>",
        "<TxnDate>2024-03-01</TxnDate><CustomerRef><FullName>Acme Promo</FullName></CustomerRef>",
    )
    problems = validate_qbxml(message_set(swapped))

    assert problems
    assert any("TxnDate" in p and "Expected is ( CustomerRef )" in p for p in problems)


def test_assert_valid_lists_every_problem() -> None:
    bad = message_set(
        INVOICE_ADD.format(ref="R" * 12),
        "<CustomerAddRq><CustomerAdd><Name>{}</Name></CustomerAdd></CustomerAddRq>".format("N" * 42),
    )

    with pytest.raises(QbXmlValidationError) as caught:
        assert_valid_qbxml(bad)

    assert len(caught.value.problems) == 2
    assert "RefNumber" in str(caught.value) and "Name" in str(caught.value)


def test_the_prolog_is_optional_and_onerror_is_required() -> None:
    without_prolog = message_set(INVOICE_ADD.format(ref="1")).removeprefix(PROLOG)
    assert validate_qbxml(without_prolog) == []

    no_on_error = f"{PROLOG}<QBXML><QBXMLMsgsRq><HostQueryRq/></QBXMLMsgsRq></QBXML>"
    assert any("onError" in p for p in validate_qbxml(no_on_error))


def test_malformed_xml_is_a_problem_not_an_exception() -> None:
    problems = validate_qbxml(f"{PROLOG}<QBXML><QBXMLMsgsRq onError='stopOnError'>")

    assert len(problems) == 1
    assert problems[0].startswith("not well-formed XML")


def test_a_document_type_declaration_is_refused_and_entities_are_not_expanded() -> None:
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE QBXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<QBXML><QBXMLMsgsRq onError="stopOnError"><CustomerQueryRq><FullName>&x;</FullName>'
        "</CustomerQueryRq></QBXMLMsgsRq></QBXML>"
    )

    problems = validate_qbxml(xxe)

    assert problems and "DOCTYPE" in problems[0]
    assert "root:" not in problems[0]


def test_responses_validate_too() -> None:
    response = (
        '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><CustomerAddRs requestID="1" statusCode="3100" '
        'statusSeverity="Error" statusMessage="The name &quot;Acme&quot; of the list element is already in use."/>'
        "</QBXMLMsgsRs></QBXML>"
    )
    assert validate_qbxml(response) == []
    assert validate_qbxml(response.replace(' statusSeverity="Error"', "")) != []
