"""The queries the webhook needs: which company a realm is, and which mapping a QBO record is."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import Mapping, QboConnection

__all__ = ["companies_by_realm", "mapping_of"]

TARGET = "qbo"


async def companies_by_realm(session: AsyncSession, realm_ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(realm_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(QboConnection.realm_id, QboConnection.company_id).where(QboConnection.realm_id.in_(wanted))
    )
    return {realm: company for realm, company in rows.all()}


async def mapping_of(session: AsyncSession, company_id: str, kind: str, qb_id: str) -> Mapping | None:
    return await session.scalar(
        select(Mapping)
        .where(
            Mapping.company_id == company_id,
            Mapping.target == TARGET,
            Mapping.kind == kind,
            Mapping.qb_id == qb_id,
        )
        .order_by(Mapping.id)
        .limit(1)
    )
