"""Building qbXML: elements in schema order, figures in the schema's formats, the message-set envelope.

The qbXML schema enforces element order and lengths (docs/web-connector.md §0.7, §3.9): each builder in this
package appends children in the order of ``qbxmlops130.xsd``, and the tests validate every message.
Figures are already rounded by the plan; here they are only written (never rounded again).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias

from lxml import etree

Element: TypeAlias = etree._Element

ON_ERROR = "stopOnError"
# qbXML message-set IDs longer than 24 characters are refused (status 9004, the SDK's error recovery).
MESSAGE_SET_ID_MAX = 24
# qbXML requestID: at most 50 characters, else status 1060 (docs/web-connector.md §3.1).
REQUEST_ID_MAX = 50


@dataclass(frozen=True, slots=True)
class Ref:
    """A ``…Ref`` to a list entry: by ListID when we know it (QuickBooks prefers it), else FullName."""

    list_id: str | None = None
    full_name: str | None = None

    def __post_init__(self) -> None:
        if not self.list_id and not self.full_name:
            raise ValueError("a reference needs a ListID or a FullName")


def child(parent: Element, tag: str, text: str | None = None) -> Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def opt(parent: Element, tag: str, text: str | None) -> None:
    """Append ``<tag>text</tag>`` only when there is a text."""
    if text is not None and text != "":
        child(parent, tag, text)


def ref(parent: Element, tag: str, value: Ref | None) -> None:
    if value is None:
        return
    element = child(parent, tag)
    if value.list_id:
        child(element, "ListID", value.list_id)
    else:
        child(element, "FullName", value.full_name)


def amount(value: Decimal) -> str:
    """AMTTYPE: exactly two places (``218.50``, ``-11.50``); the plan already rounded it."""
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{value} is not an amount in cents; the plan rounds, the encoder only writes")
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def rate(value: Decimal) -> str:
    """PRICETYPE/QUANTYPE/PERCENTTYPE: up to five places, no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    if "." in text:
        frac = text.split(".")[1]
        if len(frac) > 5:
            raise ValueError(f"{value} has more than five decimal places")
    return text


def float_value(value: Decimal) -> str:
    """FLOATTYPE (``ExchangeRate``): the figure as given, no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text


def qb_date(value: date) -> str:
    return value.isoformat()


def qb_datetime(value: datetime) -> str:
    """DATETIMETYPE: ISO 8601 with a ±HH:MM offset (the schema's pattern has no ``Z``)."""
    return value.replace(microsecond=0).isoformat()


def boolean(value: bool) -> str:
    return "true" if value else "false"


def request(name: str, request_id: str, **attributes: str) -> Element:
    """``<NameRq requestID="…">``; the caller appends the payload."""
    if len(request_id) > REQUEST_ID_MAX:
        raise ValueError(f"requestID {request_id!r} is longer than {REQUEST_ID_MAX} characters")
    element = etree.Element(name, requestID=request_id)
    for key, value in attributes.items():
        element.set(key, value)
    return element


def serialized_size(element: Element) -> int:
    return len(etree.tostring(element, encoding="utf-8"))


def message_set(
    requests: Iterable[Element],
    *,
    version: str,
    new_message_set_id: str | None = None,
    old_message_set_id: str | None = None,
    on_error: str = ON_ERROR,
) -> str:
    """The qbXML document the Web Connector hands to QuickBooks (docs/web-connector.md §3.1).

    ``stopOnError``: after the first failing request QuickBooks processes nothing more, so a request
    never runs against a record an earlier request failed to write; what was not processed is simply
    sent again. ``newMessageSetID`` makes QuickBooks keep the answer for error recovery, and
    ``oldMessageSetID`` asks for a kept answer instead of processing again
    (docs/web-connector.md §0.8, §1.2 #9).
    """
    root = etree.Element("QBXML")
    msgs = etree.SubElement(root, "QBXMLMsgsRq", onError=on_error)
    for message_set_id in (new_message_set_id, old_message_set_id):
        if message_set_id is not None and len(message_set_id) > MESSAGE_SET_ID_MAX:
            raise ValueError(f"message-set ID {message_set_id!r} is longer than {MESSAGE_SET_ID_MAX}")
    if old_message_set_id:
        msgs.set("oldMessageSetID", old_message_set_id)
    if new_message_set_id:
        msgs.set("newMessageSetID", new_message_set_id)
    for element in requests:
        msgs.append(element)
    body = etree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{version}"?>\n{body}'
