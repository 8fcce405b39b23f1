"""The shapes passed between the message-set processor and the request handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .books import Books
from .status import Status
from .xml_codec import Record


@dataclass
class Request:
    """One ``…Rq`` element of a message set, already read into a record."""

    name: str  # e.g. "InvoiceAddRq"
    body: Record  # children of the …Rq element
    request_id: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)  # iterator, iteratorID, metaData
    payload_attributes: dict[str, str] = field(default_factory=dict)  # defMacro on the …Add element

    @property
    def rs_name(self) -> str:
        return self.name.removesuffix("Rq") + "Rs"

    @property
    def include_ret(self) -> list[str]:
        value = self.body.get("IncludeRetElement", [])
        return list(value) if isinstance(value, list) else [value]


@dataclass
class Outcome:
    """What a handler answers: a status, zero or more ``…Ret`` records, extra Rs attributes."""

    status: Status = field(default_factory=Status)
    rets: list[tuple[str, Record]] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    defined_ids: dict[str, str] = field(default_factory=dict)  # "TxnID"/"ListID"/"TxnLineID:n" → id


@dataclass
class QueryIterator:
    """An open ``iterator="Start"`` result set: the keys still to be returned."""

    request_name: str
    keys: list[tuple[str, str]]  # (ret element, record id)
    page_size: int


@dataclass
class Runtime:
    """Per-request context: the time of processing and the company file's open iterators."""

    now: datetime
    iterators: dict[str, QueryIterator]


Handler = Callable[[Books, Request, Runtime], Outcome]
