"""Every query about companies, integrations and settings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.base import Base
from espqb.db.insert_once import insert_once
from espqb.db.models import Integration, IntegrationSettings


async def ensure_company(session: AsyncSession, company_id: str) -> None:
    """Companies exist from their first authenticated request on (the id comes from ESP's token)."""
    await insert_once(session, Base.metadata.tables["companies"], {"id": company_id})


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
