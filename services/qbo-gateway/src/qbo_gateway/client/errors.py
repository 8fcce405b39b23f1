"""Typed QBO API errors, read from whatever Intuit answered.

Intuit answers failures in three shapes (docs/quickbooks-online.md §2.10, §1.5):

* the normal envelope ``{"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type"}}`` —
  sometimes with HTTP 200, so every response is checked;
* the API gateway's lower-case envelope ``{"fault": {"error": [{"message", "detail", "code"}]}}`` for
  401/403 (expired token, missing scope);
* XML (``<IntuitResponse><Fault><Error code=…>``) for throttling, even to a JSON client.

``error_from_response`` turns any of them into one class of the tree below; each carries Intuit's own
code, message, detail and element, and ``plain`` says what happened in words a bookkeeper can act on.

    QboFault
    ├── DuplicateName        6240: the name is taken (find the existing record and link it)
    ├── StaleObject          5010: the SyncToken is old (re-read and try again)
    ├── ObjectNotFound       610: deleted or inactive (recreate and remap)
    ├── ValidationFault      6000-range and request validation: fail the step with Intuit's words
    ├── AuthFailed           401/3200, 403/3100, 120, 130: refresh once, then reconnect
    ├── Throttled            429/3001: wait (Retry-After, else 60 s) and try again
    └── Unavailable          5xx, 504/6002, timeouts, network: back off and try again
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from espqb.errors import EspqbError

__all__ = [
    "AuthFailed",
    "DuplicateName",
    "ObjectNotFound",
    "QboFault",
    "StaleObject",
    "Throttled",
    "Unavailable",
    "ValidationFault",
    "error_from_batch_fault",
    "error_from_response",
    "parse_retry_after",
]


class QboFault(EspqbError):
    """A failure answered (or not answered) by the QBO API. ``retryable``: the same request may succeed later.

    Internal (500) for the products' own error tree: a send turns it into a step, a lookup into
    `UpstreamUnavailable`; ``http_status`` is the status Intuit answered."""

    slug, title = "quickbooks-online-fault", "QuickBooks Online refused or failed a call"
    retryable = False

    def __init__(
        self,
        code: str,
        message: str,
        detail: str = "",
        element: str = "",
        *,
        http_status: int | None = None,
        fault_type: str | None = None,
        intuit_tid: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{code} {message}: {detail}" if detail else f"{code} {message}")
        self.code = code
        self.message = message
        self.detail: str = detail
        self.element = element
        self.http_status = http_status
        self.fault_type = fault_type
        # Intuit support traces a call by this header (docs/quickbooks-online.md §2.1)
        self.intuit_tid = intuit_tid
        self.retry_after = retry_after

    @property
    def intuit_words(self) -> str:
        """Intuit's own explanation: the detail, without the repeated "Business Validation Error:" prefix."""
        text = self.detail or self.message
        for prefix in ("Business Validation Error:", "Business Validation Error :"):
            if text.startswith(prefix):
                return text[len(prefix) :].strip()
        return text.strip()

    @property
    def plain(self) -> str:
        return f"QuickBooks Online refused the request ({self.code}): {self.intuit_words}"


class DuplicateName(QboFault):
    @property
    def plain(self) -> str:
        return (
            "QuickBooks Online already has a record with this name (customers, vendors and employees share "
            f"one list of names): {self.intuit_words}"
        )


class StaleObject(QboFault):
    @property
    def plain(self) -> str:
        return "Someone changed this record in QuickBooks Online while we were updating it."


class ObjectNotFound(QboFault):
    @property
    def plain(self) -> str:
        where = f" ({self.element})" if self.element else ""
        return f"Something this document refers to{where} was deleted or made inactive in QuickBooks Online."


class ValidationFault(QboFault):
    @property
    def plain(self) -> str:
        return f"QuickBooks Online did not accept it: {self.intuit_words}"


class AuthFailed(QboFault):
    @property
    def refreshable(self) -> bool:
        """A 401 may be an expired access token: one refresh is worth trying. A 403 is not."""
        return self.http_status == 401

    @property
    def plain(self) -> str:
        return (
            "QuickBooks Online refused this company's connection; an admin needs to reconnect it "
            "(Admin → Integrations → QuickBooks Online)."
        )


class Throttled(QboFault):
    retryable = True

    @property
    def plain(self) -> str:
        return "QuickBooks Online asked us to slow down; the send continues shortly."


class Unavailable(QboFault):
    retryable = True

    @property
    def plain(self) -> str:
        return "QuickBooks Online is not answering right now; the send will be tried again."


# Codes (docs/quickbooks-online.md §2.10 table) that say what kind of failure it is, whatever the HTTP status.
_AUTH_CODES = frozenset({"120", "130", "3100", "3200"})
_BY_CODE: dict[str, type[QboFault]] = {
    "6240": DuplicateName,
    "5010": StaleObject,
    "610": ObjectNotFound,
    "3001": Throttled,
    "6002": Unavailable,  # GatewayTimeout
}


