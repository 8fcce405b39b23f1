"""SOAP 1.1 envelopes: parse a Web Connector request into a typed call, render results and faults.

Pure functions over bytes; no I/O. Parsing is the edge where untrusted XML enters, so:

* a Document Type Declaration is refused before the parser sees the bytes (SOAP 1.1 §3: "A SOAP
  message MUST NOT contain a Document Type Declaration"), which shuts out entity expansion ("billion
  laughs") and external entities (XXE) at once; the parser is also configured with entity
  resolution, DTD loading and network access off as a second line;
* the body size is bounded by the caller while reading the stream (see ``request_body``).

Results are rendered the way the WSDL and .NET serialise them: ``<{method}Response>`` in the
``http://developer.intuit.com/`` namespace holding ``<{method}Result>``; arrays as ``<string>``
children in that same namespace (another namespace crashes the Web Connector with QBWC1012 "Index out
of range", docs/web-connector.md §1.1); qbXML travels as escaped text, never as nested markup
(docs/web-connector.md §1.1).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from .faults import FaultCode, SoapFault
from .messages import INTUIT_NS, OPERATIONS, Operation, Param, ResultKind, SoapCall, SoapResult

SOAP11_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV_NS = "http://www.w3.org/2003/05/soap-envelope"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NS = "http://www.w3.org/2001/XMLSchema"

_ENVELOPE = f"{{{SOAP11_ENV_NS}}}Envelope"
_HEADER = f"{{{SOAP11_ENV_NS}}}Header"
_BODY = f"{{{SOAP11_ENV_NS}}}Body"
_MUST_UNDERSTAND = f"{{{SOAP11_ENV_NS}}}mustUnderstand"
_XSI_NIL = f"{{{XSI_NS}}}nil"

# "<!DOCTYPE" in every encoding an XML parser will auto-detect, so a UTF-16 body cannot slip by.
_DOCTYPE_MARKERS = tuple(
    "<!DOCTYPE".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_XS_INT = re.compile(r"\s*[+-]?[0-9]+\s*")
_XS_INT_MIN, _XS_INT_MAX = -(2**31), 2**31 - 1


def _safe_parser() -> etree.XMLParser:
    # A fresh parser per document: lxml parsers keep state and are not meant to be shared.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml_document(body: bytes) -> etree._Element:
    """Parse untrusted XML bytes, refusing any DTD. Raises ``SoapFault`` (Client)."""
    if not body.strip():
        raise SoapFault.client("The request body is empty; expected a SOAP 1.1 envelope.")
    if any(marker in body for marker in _DOCTYPE_MARKERS):
        raise SoapFault.client("A SOAP message must not contain a Document Type Declaration.")
    try:
        root = etree.fromstring(body, _safe_parser())
    except etree.XMLSyntaxError:
        raise SoapFault.client("The request is not well-formed XML.") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise SoapFault.client("A SOAP message must not contain a Document Type Declaration.")
    return root


def parse_request(body: bytes, soap_action: str | None = None) -> SoapCall:
    """Turn a SOAP 1.1 request into a typed call.

    The method comes from the body element; ``soap_action`` (the HTTP ``SOAPAction`` header, quotes
    included or not) is cross-checked when it is present and not empty.
    Raises ``SoapFault`` for anything malformed, unknown or inconsistent.
    """
    root = parse_xml_document(body)
    _check_envelope(root)
    _check_headers(root)
    method_element = _single_body_child(root)
    operation = _operation_for(method_element)
    _check_soap_action(soap_action, operation)
    values = _read_params(method_element, operation)
    return operation.call_type(**values)


def _check_envelope(root: etree._Element) -> None:
    if root.tag == _ENVELOPE:
        return
    qname = etree.QName(root)
    if qname.localname == "Envelope":
        # SOAP 1.1 §4.4.1: an Envelope in another namespace is a VersionMismatch.
        hint = " SOAP 1.2 is not supported." if qname.namespace == SOAP12_ENV_NS else ""
        raise SoapFault(FaultCode.VERSION_MISMATCH, f"Expected a SOAP 1.1 envelope.{hint}")
    raise SoapFault.client("The request is not a SOAP envelope.")


def _check_headers(root: etree._Element) -> None:
    # SOAP 1.1 §4.2.3: a header block marked mustUnderstand="1" that we do not implement (we implement
    # none; the Web Connector sends none) must be refused rather than ignored.
    header = root.find(_HEADER)
    if header is None:
        return
    for block in header.iterchildren(etree.Element):
        if (block.get(_MUST_UNDERSTAND) or "").strip() in {"1", "true"}:
            raise SoapFault(
                FaultCode.MUST_UNDERSTAND,
                f"Header '{etree.QName(block).localname}' is marked mustUnderstand and is not supported.",
            )


def _single_body_child(root: etree._Element) -> etree._Element:
    bodies = root.findall(_BODY)
    if len(bodies) != 1:
        raise SoapFault.client("The SOAP envelope must contain exactly one Body.")
    children = list(bodies[0].iterchildren(etree.Element))
    if len(children) != 1:
        raise SoapFault.client("The SOAP Body must contain exactly one method element.")
    return children[0]


def _operation_for(method_element: etree._Element) -> Operation:
    qname = etree.QName(method_element)
    operation = OPERATIONS.get(qname.localname)
    if qname.namespace != INTUIT_NS or operation is None:
        # Echo only a bounded, printable name: it comes from the caller.
        name = re.sub(r"[^A-Za-z0-9_.-]", "?", qname.localname)[:64]
        raise SoapFault.client(f"Unknown method '{name}' for the QuickBooks Web Connector service.")
    return operation


def _check_soap_action(soap_action: str | None, operation: Operation) -> None:
    if soap_action is None:
        return
    action = soap_action.strip().strip('"').strip()
    if action and action != operation.soap_action:
        raise SoapFault.client(
            f"The SOAPAction header does not match the method in the body (expected "
            f"'{operation.soap_action}')."
        )


def _read_params(method_element: etree._Element, operation: Operation) -> dict[str, Any]:
    """Keyword arguments for ``operation.call_type``; each value has the kind its ``Param`` declares."""
    by_name = {param.xml_name: param for param in operation.params}
    found: dict[str, etree._Element] = {}
    for child in method_element.iterchildren(etree.Element):
        qname = etree.QName(child)
        # elementFormDefault="qualified" puts parameters in the Intuit namespace; an unqualified name
        # is what the .qwc Style "RPC" produces (docs/web-connector.md §2), so accept both spellings of the
        # name.
        if qname.namespace not in (INTUIT_NS, None) or qname.localname not in by_name:
            continue  # unknown elements are ignored, as .NET's serializer does
        if qname.localname in found:
            raise SoapFault.client(f"Parameter '{qname.localname}' appears more than once.")
        found[qname.localname] = child

    values: dict[str, Any] = {}
    for param in operation.params:
        element = found.get(param.xml_name)
        if element is None or element.get(_XSI_NIL) in {"true", "1"}:
            if param.required:
                raise SoapFault.client(f"Parameter '{param.xml_name}' is required.")
            values[param.attr] = ""
            continue
        values[param.attr] = _param_value(param, element)
    return values


def _param_value(param: Param, element: etree._Element) -> str | int:
    if len(element):
        raise SoapFault.client(
            f"Parameter '{param.xml_name}' must be text; XML inside it must be escaped (qbXML travels as "
            "a string)."
        )
    text = element.text or ""
    if param.kind == "string":
        return text
    if not _XS_INT.fullmatch(text) or not _XS_INT_MIN <= int(text) <= _XS_INT_MAX:
        raise SoapFault.client(f"Parameter '{param.xml_name}' must be an integer.")
    return int(text)


def _new_envelope() -> tuple[etree._Element, etree._Element]:
    envelope = etree.Element(_ENVELOPE, nsmap={"soap": SOAP11_ENV_NS, "xsi": XSI_NS, "xsd": XSD_NS})
    body = etree.SubElement(envelope, _BODY)
    return envelope, body


def _serialize(envelope: etree._Element) -> bytes:
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="utf-8"))


def render_result(operation: Operation, result: SoapResult) -> bytes:
    """The SOAP response for a handler's answer. Raises ``TypeError`` when the answer does not have
    the WSDL's type (a handler bug: better a Server fault than a reply the Web Connector misreads)."""
    envelope, body = _new_envelope()
    response = etree.SubElement(body, f"{{{INTUIT_NS}}}{operation.response_element}", nsmap={None: INTUIT_NS})
    result_element = etree.SubElement(response, f"{{{INTUIT_NS}}}{operation.result_element}")
    if operation.result is ResultKind.STRING:
        if not isinstance(result, str):
            raise TypeError(f"{operation.name} must return str, not {type(result).__name__}")
        result_element.text = result
    elif operation.result is ResultKind.INT:
        if not isinstance(result, int) or isinstance(result, bool):
            raise TypeError(f"{operation.name} must return int, not {type(result).__name__}")
        if not _XS_INT_MIN <= result <= _XS_INT_MAX:
            raise TypeError(f"{operation.name} returned {result}, outside xs:int")
        result_element.text = str(result)
    else:
        if not isinstance(result, list | tuple) or not all(isinstance(item, str) for item in result):
            raise TypeError(f"{operation.name} must return a list of str")
        for item in result:
            etree.SubElement(result_element, f"{{{INTUIT_NS}}}string").text = item
    return _serialize(envelope)


def render_fault(fault: SoapFault) -> bytes:
    """A SOAP 1.1 Fault; ``faultcode``/``faultstring`` are unqualified as SOAP 1.1 §4.4 specifies."""
    envelope, body = _new_envelope()
    fault_element = etree.SubElement(body, f"{{{SOAP11_ENV_NS}}}Fault")
    etree.SubElement(fault_element, "faultcode").text = f"soap:{fault.code.value}"
    etree.SubElement(fault_element, "faultstring").text = fault.message
    return _serialize(envelope)
