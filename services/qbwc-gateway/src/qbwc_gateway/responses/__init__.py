"""Pure: qbXML responses → typed results, and what each status code means for the send.

``parse_response_set(xml)`` reads a response message set, ``parse_hcp(xml)`` the Host/Company/
Preferences answers of a session's first call, ``decide(status)`` says what to do about a status.
"""

from .decisions import Decision, decide, hresult_words, quickbooks_said, refusal, warning
from .hcp import (
    PREFERRED_QBXML_VERSION,
    CompanyIdentity,
    CompanyPreferences,
    HcpInfo,
    HostInfo,
    choose_qbxml_version,
    parse_hcp,
)
from .message_set import QbResponse, QbStatus, ResponseSet, Ret, parse_response_set
from .xml_reader import QbXmlReadError

__all__ = [
    "PREFERRED_QBXML_VERSION",
    "CompanyIdentity",
    "CompanyPreferences",
    "Decision",
    "HcpInfo",
    "HostInfo",
    "QbResponse",
    "QbStatus",
    "QbXmlReadError",
    "ResponseSet",
    "Ret",
    "choose_qbxml_version",
    "decide",
    "hresult_words",
    "parse_hcp",
    "parse_response_set",
    "quickbooks_said",
    "refusal",
    "warning",
]
