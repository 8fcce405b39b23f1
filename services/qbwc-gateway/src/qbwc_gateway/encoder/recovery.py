"""Finding what a message set whose answer is lost may have written, before writing it again.

QuickBooks keeps the answer of a message set sent with a ``newMessageSetID`` (docs/web-connector.md
§0.8, §3.1), but only of the last one: the SDK's ``oldMessageSetID`` "identifies the last message set
that was sent with error recovery enabled". Once that answer is gone — a later set replaced it, the company
file was reopened, hours went by — nothing says whether the lost set was processed. Adding again
could then write every document a second time, so the documents are looked up first:

* each document ESP adds carries an **ESP key** in ``ExternalGUID``: a GUID derived from the order
  number and the plan operation, the same on every attempt. qbXML 13.0 takes it on InvoiceAdd,
  ReceivePaymentAdd, PurchaseOrderAdd and BillAdd, returns it on every ``…Ret``, and no Mod, nor
  the QuickBooks window, changes it;
* the lookup asks for the documents with the operation's number (``RefNumberRangeFilter`` from and
  to that number) — a payment, which may have none, by its date — and only a document carrying
  the operation's ESP key counts as ESP's. One with the same number and another key (typed by
  hand, another application's) is not adopted;
* list entries (customers, vendors, items) are looked up by the name the lost set added them
  under, as after a "name in use" answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeAlias

from espqb.plan import BillOp, InvoiceOp, PaymentOp, PurchaseOrderOp

from .documents import TXN_QUERY_BY_KIND
from .xml_build import Element, child, qb_date, request

Document: TypeAlias = InvoiceOp | PaymentOp | PurchaseOrderOp | BillOp

# Fixed for good: changing it would make every document written so far unrecognisable.
_ESP_KEY_NAMESPACE = uuid.UUID("5b0e7d1c-3f7a-4c55-9a51-6f2d1e8b4c90")
_RETURNED = ("TxnID", "EditSequence", "RefNumber", "ExternalGUID")


def esp_key(order_number: str, op_key: str) -> str:
    """The ``ExternalGUID`` of the document ``op_key`` of order ``order_number`` (GUIDTYPE:
    ``{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}``)."""
    value = uuid.uuid5(_ESP_KEY_NAMESPACE, f"{order_number}\x1f{op_key}")
    return "{" + str(value).upper() + "}"


def find_written(op: Document, request_id: str) -> Element:
    """The query that finds ``op``'s document if a lost message set wrote it."""
    rq = request(TXN_QUERY_BY_KIND[op.kind], request_id)
    if isinstance(op, PaymentOp):
        dates = child(rq, "TxnDateRangeFilter")
        child(dates, "FromTxnDate", qb_date(op.txn_date))
        child(dates, "ToTxnDate", qb_date(op.txn_date))
    else:
        numbers = child(rq, "RefNumberRangeFilter")
        child(numbers, "FromRefNumber", op.doc_number)
        child(numbers, "ToRefNumber", op.doc_number)
    if isinstance(op, PurchaseOrderOp):
        # A bill is linked to its purchase order's lines: their ids come back with the order.
        child(rq, "IncludeLineItems", "true")
    for name in (*_RETURNED, *(("PurchaseOrderLineRet",) if isinstance(op, PurchaseOrderOp) else ())):
        child(rq, "IncludeRetElement", name)
    return rq


def is_ours(ret: Mapping[str, Any], key: str) -> bool:
    """Whether a returned document carries the ESP key (GUIDs compare without regard to case)."""
    value = ret.get("ExternalGUID")
    return isinstance(value, str) and value.strip().upper() == key.upper()
