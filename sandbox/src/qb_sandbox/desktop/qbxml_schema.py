"""Validate qbXML against Intuit's qbXML 13.0 XML Schema set.

This is the pre-flight check every qbXML message the project emits must pass
(docs/web-connector.md §0.7, §3.9): the XSD set enforces element *order* and field *max lengths*,
the two mistakes QuickBooks users hit most often (docs/web-connector.md §6 #6).

Public API (the gateway's tests import it)::

    from qb_sandbox.desktop.qbxml_schema import validate_qbxml, assert_valid_qbxml

    problems = validate_qbxml(xml)      # [] when valid, else one readable line per problem
    assert_valid_qbxml(xml)             # raises QbXmlValidationError listing the problems

Both accept ``str`` or ``bytes``, with or without the prolog
``<?xml version="1.0"?><?qbxml version="13.0"?>``; requests *and* responses validate
(the schema's ``QBXML`` element admits ``QBXMLMsgsRq`` and ``QBXMLMsgsRs``).

The schema files are the copies vendored in :mod:`qb_sandbox.contracts` (``qbxml/``). The compiled
schema is large, so it is built once per process, lazily, on first use.

XML is parsed with entity expansion, DTD loading and network access switched off
(STYLE.md habit 5); a document carrying a DTD is refused outright.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from qb_sandbox.contracts import qbxml_schema_dir

__all__ = [
    "ENTRY_SCHEMA",
    "QbXmlValidationError",
    "SchemaProblem",
    "assert_valid_qbxml",
    "parse_qbxml",
    "qbxml_version",
    "safe_parser",
    "schema_dir",
    "validate_qbxml",
    "validation_problems",
]

ENTRY_SCHEMA = "qbxmlops130.xsd"

# <?qbxml version="13.0"?> – the processing instruction QuickBooks reads the spec level from.
_QBXML_PI = re.compile(r"<\?qbxml\s+version\s*=\s*[\"']([^\"']+)[\"']\s*\?>")


class QbXmlValidationError(ValueError):
    """Raised by :func:`assert_valid_qbxml`; ``problems`` holds one line per schema error."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"qbXML does not validate against {ENTRY_SCHEMA}:\n{listing}")


@dataclass(frozen=True)
class SchemaProblem:
    """One schema error with where it happened (``path`` is an XPath into the document)."""

    message: str
    line: int
    path: str
    is_length_only: bool  # a maxLength facet: QuickBooks answers 3070 instead of failing the set

    def __str__(self) -> str:
        where = f" at {self.path}" if self.path else ""
        return f"line {self.line}{where}: {self.message}"


def schema_dir() -> Path:
    """Directory holding Intuit's qbXML 13.0 XSD set (vendored in :mod:`qb_sandbox.contracts`)."""
    return qbxml_schema_dir()


def safe_parser() -> etree.XMLParser:
    """An lxml parser with entities, DTDs and the network off (no XXE, no billion laughs)."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
    )


_schema_lock = threading.Lock()


@cache
def _compiled_schema(directory: str) -> etree.XMLSchema:
    entry = Path(directory) / ENTRY_SCHEMA
    if not entry.is_file():
        raise FileNotFoundError(
            f"qbXML schema {entry} not found: the vendored contracts of qb_sandbox are incomplete"
        )
    # The XSD includes its siblings by relative schemaLocation; lxml resolves those from the
    # file's own location, which is local – network access stays off.
    with _schema_lock:
        schema_doc = etree.parse(str(entry), safe_parser())
        return etree.XMLSchema(schema_doc)


def _schema() -> etree.XMLSchema:
    return _compiled_schema(str(schema_dir()))


def _to_bytes(xml: str | bytes) -> bytes:
    if isinstance(xml, str):
        # lxml refuses str input that carries an encoding declaration; bytes are always fine.
        return xml.encode("utf-8")
    return xml


def qbxml_version(xml: str | bytes) -> str | None:
    """The version named by the ``<?qbxml version="…"?>`` processing instruction, if any."""
    head = _to_bytes(xml)[:512].decode("utf-8", errors="replace")
    match = _QBXML_PI.search(head)
    return match.group(1) if match else None


def parse_qbxml(xml: str | bytes) -> etree._Element:
    """Parse a qbXML document safely; raises ``etree.XMLSyntaxError`` on malformed input.

    The ``<?qbxml?>`` processing instruction sits in the prolog, where an XML parser accepts
    it as a top-level PI, so no pre-processing is needed.
    """
    data = _to_bytes(xml)
    root = etree.fromstring(data, safe_parser())
    if root.getroottree().docinfo.doctype:
        raise etree.XMLSyntaxError("DOCTYPE declarations are not allowed in qbXML", None, 0, 0, None)
    return root


def validation_problems(root: etree._Element) -> list[SchemaProblem]:
    """Schema problems of an already-parsed document (empty when valid)."""
    schema = _schema()
    with _schema_lock:
        # XMLSchema objects keep their error log on the instance: serialise use across threads.
        if schema.validate(root):
            return []
        entries = list(schema.error_log)
    return [
        SchemaProblem(
            message=entry.message,
            line=entry.line,
            path=entry.path or "",
            is_length_only=entry.type_name == "SCHEMAV_CVC_MAXLENGTH_VALID",
        )
        for entry in entries
    ]


def validate_qbxml(xml: str | bytes) -> list[str]:
    """Validate a qbXML document against ``qbxmlops130.xsd``; ``[]`` means valid.

    Malformed XML (or a DTD) is reported as a single problem rather than raised, so callers
    can treat "not well-formed" and "not schema-valid" the same way.
    """
    try:
        root = parse_qbxml(xml)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    return [str(p) for p in validation_problems(root)]


def assert_valid_qbxml(xml: str | bytes) -> None:
    """Raise :class:`QbXmlValidationError` listing every problem unless ``xml`` is valid."""
    problems = validate_qbxml(xml)
    if problems:
        raise QbXmlValidationError(problems)
