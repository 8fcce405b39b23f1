"""Batch requests: up to 30 independent items in one call (docs/quickbooks-online.md §2.7).

Items of one batch cannot see each other (a customer created in a batch cannot be used by an invoice
in the same batch), so callers batch only what is independent. Each item has a ``bId`` of at most 10
characters; answers come back keyed by it, each an entity, a query response or a ``Fault``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from qbo_gateway.client.errors import QboFault, error_from_batch_fault

__all__ = ["MAX_BATCH_ITEMS", "BatchItem", "BatchResult", "read_batch_response"]

MAX_BATCH_ITEMS = 30
MAX_BID_LENGTH = 10

Operation = Literal["create", "update", "delete"]


@dataclass(frozen=True, slots=True)
class BatchItem:
    bid: str
    kind: str | None = None  # entity name for a write: "Customer", "Invoice", …
    operation: Operation | None = None
    body: dict[str, Any] | None = None
    query: str | None = None

    def __post_init__(self) -> None:
        if not self.bid or len(self.bid) > MAX_BID_LENGTH:
            raise ValueError(f"a batch item id (bId) has 1 to {MAX_BID_LENGTH} characters")
        if (self.query is None) == (self.body is None):
            raise ValueError("a batch item is either a query or an entity write")
        if self.body is not None and (self.kind is None or self.operation is None):
            raise ValueError("an entity write needs its entity name and operation")

    @classmethod
    def create(cls, bid: str, kind: str, body: dict[str, Any]) -> BatchItem:
        return cls(bid=bid, kind=kind, operation="create", body=body)

    @classmethod
    def update(cls, bid: str, kind: str, body: dict[str, Any]) -> BatchItem:
        return cls(bid=bid, kind=kind, operation="update", body={**body, "sparse": True})

    @classmethod
    def select(cls, bid: str, statement: str) -> BatchItem:
        return cls(bid=bid, query=statement)

    def as_json(self) -> dict[str, Any]:
        if self.query is not None:
            return {"bId": self.bid, "Query": self.query}
        assert self.kind is not None and self.body is not None
        return {"bId": self.bid, "operation": self.operation, self.kind: self.body}


@dataclass(frozen=True, slots=True)
class BatchResult:
    bid: str
    entity: dict[str, Any] | None = None
    query_response: dict[str, Any] | None = None
    error: QboFault | None = None
    # Intuit's answer holds nothing for this bId. Replaying a shared batch's requestid with only some of
    # its items returns the answer of whichever request of that id reached Intuit first: an item that
    # answer lacks was never done under that id (docs/quickbooks-online.md §2.7a).
    unanswered: bool = False


def read_batch_response(items: list[BatchItem], body: dict[str, Any]) -> dict[str, BatchResult]:
    """Answers by bId; an item Intuit did not answer is an error of its own."""
    answers = {str(r.get("bId")): r for r in body.get("BatchItemResponse") or [] if isinstance(r, dict)}
    results: dict[str, BatchResult] = {}
    for item in items:
        answer = answers.get(item.bid)
        if answer is None:
            results[item.bid] = BatchResult(
                item.bid,
                error=QboFault("batch", "No answer for this batch item", f"bId {item.bid}"),
                unanswered=True,
            )
        elif isinstance(answer.get("Fault"), dict):
            results[item.bid] = BatchResult(item.bid, error=error_from_batch_fault(answer["Fault"]))
        elif item.query is not None:
            results[item.bid] = BatchResult(item.bid, query_response=answer.get("QueryResponse") or {})
        else:
            assert item.kind is not None
            entity = answer.get(item.kind)
            if isinstance(entity, dict):
                results[item.bid] = BatchResult(item.bid, entity=entity)
            else:
                results[item.bid] = BatchResult(
                    item.bid, error=QboFault("batch", f"The answer carries no {item.kind}", f"bId {item.bid}")
                )
    return results
