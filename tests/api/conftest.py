from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from espqb.db import Database
from espqb.db.models import QbdListEntry, QbwcCredential
from qbo_gateway.app import create_app
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.support.api import auth, running, service_settings


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app, service_settings(database_url)) as (_app, http):
        yield http


@pytest.fixture
async def desktop_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The qbwc-gateway, with QuickBooks Desktop installed for "acme" and its Web Connector user made."""
    async with running(create_qbwc_app, service_settings(database_url)) as (_app, http):
        installed = await http.post("/v1/integration/install", headers=auth(), json={"product": "qbd"})
        assert installed.status_code == 200
        # "Generate new password": the Web Connector user, where the list cache's state is kept.
        assert (await http.post("/v1/qbwc/password", headers=auth())).status_code == 200
        yield http


async def desktop_lists_read(database_url: str, customers: dict[str, str], company: str = "acme") -> None:
    """As if a Web Connector session had read the customer list: ListID → full name."""
    db = Database.from_url(database_url)
    try:
        async with db.transaction() as session:
            credential = await session.get(QbwcCredential, company)
            assert credential is not None
            credential.cache_refreshed_at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
            for list_id, name in customers.items():
                session.add(
                    QbdListEntry(company_id=company, list_type="Customer", list_id=list_id, full_name=name)
                )
    finally:
        await db.dispose()
