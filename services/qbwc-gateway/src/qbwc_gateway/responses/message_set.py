"""A qbXML response message set → typed responses, one per request, matched by ``requestID``.

Every ``…Rs`` carries ``statusCode``/``statusSeverity``/``statusMessage`` (docs/web-connector.md §0.9, §3.1);
query responses may add ``retCount``/``iteratorRemainingCount``/``iteratorID`` (docs/web-connector.md §3.2);
the set itself may carry ``newMessageSetID``/``messageSetStatusCode`` (error recovery,
docs/web-connector.md §0.8).
"""

from __future__ import annotations

from dataclasses import dataclass

from .xml_reader import QbXmlReadError, Record, element_to_record, parse_document


@dataclass(frozen=True, slots=True)
class QbStatus:
    code: int
    severity: str  # Info, Warn or Error
    message: str

    @property
    def is_error(self) -> bool:
        # 0-499 Info, 500-999 Warn, >= 1000 Error (docs/web-connector.md §4.1); trust the code over the word.
        return self.code >= 1000 or self.severity == "Error"

    @property
    def is_warning(self) -> bool:
        return not self.is_error and (500 <= self.code < 1000 or self.severity == "Warn")


@dataclass(frozen=True, slots=True)
class Ret:
    """One ``…Ret`` element: ``kind`` is its name (``CustomerRet``), ``data`` its children."""

    kind: str
    data: Record

    def text(self, name: str) -> str | None:
        value = self.data.get(name)
        return value if isinstance(value, str) and value != "" else None


@dataclass(frozen=True, slots=True)
class QbResponse:
    name: str  # e.g. "CustomerAddRs"
    request_id: str | None
    status: QbStatus
    rets: tuple[Ret, ...]
    iterator_id: str | None = None
    iterator_remaining: int | None = None


@dataclass(frozen=True, slots=True)
class ResponseSet:
    responses: tuple[QbResponse, ...]
    new_message_set_id: str | None = None
    message_set_status_code: int | None = None

    def by_request_id(self) -> dict[str, QbResponse]:
        return {r.request_id: r for r in self.responses if r.request_id is not None}


def _int(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        return None


def parse_response_set(text: str) -> ResponseSet:
    """Read a response document; raises ``QbXmlReadError`` when it is not one."""
    root = parse_document(text)
    msgs = root.find("QBXMLMsgsRs") if root.tag == "QBXML" else None
    if msgs is None:
        raise QbXmlReadError("the document has no QBXML/QBXMLMsgsRs")
    responses: list[QbResponse] = []
    for element in msgs:
        if not isinstance(element.tag, str) or not element.tag.endswith("Rs"):
            continue
        code = _int(element.get("statusCode"))
        status = QbStatus(
            code=code if code is not None else 0,
            severity=element.get("statusSeverity") or "Info",
            message=element.get("statusMessage") or "",
        )
        rets = tuple(
            Ret(str(child.tag), element_to_record(child))
            for child in element
            if isinstance(child.tag, str) and child.tag.endswith("Ret")
        )
        responses.append(
            QbResponse(
                name=str(element.tag),
                request_id=element.get("requestID"),
                status=status,
                rets=rets,
                iterator_id=element.get("iteratorID"),
                iterator_remaining=_int(element.get("iteratorRemainingCount")),
            )
        )
    return ResponseSet(
        responses=tuple(responses),
        new_message_set_id=msgs.get("newMessageSetID"),
        message_set_status_code=_int(msgs.get("messageSetStatusCode")),
    )
