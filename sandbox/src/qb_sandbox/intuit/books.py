"""One company's stored entities: ids, SyncTokens, timestamps, deletion — and how they are rendered.

Bodies are kept as the JSON Intuit would return, minus the envelope fields (``Id``, ``SyncToken``,
``MetaData``, ``domain``, ``sparse``) that ``render`` adds. Money inside bodies is Decimal.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import metadata_time
from .txn_math import jsonable

ENVELOPE_FIELDS = frozenset({"Id", "SyncToken", "MetaData", "domain", "sparse", "status"})


@dataclass(slots=True)
class Record:
    kind: str
    id: str
    sync_token: int
    created: datetime
    updated: datetime
    body: dict[str, Any]
    deleted: bool = False
    # Sandbox bookkeeping that Intuit does not show (e.g. a PO closed by hand rather than by billing).
    internal: dict[str, Any] = field(default_factory=dict)

    def render(self) -> dict[str, Any]:
        if self.deleted:
            return {"domain": "QBO", "status": "Deleted", "Id": self.id}
        rendered: dict[str, Any] = jsonable(self.body)
        rendered.update(
            {
                "domain": "QBO",
                "sparse": False,
                "Id": self.id,
                "SyncToken": str(self.sync_token),
                "MetaData": {
                    "CreateTime": metadata_time(self.created),
                    "LastUpdatedTime": metadata_time(self.updated),
                },
            }
        )
        return rendered


class Books:
    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._records: defaultdict[str, dict[str, Record]] = defaultdict(dict)
        self._last_id: defaultdict[str, int] = defaultdict(int)

    def _allocate_id(self, kind: str) -> str:
        # QBO ids are numeric strings, one sequence per entity type in a company.
        self._last_id[kind] += 1
        return str(self._last_id[kind])

    def insert(self, kind: str, body: dict[str, Any], entity_id: str | None = None) -> Record:
        now = self._now()
        if entity_id is None:
            entity_id = self._allocate_id(kind)
        elif entity_id.isdigit():
            self._last_id[kind] = max(self._last_id[kind], int(entity_id))
        record = Record(kind, entity_id, 0, now, now, body)
        self._records[kind][entity_id] = record
        return record

    def save(self, record: Record, body: dict[str, Any]) -> None:
        """A modification: SyncToken and LastUpdatedTime move on (docs/quickbooks-online.md §2.9)."""
        record.body = body
        record.sync_token += 1
        record.updated = self._now()

    def mark_deleted(self, record: Record) -> None:
        record.deleted = True
        record.sync_token += 1
        record.updated = self._now()

    def get(self, kind: str, entity_id: str) -> Record | None:
        return self._records[kind].get(entity_id)

    def records(self, kind: str, *, include_deleted: bool = False) -> list[Record]:
        found = self._records[kind].values()
        return [r for r in found if include_deleted or not r.deleted]

    def kinds(self) -> list[str]:
        return sorted(k for k, v in self._records.items() if v)

    def snapshot(self, kind: str) -> list[dict[str, Any]]:
        """Rendered copies of every live entity of a kind (for tests and the control API)."""
        return [copy.deepcopy(r.render()) for r in self.records(kind)]
