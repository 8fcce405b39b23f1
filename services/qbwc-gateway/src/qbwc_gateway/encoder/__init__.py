"""Pure: the accounting plan → qbXML requests and message sets (qbXML 13.0, docs/web-connector.md §3).

``encode_job(plan, tag=…, memory=…, shared=…, prefs=…)`` gives the requests one job still needs;
``MessageSetDraft`` packs several jobs into one message set under a size cap; ``message_set`` builds
the envelope; ``recovery`` keys the documents and finds what a lost message set wrote. Every message
validates against ``qbxmlops130.xsd``.
"""

from .batch import Admission, MessageSetDraft
from .documents import TxnRef
from .job import (
    Done,
    EncodedRequest,
    JobEncoding,
    JobMemory,
    ListKey,
    Purpose,
    Reuse,
    SharedAdd,
    encode_job,
    list_key,
)
from .prefs import CompanyFilePrefs
from .xml_build import MESSAGE_SET_ID_MAX, Ref, message_set, qb_datetime

__all__ = [
    "MESSAGE_SET_ID_MAX",
    "Admission",
    "CompanyFilePrefs",
    "Done",
    "EncodedRequest",
    "JobEncoding",
    "JobMemory",
    "ListKey",
    "MessageSetDraft",
    "Purpose",
    "Ref",
    "Reuse",
    "SharedAdd",
    "TxnRef",
    "encode_job",
    "list_key",
    "message_set",
    "qb_datetime",
]
