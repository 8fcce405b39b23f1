"""Every query on the QuickBooks Desktop list cache (``qbd_list_cache``). Only flushes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import QbdListEntry, QbwcCredential
from espqb.plan import TakenName

from .records import ITEM_TYPES, NAME_LIST_TYPES, CachedEntry

# Rows per executemany: a page is about 100 records.
_CHUNK = 200
_LIST_CACHE = cast(Table, QbdListEntry.__table__)


def _insert(session: AsyncSession) -> Any:
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def upsert_entries(session: AsyncSession, company_id: str, entries: Sequence[CachedEntry]) -> None:
    """Insert or overwrite each record, keyed by (company, list type, ListID)."""
    unique: dict[tuple[str, str], CachedEntry] = {(e.list_type, e.list_id): e for e in entries}
    rows = [
        {
            "company_id": company_id,
            "list_type": e.list_type,
            "list_id": e.list_id,
            "full_name": e.full_name[:300],
            "edit_sequence": e.edit_sequence,
            "is_active": e.is_active,
            "subtype": e.subtype,
            "data": e.data,
            "time_modified": e.time_modified,
        }
        for e in unique.values()
    ]
    if not rows:
        return
    # One executemany of a statement compiled once (SQLAlchemy caches it), not a multi-row VALUES
    # compiled afresh for every call.
    statement = _insert(session)(_LIST_CACHE)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["company_id", "list_type", "list_id"],
        set_={
            "full_name": excluded.full_name,
            "edit_sequence": excluded.edit_sequence,
            "is_active": excluded.is_active,
            "subtype": excluded.subtype,
            "data": excluded.data,
            "time_modified": excluded.time_modified,
        },
    )
    for start in range(0, len(rows), _CHUNK):
        await session.execute(statement, rows[start : start + _CHUNK])


async def clear(session: AsyncSession, company_id: str) -> None:
    await session.execute(delete(QbdListEntry).where(QbdListEntry.company_id == company_id))


async def taken_names(session: AsyncSession, company_id: str) -> tuple[list[TakenName], list[TakenName]]:
    """(names in the shared customer/vendor list, item names) the planner must not reuse blindly."""
    rows = await session.execute(
        select(QbdListEntry.list_type, QbdListEntry.full_name, QbdListEntry.list_id).where(
            QbdListEntry.company_id == company_id,
            QbdListEntry.list_type.in_([*NAME_LIST_TYPES, *ITEM_TYPES]),
        )
    )
    names: list[TakenName] = []
    items: list[TakenName] = []
    for list_type, full_name, list_id in rows:
        taken = TakenName(name=full_name, owner=None, quickbooks_id=list_id)
        (items if list_type in ITEM_TYPES else names).append(taken)
    return names, items


async def names_of(session: AsyncSession, company_id: str, list_types: Sequence[str]) -> set[str]:
    rows = await session.scalars(
        select(QbdListEntry.full_name).where(
            QbdListEntry.company_id == company_id, QbdListEntry.list_type.in_(list(list_types))
        )
    )
    return {name.casefold() for name in rows}


async def counts_by_type(session: AsyncSession, company_id: str) -> dict[str, int]:
    rows = await session.execute(
        select(QbdListEntry.list_type, func.count())
        .where(QbdListEntry.company_id == company_id)
        .group_by(QbdListEntry.list_type)
    )
    return {list_type: int(count) for list_type, count in rows}


async def search(
    session: AsyncSession,
    company_id: str,
    list_types: Sequence[str],
    *,
    q: str | None,
    subtype: str | None,
    type_filter: str | None,
    limit: int,
    offset: int,
) -> Sequence[QbdListEntry]:
    stmt = select(QbdListEntry).where(
        QbdListEntry.company_id == company_id, QbdListEntry.list_type.in_(list(list_types))
    )
    if q:
        stmt = stmt.where(QbdListEntry.full_name.ilike(f"%{_escape_like(q)}%", escape="\\"))
    if subtype:
        stmt = stmt.where(QbdListEntry.subtype == subtype)
    if type_filter:
        stmt = stmt.where(or_(QbdListEntry.list_type == type_filter, QbdListEntry.subtype == type_filter))
    stmt = stmt.order_by(QbdListEntry.full_name, QbdListEntry.id).limit(limit).offset(offset)
    return (await session.scalars(stmt)).all()


async def find_entry(
    session: AsyncSession, company_id: str, list_types: Sequence[str], list_id: str
) -> QbdListEntry | None:
    """The cached record with this ListID among ``list_types``, if QuickBooks had it at the last read."""
    return await session.scalar(
        select(QbdListEntry)
        .where(
            QbdListEntry.company_id == company_id,
            QbdListEntry.list_type.in_(list(list_types)),
            QbdListEntry.list_id == list_id,
        )
        .limit(1)
    )


async def refreshed_at(session: AsyncSession, company_id: str) -> datetime | None:
    """When the cache last finished reading QuickBooks (None: never)."""
    return await session.scalar(
        select(QbwcCredential.cache_refreshed_at).where(QbwcCredential.company_id == company_id)
    )


# Kept in the credential's JSON next to the pinned company file: the schema has no column for it.
LISTS_REQUESTED = "lists_requested_at"


async def request_lists(session: AsyncSession, company_id: str, *, now: datetime) -> None:
    """Mark that someone wants QuickBooks' lists: the next poll reads them even with no order."""
    credential = await session.get(QbwcCredential, company_id)
    if credential is None:
        return  # no Web Connector set up yet; the first session reads the lists anyway
    pinned = dict(credential.pinned_company or {})
    if not pinned.get(LISTS_REQUESTED):
        pinned[LISTS_REQUESTED] = now.isoformat()
        credential.pinned_company = pinned


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
