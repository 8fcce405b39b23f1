"""What to do about each response status, and how to say it to a bookkeeper.

The codes and their meaning are in docs/web-connector.md §4.1:

* 0 stores the result; 500-999 are warnings: the record was saved, the message is kept;
* 1 ("no match") on a query is an empty answer, not an error;
* 3100 (name in use) → look the existing record up and link it, then send what depended on it;
* 3140 (invalid reference) → refresh the list cache and try once more;
* 3200 (edit sequence out of date) → read the record again and retry the Mod;
* 3170-3180 (record or list in use by someone else) → try again in the next session;
* 9100-9199 (macro errors) mean an earlier request of the set failed: the request was not the cause;
* anything else fails the step with QuickBooks' own message in plain words.
"""

from __future__ import annotations

from enum import StrEnum

from .message_set import QbStatus

NO_MATCH = 1
NAME_IN_USE = 3100
INVALID_REFERENCE = 3140
EDIT_SEQUENCE_STALE = 3200
RECORD_IN_USE_CODES = frozenset({3170, 3175, 3176, 3180})
MACRO_ERRORS = range(9100, 9200)


class Decision(StrEnum):
    STORE = "store"  # 0 or a warning: keep the ids
    EMPTY = "empty"  # 1 on a query
    LINK_EXISTING = "link_existing"  # 3100
    REFRESH_AND_RETRY = "refresh_and_retry"  # 3140
    REREAD_AND_RETRY = "reread_and_retry"  # 3200
    RETRY_NEXT_SESSION = "retry_next_session"  # 3170-3180
    NOT_THE_CAUSE = "not_the_cause"  # 9100-9199: a request it depended on failed
    FAIL = "fail"


def decide(status: QbStatus, *, is_query: bool = False) -> Decision:
    if not status.is_error:
        if status.code == NO_MATCH and is_query:
            return Decision.EMPTY
        return Decision.STORE
    code = status.code
    if code == NAME_IN_USE:
        return Decision.LINK_EXISTING
    if code == INVALID_REFERENCE:
        return Decision.REFRESH_AND_RETRY
    if code == EDIT_SEQUENCE_STALE:
        return Decision.REREAD_AND_RETRY
    if code in RECORD_IN_USE_CODES:
        return Decision.RETRY_NEXT_SESSION
    if code in MACRO_ERRORS:
        return Decision.NOT_THE_CAUSE
    return Decision.FAIL


def quickbooks_said(status: QbStatus) -> str:
    """QuickBooks' message, tidied: it sometimes doubles spaces and ends without a full stop."""
    text = " ".join(status.message.split()) or "no explanation was given"
    return text if text.endswith((".", "!", "?")) else text + "."


def refusal(what: str, status: QbStatus) -> str:
    """e.g. 'QuickBooks refused the invoice 10245: The "TotalAmount" field … (status 3210).'"""
    return f"QuickBooks refused {what}: {quickbooks_said(status)} (QuickBooks status {status.code})"


def warning(what: str, status: QbStatus) -> str:
    return f"QuickBooks saved {what} with a warning: {quickbooks_said(status)} (status {status.code})"


# HRESULTs the Web Connector passes on when QuickBooks itself failed (docs/web-connector.md §4.2).
_HRESULT_WORDS = {
    "0x80040400": "QuickBooks could not read the data we sent (it reported an XML error)",
    "0x80040401": "the Web Connector could not reach QuickBooks",
    "0x80040402": "QuickBooks reported an unexpected error (see qbsdklog.txt on the QuickBooks computer)",
    "0x80040408": "QuickBooks could not be started: make sure QuickBooks is open with the company file",
    "0x8004040D": "the Web Connector's ticket was not accepted by QuickBooks",
    "0x80040410": "the company file is open in a different mode (single- or multi-user) than requested",
    "0x80040420": "the QuickBooks user denied this application access to the company file",
}


def hresult_words(hresult: str, message: str) -> str:
    """A QuickBooks/Web Connector failure code in words, with the original code for support."""
    code = hresult.strip()
    words = _HRESULT_WORDS.get(code.upper().replace("0X", "0x"))
    detail = " ".join(message.split())
    if words is None:
        words = f"QuickBooks reported an error{': ' + detail if detail else ''}"
        return f"{words[0].upper()}{words[1:]} ({code})."
    return f"{words[0].upper()}{words[1:]} ({code}{': ' + detail if detail else ''})."
