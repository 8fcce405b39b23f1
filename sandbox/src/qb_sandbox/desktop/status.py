"""qbXML status codes and the messages QuickBooks Desktop puts next to them.

Statuses ride on every ``…Rs`` element (``statusCode``/``statusSeverity``/``statusMessage``,
docs/web-connector.md §0.9, §3.1). Ranges: 0–499 Info, 500–999 Warn, ≥1000 Error (docs/web-connector.md §4.1).
A request the company file refuses raises :class:`QbStatusError`; the message-set processor
turns it into the response attributes.

Failures of the *request processor itself* (the XML cannot be parsed) do not produce a
response at all: QuickBooks' ``ProcessRequest`` fails with an HRESULT, which the Web Connector
forwards to ``receiveResponseXML`` in its ``hresult``/``message`` parameters (docs/web-connector.md §1.6,
§4.2). Those are :class:`RequestProcessorError`.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- HRESULTs of the request processor (docs/web-connector.md §4.2) ------------------------------------
HRESULT_PARSE_ERROR = "0x80040400"
PARSE_ERROR_MESSAGE = "QuickBooks found an error when parsing the provided XML text stream."

# -- statusCode values used by the simulator (docs/web-connector.md §4.1 unless noted) -----------------
OK = 0
NO_MATCH = 1
QUERY_INCOMPLETE = 500
# 530 "Unsupported field": 'The field "fieldName" is not supported by this implementation.' (STAT)
UNSUPPORTED_FIELD = 530
LINK_TO_CLOSED_TXN = 570
UNSUPPORTED_MESSAGE = 1030
INVALID_REQUEST_ID = 1060
INVALID_OBJECT_ID = 3000
# 3070 "string too long" is what QuickBooks answers for an over-long field (seen in a
# recorded AccountAddRs: 'The string "a5ad6d73" in the field "AccountNumber" is too long.').
STRING_TOO_LONG = 3070
# 3150 'There is a missing element: "ListID"' – a field QuickBooks needs although the schema
# lets it out (seen in a consolibyte-based integration's error handler).
MISSING_ELEMENT = 3150
NAME_IN_USE = 3100
OBJECT_NOT_FOUND = 3120
INVALID_REFERENCE = 3140
LIST_MODIFY_ERROR = 3170
RECORD_IN_USE = 3175
LIST_SAVE_ERROR = 3180
EDIT_SEQUENCE_STALE = 3200
INVALID_FIELD_VALUE = 3210
FEATURE_NOT_ENABLED = 3250
INVALID_ITERATOR = 3391
MACRO_NOT_DEFINED = 9100  # 9100–9199 are macro errors (docs/web-connector.md §3.3, §4.1)

# -- messageSetStatusCode values of the SDK error-recovery mechanism -------------------------
# From Intuit's QBFC error-recovery sample (GetErrorRecoveryStatus): 600 = the oldMessageSetID
# matches no stored ID and no newMessageSetID was given; 9004 = message-set ID too long.
MSGSET_NO_STORED_STATE = 600
MSGSET_ID_TOO_LONG = 9004
MESSAGE_SET_ID_MAX = 24

# requestID is limited to 50 characters (docs/web-connector.md §3.1).
REQUEST_ID_MAX = 50

# Codes the record-in-use fault injection may use (docs/web-connector.md §4.1: retry these).
RECORD_IN_USE_FAMILY = (LIST_MODIFY_ERROR, RECORD_IN_USE, 3176, LIST_SAVE_ERROR)

STATUS_OK_MESSAGE = "Status OK"
NO_MATCH_MESSAGE = "A query request did not find a matching object in QuickBooks"


def severity_for(code: int) -> str:
    """``statusSeverity`` for a code (docs/web-connector.md §4.1 ranges)."""
    if code < 500:
        return "Info"
    if code < 1000:
        return "Warn"
    return "Error"


@dataclass(frozen=True)
class Status:
    code: int = OK
    message: str = STATUS_OK_MESSAGE

    @property
    def severity(self) -> str:
        return severity_for(self.code)

    @property
    def is_error(self) -> bool:
        return self.severity == "Error"


class QbStatusError(Exception):
    """A request QuickBooks refuses; becomes the ``…Rs`` status attributes."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = Status(code, message)