def _classify(code: str, http_status: int | None) -> type[QboFault]:
    if code in _BY_CODE:
        return _BY_CODE[code]
    if code in _AUTH_CODES or http_status in (401, 403):
        return AuthFailed
    if http_status == 429:
        return Throttled
    if http_status is not None and http_status >= 500:
        return Unavailable
    number = int(code) if code.isdigit() else -1
    # 2000-4999: request validation (required param, enumeration, reference, query syntax);
    # 5000-6999: business validation (6000 and up, 5020 feature not in the subscription), except
    # those mapped above; 500 Unsupported Operation and a 10000 answered with 400 (two discount
    # lines) are mistakes in the request as well, so trying again would fail the same way.
    if 2000 <= number < 7000 or number in (500, 10000):
        return ValidationFault
    return QboFault


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _from_error(
    error: dict[str, Any],
    *,
    http_status: int | None,
    fault_type: str | None,
    intuit_tid: str | None = None,
    retry_after: float | None = None,
) -> QboFault:
    code = _text(error.get("code") or error.get("Code")).lstrip("0") or "0"
    message = _text(error.get("Message") or error.get("message"))
    detail = _text(error.get("Detail") or error.get("detail"))
    element = _text(error.get("element") or error.get("Element"))
    cls = _classify(code, http_status)
    return cls(
        code,
        message,
        detail,
        element,
        http_status=http_status,
        fault_type=fault_type,
        intuit_tid=intuit_tid,
        retry_after=retry_after,
    )


def error_from_batch_fault(fault: dict[str, Any]) -> QboFault:
    """The ``Fault`` of one ``BatchItemResponse`` (no HTTP status of its own)."""
    errors = fault.get("Error") or [{}]
    return _from_error(errors[0], http_status=None, fault_type=_text(fault.get("type")) or None)


def parse_retry_after(value: str | None, *, now_epoch: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if now_epoch is None:
        return None
    return max(0.0, moment.timestamp() - now_epoch)


def _xml_error(text: str) -> dict[str, Any] | None:
    try:
        root = ElementTree.fromstring(text.encode("utf-8"), forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        return None
    for node in root.iter():
        if node.tag.rsplit("}", 1)[-1] == "Error":
            found: dict[str, Any] = {"code": node.get("code", "")}
            for child in node:
                found[child.tag.rsplit("}", 1)[-1]] = (child.text or "").strip()
            return found
    return None


def error_from_response(
    http_status: int,
    body_text: str,
    *,
    intuit_tid: str | None = None,
    retry_after: float | None = None,
) -> QboFault | None:
    """The error an answer carries, or None when it is a success (2xx without a ``Fault``)."""
    parsed: Any = None
    try:
        parsed = json.loads(body_text, parse_float=Decimal) if body_text.strip() else None
    except ValueError:
        parsed = None
    kwargs: dict[str, Any] = {"intuit_tid": intuit_tid, "retry_after": retry_after}
    if isinstance(parsed, dict):
        if isinstance(parsed.get("Fault"), dict):
            fault = parsed["Fault"]
            errors = fault.get("Error") or [{}]
            return _from_error(
                errors[0], http_status=http_status, fault_type=_text(fault.get("type")) or None, **kwargs
            )
        if isinstance(parsed.get("fault"), dict):
            fault = parsed["fault"]
            errors = fault.get("error") or [{}]
            return _from_error(
                errors[0], http_status=http_status, fault_type=_text(fault.get("type")) or None, **kwargs
            )
        if 200 <= http_status < 300:
            return None
    elif 200 <= http_status < 300:
        if parsed is None and not body_text.strip():
            return None
        if body_text.lstrip().startswith("<"):
            xml_error = _xml_error(body_text)
            if xml_error is not None:
                return _from_error(xml_error, http_status=http_status, fault_type=None, **kwargs)
        return None
    if body_text.lstrip().startswith("<"):
        xml_error = _xml_error(body_text)
        if xml_error is not None:
            return _from_error(xml_error, http_status=http_status, fault_type=None, **kwargs)
    # No envelope we know: classify by status alone.
    code = {429: "3001", 401: "3200", 403: "3100"}.get(http_status, str(http_status))
    message = {
        429: "ThrottleExceeded",
        401: "AuthenticationFailed",
        403: "AuthorizationFailed",
    }.get(http_status, f"HTTP {http_status}")
    return _from_error(
        {"code": code, "Message": message, "Detail": body_text[:200].strip()},
        http_status=http_status,
        fault_type=None,
        **kwargs,
    )


@dataclass(frozen=True, slots=True)
class TransportProblem:
    """Why no answer came back (for the log and the metric label)."""

    label: str  # "timeout" | "network"
    detail: str


def unavailable(problem: TransportProblem) -> Unavailable:
    return Unavailable(
        problem.label,
        "No answer from QuickBooks Online",
        problem.detail,
        http_status=None,
        fault_type="transport",
    )
