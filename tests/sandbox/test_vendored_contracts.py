"""The vendored Intuit contracts are the published files, byte for byte, and the code reads them from here."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from lxml import etree

from qb_sandbox.contracts import PROVENANCE, contract_path, qbo_schema_dir, qbxml_schema_dir, wsdl_path
from qb_sandbox.desktop.qbxml_schema import schema_dir, validate_qbxml
from qb_sandbox.intuit.qbo_schema import check_entity, default_schema_dir

CONTRACTS = Path(contract_path(PROVENANCE)).parent


def provenance_rows() -> dict[str, str]:
    """``file → sha256`` from the table in PROVENANCE.md."""
    text = (CONTRACTS / PROVENANCE).read_text()
    rows = re.findall(r"^\| `([^`]+)` \|[^\n]*\| ([0-9a-f]{64}) \|$", text, re.M)
    return dict(rows)


def vendored_files() -> set[str]:
    return {
        p.relative_to(CONTRACTS).as_posix()
        for p in CONTRACTS.rglob("*")
        if p.is_file() and p.suffix in {".xsd", ".wsdl", ".xml"}
    }


def test_every_vendored_file_is_listed_with_its_checksum() -> None:
    listed = provenance_rows()
    assert len(listed) == 16
    assert set(listed) == vendored_files()
    for name, sha256 in listed.items():
        assert hashlib.sha256((CONTRACTS / name).read_bytes()).hexdigest() == sha256, name


def test_intuits_notices_are_kept() -> None:
    for name in ("qbxml130.xsd", "qbxmlops130.xsd", "qbxmlso130.xsd", "qbxmltypes130.xsd"):
        assert "(c) 2013 Intuit Inc." in (qbxml_schema_dir() / name).read_text(errors="replace")
    assert "Apache License 2.0" in (CONTRACTS / PROVENANCE).read_text()


def test_the_validators_and_the_simulator_read_the_vendored_copies() -> None:
    assert schema_dir() == qbxml_schema_dir()
    assert default_schema_dir() == qbo_schema_dir()
    assert (
        validate_qbxml(
            '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
            "<CustomerQueryRq><MaxReturned>1</MaxReturned></CustomerQueryRq></QBXMLMsgsRq></QBXML>"
        )
        == []
    )
    assert check_entity("Customer", {"DisplayName": "Acme"}) == []
    assert check_entity("Customer", {"DisplayNam": "Acme"}) != []


def test_each_wsdl_variant_is_a_wsdl_of_the_web_connector() -> None:
    for variant in ("intuit", "consolibyte", "intuit-troubleshoot-sample"):
        root = etree.parse(str(wsdl_path(variant))).getroot()
        operations = {op.get("name") for op in root.iter("{http://schemas.xmlsoap.org/wsdl/}operation")}
        assert {"authenticate", "sendRequestXML", "receiveResponseXML", "closeConnection"} <= operations
