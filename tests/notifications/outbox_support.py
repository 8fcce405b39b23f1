"""Seeding a company whose admins want to hear about QuickBooks Online, and reading the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import IntegrationSettings, Notification
from espqb.integration.repository import ensure_company
from tests.support.api import service_settings


def notify_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"notify_webhook_url": "http://127.0.0.1:9/esp/hooks"}
    values.update(overrides)
    return service_settings(database_url, **values)


async def seed_company(db: Database, company_id: str = "acme", emails: list[str] | None = None) -> None:
    async with db.transaction() as session:
        await ensure_company(session, company_id)
        session.add(IntegrationSettings(company_id=company_id, notify_emails=emails or []))


async def outbox(db: Database, company_id: str | None = None) -> list[Notification]:
    async with db.sessions() as session:
        query = select(Notification).order_by(Notification.id)
        if company_id is not None:
            query = query.where(Notification.company_id == company_id)
        return list((await session.scalars(query)).all())
