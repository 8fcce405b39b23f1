"""Reading qbXML that QuickBooks (through the Web Connector) sends us, safely and into plain values.

Everything here parses untrusted text: entities, DTDs and the network are off, a DOCTYPE is refused
(STYLE.md habit 5), and the result is plain dicts and strings, so nothing lxml-shaped travels inward.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from espqb.errors import EspqbError

Record = dict[str, Any]


class QbXmlReadError(EspqbError, ValueError):
    """The text is not a qbXML document we can read."""

    slug, title = "qbxml-unreadable", "The qbXML document cannot be read"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_document(text: str) -> etree._Element:
    """The root element of a qbXML document, or :class:`QbXmlReadError`."""
    if not text or not text.strip():
        raise QbXmlReadError("the document is empty")
    try:
        root = etree.fromstring(text.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        raise QbXmlReadError(f"not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise QbXmlReadError("a DOCTYPE is not allowed in qbXML")
    return root


def element_to_record(element: etree._Element) -> Record:
    """Children as a dict: text for simple elements, dicts for complex ones, lists when repeated."""
    record: Record = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        value: Any = element_to_record(child) if len(child) else (child.text or "")
        if child.tag in record:
            existing = record[child.tag]
            if isinstance(existing, list):
                existing.append(value)
            else:
                record[child.tag] = [existing, value]
        else:
            record[child.tag] = value
    return record


def as_list(value: Any) -> list[Any]:
    """A repeated element read by :func:`element_to_record` is a list only when it repeated."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def text_at(record: Record, *path: str) -> str | None:
    """The text at ``record[path[0]][path[1]]...``, or None."""
    value: Any = record
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value if isinstance(value, str) and value != "" else None
