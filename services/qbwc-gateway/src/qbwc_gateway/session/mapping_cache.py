"""The mappings one callback's jobs settle, read once per callback instead of once per operation.

A 100-order update settled about 900 operations, and each read its mapping (and, for a customer,
vendor or item, who holds the QuickBooks record) before writing it. The ``Conversation`` reads the
mappings of all the operations a callback will settle in one query (``load``); settling then
changes the rows in the session, and the session writes them together (SQLAlchemy batches the
inserts and updates of a flush). Most of what it needs, the plan of each job read already
(``seed``: the rows ``mappings.for_order`` returned); ``load`` reads the rest. What needs the owner check is left to ``espqb.mappings.upsert``:
a customer, vendor or item mapped to a QuickBooks record its ESP record does not hold yet.

The rows are the callback's session's own: nothing outlives the callback (another replica may
answer the next one).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import Mapping
from espqb.mappings.plan_bridge import mapping_target
from espqb.plan import ListEntryOp, Plan

Key = tuple[str, str]  # (kind, ESP key)
# ESP keys per query: well under SQLite's and asyncpg's bound-parameter limits.
CHUNK = 1000
_MAPPINGS = cast(Table, Mapping.__table__)
_COLUMNS = tuple(c.name for c in _MAPPINGS.columns if c.name != "id")


def plan_keys(plan: Plan, order_number: str) -> list[Key]:
    """The mappings settling ``plan``'s operations may write."""
    keys: list[Key] = []
    for op in plan.operations:
        if isinstance(op, ListEntryOp):
            continue  # not kept as mappings (``espqb.sending.recording``)
        kind, esp_key = mapping_target(op, order_number)
        keys.append((str(kind), esp_key))
    return keys


class MappingCache:
    def __init__(self, session: AsyncSession, company_id: str, target: str) -> None:
        self.session = session
        self.company_id = company_id
        self.target = target
        self._rows: dict[Key, Mapping | None] = {}
        self._new: dict[Key, Mapping] = {}

    async def load(self, keys: Iterable[Key]) -> None:
        """Read the mappings of ``keys`` not read yet, in one query per thousand ESP keys."""
        missing = list(dict.fromkeys(k for k in keys if k not in self._rows))
        if not missing:
            return
        wanted = set(missing)
        esp_keys = list(dict.fromkeys(esp_key for _, esp_key in missing))
        for start in range(0, len(esp_keys), CHUNK):
            rows = await self.session.scalars(
                select(Mapping).where(
                    Mapping.company_id == self.company_id,
                    Mapping.target == self.target,
                    Mapping.esp_key.in_(esp_keys[start : start + CHUNK]),
                )
            )
            for row in rows:
                key = (str(row.kind), row.esp_key)
                if key in wanted:
                    self._rows[key] = row
        for key in missing:
            self._rows.setdefault(key, None)

    def seed(self, keys: Iterable[Key], rows: Iterable[Mapping]) -> None:
        """What a plan's read of the mappings (``mappings.for_order``: the order's documents, its
        customer, vendors and items) says about ``keys``: the row, or none. Keys known already keep
        what the cache knows (it is at least as fresh)."""
        found = {(str(row.kind), row.esp_key): row for row in rows}
        for key in keys:
            if key not in self._rows:
                self._rows[key] = found.get(key)

    async def get(self, kind: str, esp_key: str) -> Mapping | None:
        key = (str(kind), esp_key)
        if key not in self._rows:
            await self.load([key])
        return self._rows[key]

    def put(self, kind: str, esp_key: str, row: Mapping) -> None:
        self._rows[(str(kind), esp_key)] = row

    def add(self, row: Mapping) -> None:
        """A new mapping (not in the session): handed out by ``get`` and changed in place until
        ``flush`` inserts it with the others."""
        key = (str(row.kind), row.esp_key)
        self._rows[key] = self._new[key] = row

    async def flush(self) -> None:
        """Insert the new mappings in one executemany; they are read again when next asked for."""
        if not self._new:
            return
        new, self._new = self._new, {}
        rows = [{column: getattr(row, column) for column in _COLUMNS} for row in new.values()]
        for row in rows:
            row["created_at"] = row["created_at"] or row["updated_at"]
        await self.session.execute(insert(_MAPPINGS), rows)
        for key in new:
            self._rows.pop(key, None)

    def forget(self, kind: str, esp_key: str) -> None:
        """Read it again next time (it was written another way)."""
        self._rows.pop((str(kind), esp_key), None)
