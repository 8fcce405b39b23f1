"""Parsing Web Connector requests and rendering answers, as pure functions over bytes."""

from __future__ import annotations

import pytest
from lxml import etree

from qbwc_gateway.soap import FaultCode, SoapFault, parse_request, render_fault, render_result
from qbwc_gateway.soap.messages import (
    OPERATIONS,
    AuthenticateCall,
    ReceiveResponseXMLCall,
    SendRequestXMLCall,
    ServerVersionCall,
)
from tests.qbwc.soap.fakes import soap_envelope

NS = {"soap": "http://schemas.xmlsoap.org/soap/envelope/", "i": "http://developer.intuit.com/"}


def fault_of(body: bytes, soap_action: str | None = None) -> SoapFault:
    with pytest.raises(SoapFault) as caught:
        parse_request(body, soap_action)
    return caught.value


def test_send_request_xml_parameters_by_their_wsdl_names() -> None:
    body = soap_envelope(
        "sendRequestXML",
        "<ticket>T-1</ticket><strHCPResponse>&lt;QBXML/&gt;</strHCPResponse>"
        "<strCompanyFileName>C:\\Acme.qbw</strCompanyFileName><qbXMLCountry>US</qbXMLCountry>"
        "<qbXMLMajorVers>13</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers>",
    )

    call = parse_request(body, '"http://developer.intuit.com/sendRequestXML"')

    assert call == SendRequestXMLCall("T-1", "<QBXML/>", "C:\\Acme.qbw", "US", 13, 0)


def test_qbxml_response_arrives_unescaped_whether_escaped_or_cdata() -> None:
    qbxml = '<?xml version="1.0" ?><QBXML><Name>A &amp; B</Name></QBXML>'
    escaped = qbxml.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for encoded in (escaped, f"<![CDATA[{qbxml}]]>"):
        body = soap_envelope("receiveResponseXML", f"<ticket>T</ticket><response>{encoded}</response>")
        call = parse_request(body)
        assert call == ReceiveResponseXMLCall(ticket="T", response=qbxml, hresult="", message="")


def test_server_version_accepts_both_published_shapes() -> None:
    # Intuit's troubleshooting WSDL sends no parameter, consolibyte's sends strVersion.
    assert parse_request(soap_envelope("serverVersion")) == ServerVersionCall()
    assert parse_request(soap_envelope("serverVersion", "<strVersion>2.3</strVersion>")) == ServerVersionCall(
        "2.3"
    )


def test_unqualified_parameters_from_rpc_style_clients_are_accepted() -> None:
    body = (
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        b'<i:authenticate xmlns:i="http://developer.intuit.com/"><strUserName>u</strUserName>'
        b"<strPassword>p</strPassword></i:authenticate></soap:Body></soap:Envelope>"
    )
    assert parse_request(body) == AuthenticateCall("u", "p")


def test_password_does_not_show_in_the_call_repr() -> None:
    call = parse_request(
        soap_envelope("authenticate", "<strUserName>u</strUserName><strPassword>hunter2</strPassword>")
    )
    assert "hunter2" not in repr(call)


