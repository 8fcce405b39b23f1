"""A lookup that calls QuickBooks must not hold the request's transaction: on SQLite that
transaction holds the write lock, and the provider's own transactions (e.g. a token refresh)
would wait on it until the busy timeout."""

from __future__ import annotations

import asyncio

from espqb.lookups.provider import LookupPage
from qbwc_gateway.app import create_app
from tests.support.api import auth, running, service_settings


class _WritingProvider:
    """Stands for a provider that writes in its own transaction (like a token refresh)."""

    async def lookup(self, db, company_id, kind, *, q, type_filter, limit, offset):  # type: ignore[no-untyped-def]
        from espqb.audit import record_audit

        async with db.transaction() as session:
            await record_audit(session, company_id, "test", "lookup.probe")
        return LookupPage(kind=kind, items=[], source="web_connector_cache", limit=limit, offset=offset)


async def test_lookup_provider_can_write_while_the_request_runs(database_url: str) -> None:
    async with running(create_app, service_settings(database_url)) as (app, api):
        await api.post("/v1/integration/install", headers=auth(), json={"product": "qbd"})
        app.state.ctx.lookups = _WritingProvider()
        response = await asyncio.wait_for(api.get("/v1/quickbooks/accounts", headers=auth()), timeout=10)
        assert response.status_code == 200, response.text
