"""``requestid`` values: the same write, asked again, gets the same id, so QBO replays its first
answer instead of writing twice (docs/quickbooks-online.md §2.8: "the service sends the same response as it
did for the original request").

The id is a UUID derived from the send job and what is being written (the plan operation key, plus
whatever makes this write different from an earlier one of the same operation: the SyncToken of an
update, the id a re-creation replaces). A retry of the call, or a later attempt of the same job
that repeats the same write, therefore reuses the id; a new send of the order (a new job) does not.
A UUID is 36 characters: within both Intuit limits (50 for a call, 36 for a batch).
"""

from __future__ import annotations

import uuid

__all__ = ["REQUEST_ID_NAMESPACE", "request_id"]

# Fixed, so ids are stable across processes and releases.
REQUEST_ID_NAMESPACE = uuid.UUID("4b0c6f3e-2f7a-5d3c-9a51-8a3e1c0f7b42")


def request_id(job_id: uuid.UUID | str, *parts: str) -> str:
    """E.g. ``request_id(job, "invoice")``, ``request_id(job, "invoice", "update@3")``; a batch passes
    the sorted parts of all its items."""
    if not parts:
        raise ValueError("a request id needs at least the operation it writes")
    return str(uuid.uuid5(REQUEST_ID_NAMESPACE, "|".join([str(job_id), *parts])))
