"""The WSDL we serve is Intuit's contract: same operations, messages and element names."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from qb_sandbox.contracts import wsdl_path
from qbwc_gateway.soap import OPERATIONS, wsdl_for

W = "http://schemas.xmlsoap.org/wsdl/"
WS = "http://schemas.xmlsoap.org/wsdl/soap/"
XS = "http://www.w3.org/2001/XMLSchema"
NS = {"w": W, "ws": WS, "s": XS}
ADDED_BY_US = {"serverVersion", "clientVersion"}


def contract(wsdl: bytes) -> dict[str, dict[str, Any]]:
    """Everything a client depends on, keyed by name, in comparable form."""
    root = etree.fromstring(wsdl)
    schema = root.find("w:types/s:schema", NS)
    assert schema is not None
    elements = {
        el.get("name"): [
            (
                child.get("name"),
                child.get("type"),
                child.get("minOccurs"),
                child.get("maxOccurs"),
                child.get("nillable"),
            )
            for child in el.iterfind(".//s:element", NS)
        ]
        for el in schema.iterfind("s:element", NS)
    }
    types = {
        ct.get("name"): [
            (child.get("name"), child.get("type"), child.get("maxOccurs"))
            for child in ct.iterfind(".//s:element", NS)
        ]
        for ct in schema.iterfind("s:complexType", NS)
    }
    messages = {
        m.get("name"): [(p.get("name"), p.get("element")) for p in m.iterfind("w:part", NS)]
        for m in root.iterfind("w:message", NS)
    }
    port_ops = {
        op.get("name"): (op.find("w:input", NS).get("message"), op.find("w:output", NS).get("message"))  # type: ignore[union-attr]
        for op in root.iterfind("w:portType/w:operation", NS)
    }
    binding_ops = {
        op.get("name"): (
            op.find("ws:operation", NS).get("soapAction"),  # type: ignore[union-attr]
            op.find("ws:operation", NS).get("style"),  # type: ignore[union-attr]
            op.find("w:input/ws:body", NS).get("use"),  # type: ignore[union-attr]
            op.find("w:output/ws:body", NS).get("use"),  # type: ignore[union-attr]
        )
        for op in root.iterfind("w:binding/w:operation", NS)
    }
    binding = root.find("w:binding/ws:binding", NS)
    assert binding is not None
    return {
        "elements": elements,
        "types": types,
        "messages": messages,
        "port_operations": port_ops,
        "binding_operations": binding_ops,
        "document": {
            "targetNamespace": root.get("targetNamespace"),
            "elementFormDefault": schema.get("elementFormDefault"),
            "transport": binding.get("transport"),
            "style": binding.get("style"),
            "service": root.find("w:service", NS).get("name"),  # type: ignore[union-attr]
        },
    }


def is_ours(section: str, name: str) -> bool:
    base = name.removesuffix("Response").removesuffix("SoapIn").removesuffix("SoapOut")
    return base in ADDED_BY_US


@pytest.fixture(scope="module")
def served() -> dict[str, dict[str, Any]]:
    return contract(wsdl_for("https://qb.example.test/qbwc"))


def test_everything_in_intuits_wsdl_is_served_unchanged(served: dict[str, dict[str, Any]]) -> None:
    intuit = contract(wsdl_path().read_bytes())
    for section, entries in intuit.items():
        if section == "document":
            assert served[section] == entries
            continue
        for name, definition in entries.items():
            assert served[section].get(name) == definition, (section, name)
        extra = set(served[section]) - set(entries)
        assert all(is_ours(section, name) for name in extra), (section, extra)


def test_the_two_version_calls_match_the_published_variant(served: dict[str, dict[str, Any]]) -> None:
    variant = contract(wsdl_path("consolibyte").read_bytes())
    for section, entries in variant.items():
        if section == "document":
            continue
        for name, definition in entries.items():
            if is_ours(section, name):
                assert served[section][name] == definition, (section, name)
    assert set(served["port_operations"]) >= ADDED_BY_US


def test_every_wsdl_operation_is_dispatched(served: dict[str, dict[str, Any]]) -> None:
    in_wsdl = {name for name, op in OPERATIONS.items() if op.in_wsdl}
    assert set(served["port_operations"]) == in_wsdl
    assert {name: action for name, (action, *_) in served["binding_operations"].items()} == {
        name: OPERATIONS[name].soap_action for name in in_wsdl
    }


def test_address_is_ours_and_must_be_absolute() -> None:
    assert b'location="https://qb.example.test/qbwc"' in wsdl_for("https://qb.example.test/qbwc")
    assert b"vogelfam" not in wsdl_for("https://qb.example.test/qbwc")
    with pytest.raises(ValueError):
        wsdl_for("/qbwc")