class RequestProcessorError(Exception):
    """``ProcessRequest`` itself failed: no qbXML response, an HRESULT instead.

    The Web Connector passes ``hresult`` and ``message`` to ``receiveResponseXML`` with an
    empty ``response`` (docs/web-connector.md §1.6). ``problems`` lists what was wrong, for test output.
    """

    def __init__(self, hresult: str, message: str, problems: list[str] | None = None) -> None:
        detail = "".join(f"\n  - {p}" for p in problems or [])
        super().__init__(f"{hresult}: {message}{detail}")
        self.hresult = hresult
        self.message = message
        self.problems = list(problems or [])


class QbXmlParseError(RequestProcessorError):
    """The message set failed to parse or to validate against the qbXML schema."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(HRESULT_PARSE_ERROR, PARSE_ERROR_MESSAGE, problems)


# -- message builders (QuickBooks' wording) -------------------------------------------------
def name_in_use(name: str) -> QbStatusError:
    return QbStatusError(NAME_IN_USE, f'The name "{name}" of the list element is already in use.')


def invalid_reference(kind: str, value: str, container: str) -> QbStatusError:
    return QbStatusError(
        INVALID_REFERENCE,
        f'There is an invalid reference to QuickBooks {kind} "{value}" in the {container}. '
        "QuickBooks error message: Invalid argument.  The specified record does not exist in the list.",
    )


def object_not_found(object_id: str) -> QbStatusError:
    return QbStatusError(OBJECT_NOT_FOUND, f'Object "{object_id}" specified in the request cannot be found.')


def invalid_object_id(object_id: str, field: str) -> QbStatusError:
    return QbStatusError(
        INVALID_OBJECT_ID, f'The given object ID "{object_id}" in the field "{field}" is invalid.'
    )


def edit_sequence_stale(edit_sequence: str) -> QbStatusError:
    return QbStatusError(EDIT_SEQUENCE_STALE, f'The provided edit sequence "{edit_sequence}" is out-of-date.')


def string_too_long(value: str, field: str) -> QbStatusError:
    return QbStatusError(STRING_TOO_LONG, f'The string "{value}" in the field "{field}" is too long.')


def invalid_field_value(field: str, value: str, qb_message: str) -> QbStatusError:
    return QbStatusError(
        INVALID_FIELD_VALUE,
        f'The "{field}" field has an invalid value "{value}".  QuickBooks error message: {qb_message}',
    )


def record_in_use(code: int, kind: str, label: str) -> QbStatusError:
    """The lock/in-use family QuickBooks returns while another user holds the record."""
    if code == LIST_SAVE_ERROR:
        text = (
            f'There was an error when saving a {kind}, element "{label}".  '
            "QuickBooks error message: This list has been modified by another user."
        )
    elif code == LIST_MODIFY_ERROR:
        text = (
            f'There was an error when modifying a {kind}, element "{label}".  '
            "QuickBooks error message: The record is being edited by another user."
        )
    else:
        text = (
            f'There was an error when saving a {kind}, element "{label}".  '
            "QuickBooks error message: Cannot perform this operation because the record is in use."
        )
    return QbStatusError(code, text)


def unsupported_field(field: str) -> Status:
    """530, a warning: the request was processed without the field (docs/web-connector.md §3.11, §4.1)."""
    return Status(UNSUPPORTED_FIELD, f'The field "{field}" is not supported by this implementation.')


def feature_not_enabled(field: str, reason: str) -> QbStatusError:
    """3250: the company file has the feature turned off (docs/web-connector.md §4.1)."""
    return QbStatusError(
        FEATURE_NOT_ENABLED,
        f'The field "{field}" cannot be used: {reason}. QuickBooks error message: '
        "This feature is not enabled or not available in this version of QuickBooks.",
    )


def missing_element(name: str) -> QbStatusError:
    return QbStatusError(MISSING_ELEMENT, f'There is a missing element: "{name}".')


def macro_not_defined(macro: str) -> QbStatusError:
    return QbStatusError(MACRO_NOT_DEFINED, f'The macro "{macro}" has not been defined in this message set.')


def query_incomplete(missing: str) -> Status:
    return Status(
        QUERY_INCOMPLETE,
        "The query request has not been fully completed. There was a required element "
        f'("{missing}") that could not be found in QuickBooks.',
    )