@pytest.mark.parametrize(
    ("body", "code", "text"),
    [
        (b"", FaultCode.CLIENT, "empty"),
        (b"<soap:Envelope", FaultCode.CLIENT, "not well-formed"),
        (b"<html><body>hi</body></html>", FaultCode.CLIENT, "not a SOAP envelope"),
        (
            b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
            FaultCode.VERSION_MISMATCH,
            "SOAP 1.2",
        ),
        (soap_envelope("deleteCompanyFile"), FaultCode.CLIENT, "Unknown method 'deleteCompanyFile'"),
        (soap_envelope("authenticate", ns="http://example.com/"), FaultCode.CLIENT, "Unknown method"),
        (
            soap_envelope("sendRequestXML", "<ticket>T</ticket><qbXMLMinorVers>0</qbXMLMinorVers>"),
            FaultCode.CLIENT,
            "'qbXMLMajorVers' is required",
        ),
        (
            soap_envelope(
                "sendRequestXML",
                "<qbXMLMajorVers>thirteen</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers>",
            ),
            FaultCode.CLIENT,
            "'qbXMLMajorVers' must be an integer",
        ),
        (
            soap_envelope("receiveResponseXML", "<response><QBXML/></response>"),
            FaultCode.CLIENT,
            "must be escaped",
        ),
        (
            soap_envelope("getLastError", "<ticket>a</ticket><ticket>b</ticket>"),
            FaultCode.CLIENT,
            "more than once",
        ),
        (
            b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>'
            b'<x:Auth xmlns:x="urn:x" soap:mustUnderstand="1"/></soap:Header><soap:Body>'
            b'<closeConnection xmlns="http://developer.intuit.com/"/></soap:Body></soap:Envelope>',
            FaultCode.MUST_UNDERSTAND,
            "Auth",
        ),
        (
            b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>',
            FaultCode.CLIENT,
            "exactly one method",
        ),
    ],
)
def test_malformed_requests_become_faults(body: bytes, code: FaultCode, text: str) -> None:
    fault = fault_of(body)
    assert fault.code is code
    assert text in fault.message


def test_soap_action_must_match_the_body_when_given() -> None:
    body = soap_envelope("closeConnection", "<ticket>T</ticket>")
    assert "SOAPAction" in fault_of(body, '"http://developer.intuit.com/authenticate"').message
    # Quoted, unquoted or empty (SOAP 1.1: intent given by the URI) are all fine.
    for action in (
        '"http://developer.intuit.com/closeConnection"',
        "http://developer.intuit.com/closeConnection",
        '""',
    ):
        assert parse_request(body, action) is not None


def result_element(rendered: bytes, method: str) -> etree._Element:
    root = etree.fromstring(rendered)
    found = root.find(f"soap:Body/i:{method}Response/i:{method}Result", NS)
    assert found is not None, rendered
    return found


def test_authenticate_array_is_strings_in_the_intuit_namespace() -> None:
    rendered = render_result(OPERATIONS["authenticate"], ["T-1", "", "", "300"])
    result = result_element(rendered, "authenticate")
    # Another namespace for the array items makes QBWC fail with "Index out of range" (QBWC1012).
    assert [child.tag for child in result] == ["{http://developer.intuit.com/}string"] * 4
    assert [child.text or "" for child in result] == ["T-1", "", "", "300"]


def test_qbxml_request_travels_as_escaped_text() -> None:
    qbxml = '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><Name>A &amp; B</Name></QBXML>'
    rendered = render_result(OPERATIONS["sendRequestXML"], qbxml)
    assert b"&lt;QBXML&gt;" in rendered
    assert result_element(rendered, "sendRequestXML").text == qbxml


def test_progress_is_rendered_as_an_int() -> None:
    rendered = render_result(OPERATIONS["receiveResponseXML"], -101)
    assert result_element(rendered, "receiveResponseXML").text == "-101"


@pytest.mark.parametrize(
    ("method", "wrong"),
    [
        ("receiveResponseXML", True),
        ("receiveResponseXML", "100"),
        ("authenticate", "T-1"),
        ("getLastError", None),
    ],
)
def test_answers_of_the_wrong_type_are_refused(method: str, wrong: object) -> None:
    with pytest.raises(TypeError):
        render_result(OPERATIONS[method], wrong)  # type: ignore[arg-type]


def test_fault_is_soap11_shaped() -> None:
    rendered = render_fault(SoapFault.client("Unknown method 'x' <here>"))
    fault = etree.fromstring(rendered).find("soap:Body/soap:Fault", NS)
    assert fault is not None
    assert fault.findtext("faultcode") == "soap:Client"
    assert fault.findtext("faultstring") == "Unknown method 'x' <here>"
