"""Processing one qbXML message set, the way QuickBooks' request processor does.

* The document is parsed safely and validated against the qbXML 13.0 schema. A message set
  that does not parse or breaks the schema's structure is refused as a whole: there is no
  response, ``ProcessRequest`` fails with HRESULT 0x80040400 (docs/web-connector.md §1.8, §4.2, §6 #6),
  raised here as :class:`~.status.QbXmlParseError`. A value that is merely *too long* is not a
  parse error for QuickBooks: that request alone answers 3070 (see :mod:`.status`).
* Requests run in order, each atomically; every one gets its ``…Rs`` with ``requestID``
  echoed and ``statusCode``/``statusSeverity``/``statusMessage``.
* ``onError="stopOnError"``: after the first request whose severity is Error, the remaining
  requests are not processed and get *no* ``…Rs`` at all ("Requests that have already been
  processed will not be rolled back. An error is returned for the operation that caused the
  error condition."). ``rollbackOnError`` is not available in QuickBooks Desktop; the sandbox
  treats it as ``stopOnError``. ``continueOnError`` answers every request.
* Macros (docs/web-connector.md §3.3): ``defMacro="TxnID:Inv1"`` on an Add names the new TxnID (or ListID
  for ``ListID:…``); an element with ``useMacro="TxnID:Inv1"`` later in the same message set
  takes that value. An undefined macro fails that request (9100, the macro error range).
* Error recovery (docs/web-connector.md §0.8, §1.2 #9): ``newMessageSetID`` makes the company file keep
  the message set's response; ``messageSetStatusCode="0"`` then marks a set that was
  processed. QuickBooks keeps only the answer of the *last* set it processed with a
  ``newMessageSetID`` (``oldMessageSetID`` "identifies the last message set that was sent with
  error recovery enabled"): processing another such set forgets the previous answer. A later
  set with ``oldMessageSetID`` equal to the kept ID is *not* processed: the kept response comes
  back instead, so a write whose response was lost can be recovered without a duplicate. Whether
  such a replay is then kept under the replaying set's own ``newMessageSetID`` is not documented:
  ``replay_under_new_id`` chooses (False: it stays under the old ID). If ``oldMessageSetID``
  matches nothing and a ``newMessageSetID`` is given, the set is processed normally (the earlier
  one never arrived, or its answer is gone); with no ``newMessageSetID`` nothing is processed and
  the answer is an empty set with ``messageSetStatusCode="600"`` (Intuit's sample: "The
  oldMessageSetID does not match any stored IDs, and no newMessageSetID is provided"): the
  status check. ``oldMessageSetID="ClearAllMessageSets"`` forgets the kept answer. IDs longer
  than 24 characters answer 9004.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from . import status
from .books import Books, StoredMessageSet
from .qbxml_schema import SchemaProblem, parse_qbxml, qbxml_version, validation_problems
from .request_types import Handler, Outcome, Request, Runtime
from .status import QbStatusError, QbXmlParseError, Status
from .xml_codec import element_to_record, record_to_element, serialize
from .xsd_model import xsd_model

CLEAR_ALL_MESSAGE_SETS = "ClearAllMessageSets"


@dataclass
class FaultPlan:
    """Faults a test asked for: ``record_in_use[kind]`` = status codes to answer, in order."""

    record_in_use: dict[str, list[int]] = field(default_factory=dict)

    def take(self, kind: str) -> int | None:
        queue = self.record_in_use.get(kind)
        if not queue:
            return None
        code = queue.pop(0)
        if not queue:
            del self.record_in_use[kind]
        return code


@dataclass
class MessageSetContext:
    books: Books
    handlers: Mapping[str, Handler]
    runtime: Runtime
    faults: FaultPlan
    macros: dict[str, str] = field(default_factory=dict)


def process_message_set(
    books: Books,
    request_xml: str | bytes,
    handlers: Mapping[str, Handler],
    runtime: Runtime,
    faults: FaultPlan,
    *,
    replay_under_new_id: bool = False,
) -> str:
    """Process a qbXML request document and return the qbXML response document."""
    root, length_problems = _parse(books, request_xml)
    msgs = root.find("QBXMLMsgsRq")
    if msgs is None:
        raise QbXmlParseError(["the sandbox company file only processes QBXMLMsgsRq message sets"])
    too_long = _length_errors(root, msgs, length_problems)

    old_id, new_id = msgs.get("oldMessageSetID"), msgs.get("newMessageSetID")
    recovery = old_id is not None or new_id is not None
    for message_set_id in (old_id, new_id):
        if message_set_id is not None and len(message_set_id) > status.MESSAGE_SET_ID_MAX:
            return _empty_response(new_id, status.MSGSET_ID_TOO_LONG)
    if old_id == CLEAR_ALL_MESSAGE_SETS:
        books.message_sets.clear()
        old_id = None
    if old_id:
        stored = books.message_sets.get(old_id)
        if stored is not None:
            if new_id and replay_under_new_id:
                books.message_sets = {new_id: stored}
            return stored.response_xml
        if not new_id:
            return _empty_response(None, status.MSGSET_NO_STORED_STATE)

    stop_on_error = msgs.get("onError") in ("stopOnError", "rollbackOnError")
    include_data = msgs.get("responseData", "includeAll") != "includeNone"
    context = MessageSetContext(books, handlers, runtime, faults)
    response_root = etree.Element("QBXML")
    response_msgs = etree.SubElement(response_root, "QBXMLMsgsRs")
    if new_id:
        response_msgs.set("newMessageSetID", new_id)
    if recovery:
        response_msgs.set("messageSetStatusCode", "0")

    first_error = 0
    for index, element in enumerate(child for child in msgs if isinstance(child.tag, str)):
        outcome = _process_request(context, element, too_long.get(index))
        response_msgs.append(_response_element(element, outcome, include_data))
        books.requests_processed += 1
        if outcome.status.is_error:
            first_error = first_error or outcome.status.code
            if stop_on_error:
                break

    response = serialize(response_root)
    if new_id:
        # Only the last set's answer is kept.
        books.message_sets = {new_id: StoredMessageSet(response, first_error)}
    return response


def _parse(books: Books, request_xml: str | bytes) -> tuple[etree._Element, list[SchemaProblem]]:
    try:
        root = parse_qbxml(request_xml)
    except etree.XMLSyntaxError as exc:
        raise QbXmlParseError([f"not well-formed XML: {exc}"]) from exc
    version = qbxml_version(request_xml)
    if version is None:
        raise QbXmlParseError(['the <?qbxml version="…"?> processing instruction is missing'])
    if version not in books.info.qbxml_versions:
        raise QbXmlParseError([f'qbXML version "{version}" is not supported by this QuickBooks'])
    problems = validation_problems(root)
    if any(not p.is_length_only for p in problems):
        raise QbXmlParseError([str(p) for p in problems])
    return root, problems


def _length_errors(
    root: etree._Element, msgs: etree._Element, problems: list[SchemaProblem]
) -> dict[int, QbStatusError]:
    """Over-long values found by the schema, by the index of the request they sit in."""
    errors: dict[int, QbStatusError] = {}
    requests = [child for child in msgs if isinstance(child.tag, str)]
    for problem in problems:
        hits = root.getroottree().xpath(problem.path) if problem.path else []
        if not hits or not isinstance(hits, list) or not isinstance(hits[0], etree._Element):
            continue
        element: etree._Element | None = hits[0]
        field_name, value = hits[0].tag, hits[0].text or ""
        while element is not None and element.getparent() is not msgs:
            element = element.getparent()
        if element is not None and element in requests:
            errors.setdefault(requests.index(element), status.string_too_long(value, str(field_name)))
    return errors


def _process_request(
    context: MessageSetContext, element: etree._Element, too_long: QbStatusError | None
) -> Outcome:
    name = str(element.tag)
    mint_before = copy.copy(context.books.mint)
    try:
        request_id = element.get("requestID")
        if request_id is not None and len(request_id) > status.REQUEST_ID_MAX:
            raise QbStatusError(status.INVALID_REQUEST_ID, f'The request ID "{request_id}" is invalid.')
        if too_long is not None:
            raise too_long
        _expand_macros(element, context.macros)
        handler = context.handlers.get(name)
        if handler is None:
            raise QbStatusError(
                status.UNSUPPORTED_MESSAGE, f"{name} is not supported by the sandbox company file."
            )
        request = _read_request(element)
        _inject_fault(context, request)
        outcome = handler(context.books, request, context.runtime)
        if request.include_ret:
            # IncludeRetElement: only the named top-level elements of each …Ret come back.
            outcome.rets = [
                (ret_name, {k: v for k, v in record.items() if k in request.include_ret})
                for ret_name, record in outcome.rets
            ]
    except QbStatusError as exc:
        # Handlers check everything before they write, so a refused request has stored
        # nothing; rewinding the ID counters keeps IDs gap-free and runs reproducible.
        context.books.mint = mint_before
        return Outcome(status=exc.status)
    _define_macros(context, element, outcome)
    return outcome


def _read_request(element: etree._Element) -> Request:
    schema = xsd_model()
    model = schema.child(schema.element("QBXMLMsgsRq"), str(element.tag))
    assert model is not None  # schema validation guarantees the request is known
    payload = next((child for child in element if isinstance(child.tag, str)), None)
    return Request(
        name=str(element.tag),
        body=element_to_record(element, model),
        request_id=element.get("requestID"),
        attributes={k: v for k, v in element.attrib.items() if k != "requestID"},
        payload_attributes=dict(payload.attrib) if payload is not None else {},
    )


def _expand_macros(element: etree._Element, macros: dict[str, str]) -> None:
    for node in element.iter():
        macro = node.get("useMacro") if isinstance(node.tag, str) else None
        if macro is None:
            continue
        if macro not in macros:
            raise status.macro_not_defined(macro)
        node.text = macros[macro]


def _define_macros(context: MessageSetContext, element: etree._Element, outcome: Outcome) -> None:
    payload = next((child for child in element if isinstance(child.tag, str)), None)
    macro = payload.get("defMacro") if payload is not None else None
    if not macro or outcome.status.is_error:
        return
    prefix = macro.split(":", 1)[0]
    value = outcome.defined_ids.get(prefix)
    if value is not None:
        context.macros[macro] = value


def _inject_fault(context: MessageSetContext, request: Request) -> None:
    for suffix in ("AddRq", "ModRq"):
        if request.name.endswith(suffix):
            kind = request.name.removesuffix(suffix)
            code = context.faults.take(kind)
            if code is not None:
                payload = request.body.get(f"{kind}{suffix[:-2]}", {})
                label = str(
                    payload.get("Name")
                    or payload.get("RefNumber")
                    or payload.get("ListID")
                    or payload.get("TxnID")
                    or kind
                )
                raise status.record_in_use(code, kind, label)


def _response_element(request: etree._Element, outcome: Outcome, include_data: bool) -> etree._Element:
    name = str(request.tag).removesuffix("Rq") + "Rs"
    response = etree.Element(name)
    request_id = request.get("requestID")
    if request_id is not None:
        response.set("requestID", request_id)
    result: Status = outcome.status
    response.set("statusCode", str(result.code))
    response.set("statusSeverity", result.severity)
    response.set("statusMessage", result.message)
    for key in ("retCount", "iteratorRemainingCount", "iteratorID"):
        if key in outcome.attributes:
            response.set(key, outcome.attributes[key])
    if include_data:
        schema = xsd_model()
        for ret_name, record in outcome.rets:
            response.append(record_to_element(ret_name, record, schema.element(ret_name)))
    return response


def _empty_response(new_id: str | None, message_set_status: int) -> str:
    root = etree.Element("QBXML")
    msgs = etree.SubElement(root, "QBXMLMsgsRs")
    if new_id:
        msgs.set("newMessageSetID", new_id)
    msgs.set("messageSetStatusCode", str(message_set_status))
    return serialize(root)
