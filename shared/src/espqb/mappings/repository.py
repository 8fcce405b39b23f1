"""Every query about mappings.

A QuickBooks record belongs to at most one ESP record per company, target and kind (the unique
constraint on ``qb_id``): ``upsert`` refuses, with ``RecordOwned``, to give another ESP record a
QuickBooks record that is already someone's, whether the owner was written long ago or by a
concurrent send a moment ago (the constraint decides then; a SAVEPOINT keeps the caller's
transaction usable).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import Mapping, MappingKind
from espqb.db.types import utcnow
from espqb.errors import EspqbError

# The list records an ESP record claims by name (customers, vendors, items): two sends may reach for
# the same one at the same moment.
CLAIMED_KINDS = frozenset({MappingKind.CUSTOMER, MappingKind.VENDOR, MappingKind.ITEM})


class RecordOwned(EspqbError):
    """The QuickBooks record is mapped to another ESP record (``owner``: its ESP key)."""

    slug, title = "quickbooks-record-owned", "The QuickBooks record belongs to another ESP record"

    def __init__(self, kind: str, qb_id: str, owner: str, qb_name: str | None = None) -> None:
        self.kind = kind
        self.qb_id = qb_id
        self.owner = owner
        self.qb_name = qb_name
        super().__init__(f"QuickBooks {kind} {qb_name or qb_id} already belongs to ESP record {owner}")


def payment_key(order_number: str, payment_id: str) -> str:
    return f"{order_number}#{payment_id}"


def supplier_doc_key(order_number: str, supplier_id: str) -> str:
    return f"{order_number}#{supplier_id}"


async def get(session: AsyncSession, company_id: str, target: str, kind: str, esp_key: str) -> Mapping | None:
    return await session.scalar(
        select(Mapping).where(
            Mapping.company_id == company_id,
            Mapping.target == target,
            Mapping.kind == kind,
            Mapping.esp_key == esp_key,
        )
    )


async def owner_of_record(
    session: AsyncSession, company_id: str, target: str, kind: str, qb_id: str
) -> Mapping | None:
    """The mapping that holds this QuickBooks record, if any."""
    return await session.scalar(
        select(Mapping).where(
            Mapping.company_id == company_id,
            Mapping.target == target,
            Mapping.kind == kind,
            Mapping.qb_id == qb_id,
        )
    )


async def upsert(
    session: AsyncSession,
    *,
    company_id: str,
    target: str,
    kind: str,
    esp_key: str,
    qb_id: str,
    qb_version: str | None = None,
    qb_name: str | None = None,
    qb_ref_number: str | None = None,
    order_number: str | None = None,
    origin: str = "created",
    job_id: str | None = None,
) -> Mapping:
    """Map ``esp_key`` to ``qb_id``. Raises ``RecordOwned`` when another ESP record holds the
    customer, vendor or item ``qb_id``."""
    values: dict[str, Any] = {
        "qb_version": qb_version,
        "qb_name": qb_name,
        "qb_ref_number": qb_ref_number,
        "order_number": order_number,
        "origin": origin,
        "job_id": job_id,
    }
    if kind not in CLAIMED_KINDS:
        # A document belongs to its order by construction; the constraint still guards it.
        return await _write(session, company_id, target, kind, esp_key, qb_id, **values)
    holder = await owner_of_record(session, company_id, target, kind, qb_id)
    if holder is not None:
        if holder.esp_key != esp_key:
            raise RecordOwned(kind, qb_id, holder.esp_key, holder.qb_name)
        return await _write(session, company_id, target, kind, esp_key, qb_id, **values)
    try:
        async with session.begin_nested():
            return await _write(session, company_id, target, kind, esp_key, qb_id, **values)
    except IntegrityError:
        # A concurrent transaction mapped this record (or this ESP record) first.
        holder = await owner_of_record(session, company_id, target, kind, qb_id)
        if holder is not None and holder.esp_key != esp_key:
            raise RecordOwned(kind, qb_id, holder.esp_key, holder.qb_name) from None
        raise


async def _write(
    session: AsyncSession,
    company_id: str,
    target: str,
    kind: str,
    esp_key: str,
    qb_id: str,
    *,
    qb_version: str | None,
    qb_name: str | None,
    qb_ref_number: str | None,
    order_number: str | None,
    origin: str,
    job_id: str | None,
) -> Mapping:
    row = await get(session, company_id, target, kind, esp_key)
    if row is None:
        row = Mapping(
            company_id=company_id, target=target, kind=kind, esp_key=esp_key, qb_id=qb_id, origin=origin
        )
        session.add(row)
    assign(
        row,
        qb_id=qb_id,
        qb_version=qb_version,
        qb_name=qb_name,
        qb_ref_number=qb_ref_number,
        order_number=order_number,
        origin=origin,
        job_id=job_id,
    )
    await session.flush()
    return row


def assign(
    row: Mapping,
    *,
    qb_id: str,
    qb_version: str | None,
    qb_name: str | None,
    qb_ref_number: str | None,
    order_number: str | None,
    origin: str,
    job_id: str | None,
) -> None:
    """Set on ``row`` what ``upsert`` records (for a caller that already holds the row and knows
    no other ESP record holds ``qb_id``; it flushes when it likes)."""
    row.qb_id = qb_id
    row.qb_version = qb_version
    if qb_name is not None:
        row.qb_name = qb_name
    if qb_ref_number is not None:
        row.qb_ref_number = qb_ref_number
    row.order_number = order_number if order_number is not None else row.order_number
    row.origin = origin
    row.last_job_id = job_id
    row.updated_at = utcnow()


async def remove(session: AsyncSession, company_id: str, target: str, kind: str, esp_key: str) -> bool:
    result = await session.execute(
        delete(Mapping).where(
            Mapping.company_id == company_id,
            Mapping.target == target,
            Mapping.kind == kind,
            Mapping.esp_key == esp_key,
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def remove_all(session: AsyncSession, company_id: str, target: str) -> None:
    """Forget every mapping to a QuickBooks company (used when the company changes books)."""
    await session.execute(delete(Mapping).where(Mapping.company_id == company_id, Mapping.target == target))


def _search(
    company_id: str, target: str | None, kind: str | None, order_number: str | None, q: str | None
) -> Select[Mapping]:
    stmt = select(Mapping).where(Mapping.company_id == company_id)
    if target:
        stmt = stmt.where(Mapping.target == target)
    if kind:
        stmt = stmt.where(Mapping.kind == kind)
    if order_number:
        stmt = stmt.where(Mapping.order_number == order_number)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Mapping.esp_key.ilike(like), Mapping.qb_name.ilike(like)))
    return stmt


async def search(
    session: AsyncSession,
    company_id: str,
    *,
    target: str | None = None,
    kind: str | None = None,
    order_number: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Mapping]:
    stmt = _search(company_id, target, kind, order_number, q).order_by(
        Mapping.kind, Mapping.esp_key, Mapping.id
    )
    return (await session.scalars(stmt.limit(limit).offset(offset))).all()


async def for_order(
    session: AsyncSession,
    company_id: str,
    target: str,
    order_number: str,
    customer_id: str,
    supplier_ids: Sequence[str],
    item_keys: Sequence[str],
) -> list[Mapping]:
    """Everything a plan for this order may reuse: the order's own documents, its customer, its
    suppliers' vendors and its items."""
    stmt = select(Mapping).where(
        Mapping.company_id == company_id,
        Mapping.target == target,
        or_(
            Mapping.order_number == order_number,
            (Mapping.kind == MappingKind.CUSTOMER) & (Mapping.esp_key == customer_id),
            (Mapping.kind == MappingKind.VENDOR) & Mapping.esp_key.in_(list(supplier_ids) or [""]),
            (Mapping.kind == MappingKind.ITEM) & Mapping.esp_key.in_(list(item_keys) or [""]),
        ),
    )
    return list((await session.scalars(stmt)).all())


async def names_taken(session: AsyncSession, company_id: str, target: str) -> list[Mapping]:
    """Customer, vendor and item mappings: the names this integration already holds in QuickBooks."""
    stmt = select(Mapping).where(
        Mapping.company_id == company_id,
        Mapping.target == target,
        Mapping.kind.in_([MappingKind.CUSTOMER, MappingKind.VENDOR, MappingKind.ITEM]),
        Mapping.qb_name.is_not(None),
    )
    return list((await session.scalars(stmt)).all())
