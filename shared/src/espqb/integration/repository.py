"""Every query about companies, integrations and settings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import Company, Integration, IntegrationSettings


async def ensure_company(session: AsyncSession, company_id: str) -> None:
    """Companies exist from their first authenticated request on (the id comes from ESP's token)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(insert(Company).values(id=company_id).on_conflict_do_nothing(index_elements=["id"]))


async def get_integration(session: AsyncSession, company_id: str) -> Integration | None:
    return await session.get(Integration, company_id)


async def get_settings_row(session: AsyncSession, company_id: str) -> IntegrationSettings | None:
    return await session.get(IntegrationSettings, company_id)


async def installed_companies(session: AsyncSession, product: str) -> list[str]:
    rows = await session.scalars(
        select(Integration.company_id).where(
            Integration.product == product, Integration.status == "installed"
        )
    )
    return list(rows)
