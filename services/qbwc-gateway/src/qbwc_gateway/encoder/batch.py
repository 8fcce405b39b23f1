"""Packing several jobs into one message set, under a size cap.

Several orders travel in one round trip (the Web Connector's round trips, not QuickBooks, are what
make a Desktop send slow). A job joins the set only whole: its requests fit under the cap, and the
list entries it creates do not clash with another job's. Two jobs adding the *same* ESP customer,
supplier or product share one add (the second refers to the first by name); two jobs adding
*different* entries under one name would make the second add fail (3100), so the second job waits
for the next round trip, when the planner sees the first name taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from espqb.plan.naming import clean_name

from .job import EncodedRequest, JobEncoding, ListKey, Purpose, SharedAdd
from .xml_build import Element, message_set, serialized_size

# Customers and vendors share QuickBooks' name list; items have their own (docs/web-connector.md §3.4).
NAME_SPACE = {
    "customer": "names",
    "vendor": "names",
    "item": "items",
    # Each reference list is its own name space (docs/web-connector.md §3.18).
    "terms": "terms",
    "class": "classes",
    "ship_method": "ship_methods",
    "customer_message": "customer_messages",
    "sales_rep": "sales_reps",
    "location": "locations",
}


@dataclass(frozen=True, slots=True)
class Admission:
    accepted: bool
    reason: str | None = None


class MessageSetDraft:
    """The message set being assembled for one ``sendRequestXML``."""

    def __init__(self, *, max_bytes: int, max_jobs: int, leading: Iterable[Element] = ()) -> None:
        self.max_bytes = max_bytes
        self.max_jobs = max_jobs
        self._leading = list(leading)  # e.g. list-cache refresh queries, sent before the jobs
        self.size = sum(serialized_size(e) for e in self._leading)
        self.requests: list[EncodedRequest] = []
        self.jobs = 0
        self._shared: dict[ListKey, SharedAdd] = {}
        self._names: dict[tuple[str, str], ListKey] = {}

    @property
    def shared(self) -> Mapping[ListKey, SharedAdd]:
        return self._shared

    @property
    def is_full(self) -> bool:
        return self.jobs >= self.max_jobs or self.size >= self.max_bytes

    @property
    def is_empty(self) -> bool:
        return not self._leading and not self.requests

    def offer(self, encoding: JobEncoding) -> Admission:
        """Add the job's requests if they fit; a job never joins half."""
        if not encoding.requests:
            return Admission(True)  # nothing to send for it this time (answered or waiting)
        if self.jobs >= self.max_jobs:
            return Admission(False, "the message set already holds as many orders as allowed")
        size = sum(serialized_size(r.element) for r in encoding.requests)
        if self.requests and self.size + size > self.max_bytes:
            return Admission(False, "the message set is full")
        names: dict[tuple[str, str], ListKey] = {}
        for request in encoding.requests:
            if request.list_key is None or request.list_name is None or request.purpose is not Purpose.WRITE:
                continue
            slot = (NAME_SPACE[request.list_key[0]], clean_name(request.list_name).casefold())
            if self._names.get(slot, request.list_key) != request.list_key:
                return Admission(False, f"another order in this message set creates “{request.list_name}”")
            names[slot] = request.list_key
        for reuse in encoding.reused.values():
            shared = self._shared.get(reuse.list_key)
            if shared is None or shared.name != reuse.name:
                return Admission(False, "it names a shared list entry differently")
        self.requests.extend(encoding.requests)
        self.size += size
        self.jobs += 1
        self._names.update(names)
        for request in encoding.requests:
            if (
                request.list_key is not None
                and request.list_name is not None
                and request.purpose is Purpose.WRITE
            ):
                self._shared.setdefault(request.list_key, SharedAdd(request.request_id, request.list_name))
        return Admission(True)

    def document(self, *, version: str, new_message_set_id: str | None) -> str:
        return message_set(
            [*self._leading, *(r.element for r in self.requests)],
            version=version,
            new_message_set_id=new_message_set_id,
        )
