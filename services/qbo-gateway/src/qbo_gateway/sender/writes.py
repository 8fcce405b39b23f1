"""One write (or name search) the sender is about to send, and how writes are grouped into calls.

Writes of one wave are independent of each other. A first attempt hands them to the company's shared
batches (``client.coalescer``, docs/quickbooks-online.md §2.7a), which may send them with other orders'
writes or tell them to go as single calls; a later attempt sends what it has no record of as single calls.

Exactly once either way (§2.8): a single call's ``requestid`` is derived from the job and the content of
its write; a shared batch's is chosen when it is composed and written on its steps (pending) before it
goes out. A call that got no answer is recorded on its steps (``JobStep.request_id``) with that
requestid and each item's ``bId``. A later attempt sends those writes again under exactly that id, so
QBO replays what it did instead of doing it twice, whatever the realm's room is then.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from espqb.plan import Operation
from qbo_gateway.client import MAX_BATCH_ITEMS, BatchItem, request_id, wire

__all__ = [
    "Call",
    "Write",
    "compose_calls",
    "replay_calls",
]

WriteAction = Literal["create", "update", "find"]


@dataclass(frozen=True, slots=True)
class Write:
    op: Operation
    entity: str  # QBO entity name
    action: WriteAction
    body: dict[str, Any] | None = None  # create / update
    statement: str | None = None  # find: a query by name
    existing_id: str | None = None  # update: the record being changed
    note: str = ""  # what distinguishes this write from an earlier one of the same op (e.g. "recreate-of:12")

    @property
    def fingerprint(self) -> str:
        """The write's identity for its requestid: operation, action and content."""
        content = wire.dumps(self.body) if self.body is not None else (self.statement or "").encode()
        digest = hashlib.sha256(content).hexdigest()[:20]
        return f"{self.op.key}:{self.action}:{self.note}:{digest}"

    def batch_item(self, bid: str) -> BatchItem:
        if self.action == "find":
            assert self.statement is not None
            return BatchItem.select(bid, self.statement)
        assert self.body is not None
        if self.action == "update":
            return BatchItem(bid=bid, kind=self.entity, operation="update", body=self.body)
        return BatchItem.create(bid, self.entity, self.body)


@dataclass(frozen=True, slots=True)
class Call:
    writes: tuple[Write, ...]
    batch: bool
    replay_of: str | None = None  # the requestid of an unanswered earlier call these writes repeat
    bids: tuple[str, ...] | None = None  # that call's bIds, in the order of ``writes``

    def request_id(self, job_id: uuid.UUID | str) -> str:
        if self.replay_of is not None:
            return self.replay_of
        # The content digest makes the id change when the user changed what is written (then QBO
        # must not replay an old refusal), and stay the same when only the attempt changed.
        return request_id(job_id, *sorted(w.fingerprint for w in self.writes))

    def batch_ids(self) -> tuple[str, ...]:
        return self.bids or tuple(f"b{index}" for index in range(len(self.writes)))


def compose_calls(writes: list[Write], *, batch: bool) -> list[Call]:
    if batch and len(writes) > 1:
        return [
            Call(tuple(writes[start : start + MAX_BATCH_ITEMS]), batch=True)
            for start in range(0, len(writes), MAX_BATCH_ITEMS)
        ]
    return [Call((write,), batch=False) for write in writes]


def replay_calls(
    writes: list[Write], in_doubt: Mapping[str, tuple[str, str | None]]
) -> tuple[list[Call], list[Write]]:
    """The calls that repeat unanswered ones exactly, and the writes left to compose afresh."""
    groups: dict[str, list[tuple[Write, str | None]]] = {}
    fresh: list[Write] = []
    for write in writes:
        noted = in_doubt.get(write.op.key)
        if noted is None:
            fresh.append(write)
        else:
            groups.setdefault(noted[0], []).append((write, noted[1]))
    calls = []
    for rid, members in groups.items():
        batch = any(bid is not None for _, bid in members)
        bids = tuple(bid or f"b{index}" for index, (_, bid) in enumerate(members)) if batch else None
        calls.append(Call(tuple(w for w, _ in members), batch=batch, replay_of=rid, bids=bids))
    return calls, fresh
