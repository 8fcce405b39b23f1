"""TokenProvider against the Intuit sandbox: refresh ahead of expiry, single-flight across tasks and
processes, rotated refresh tokens persisted, invalid_grant → needs re-authorisation (held, notified)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from espqb.config import Settings
from espqb.db import Database
from espqb.security.crypto import SecretBox
from qb_sandbox.intuit import DEMO_REALM_ID, TOKEN_ENDPOINT, IntuitSandbox, create_intuit_app
from qbo_gateway.connection import NeedsReauthorization, NotConnected, TokenProvider, TokenRefreshUnavailable
from qbo_gateway.connection.oauth import IntuitOAuth
from tests.notifications.outbox_support import outbox
from tests.qbo.connection.connection_support import (
    connection_row,
    dump_database,
    job_status,
    queue_qbo_send,
    seed_connection,
    seed_installed_company,
)


class SlowTokenEndpoint(httpx.AsyncBaseTransport):
    """The sandbox, with Intuit's token endpoint taking a while to answer: long enough that every
    concurrent caller arrives while the first refresh is still in flight."""

    def __init__(self, sandbox: IntuitSandbox, delay_seconds: float = 0.3) -> None:
        self._inner = httpx.ASGITransport(app=create_intuit_app(sandbox))
        self._delay = delay_seconds

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tokens/bearer"):
            await asyncio.sleep(self._delay)
        return await self._inner.handle_async_request(request)


class RecordingTransport(httpx.AsyncBaseTransport):
    """The sandbox in-process, keeping every token-endpoint request for inspection."""

    def __init__(self, sandbox: IntuitSandbox) -> None:
        self._inner = httpx.ASGITransport(app=create_intuit_app(sandbox))
        self.token_requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tokens/bearer"):
            await request.aread()
            self.token_requests.append(request)
        return await self._inner.handle_async_request(request)


async def _company_info_status(sandbox: IntuitSandbox, access_token: str) -> int:
    transport = httpx.ASGITransport(app=create_intuit_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url="https://intuit.test") as http:
        response = await http.get(
            f"/v3/company/{DEMO_REALM_ID}/companyinfo/{DEMO_REALM_ID}",
            params={"minorversion": "75"},
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
    return response.status_code


async def test_a_fresh_token_is_handed_out_without_calling_intuit(
    db: Database, box: SecretBox, sandbox: IntuitSandbox, provider: TokenProvider
) -> None:
    grant = await seed_connection(db, box, sandbox)
    sandbox.advance(3600 - 6 * 60)  # six minutes left: outside the five-minute margin
    credentials = await provider.credentials("acme")
    assert credentials.access_token == grant.access_token
    assert credentials.realm_id == DEMO_REALM_ID
    assert sandbox.refresh_calls == 0
    assert grant.access_token not in repr(credentials)


async def test_fifty_concurrent_sends_with_an_expired_token_cause_one_refresh(
    db: Database, box: SecretBox, sandbox: IntuitSandbox, settings: Settings
) -> None:
    grant = await seed_connection(db, box, sandbox)
    sandbox.advance(3601)
    oauth = IntuitOAuth(settings, transport=SlowTokenEndpoint(sandbox))
    provider = TokenProvider(db, settings, box, oauth, sandbox.now)
    try:
        results = await asyncio.gather(*(provider.credentials("acme") for _ in range(50)))
    finally:
        await oauth.aclose()
    assert sandbox.refresh_calls == 1
    tokens = {c.access_token for c in results}
    assert len(tokens) == 1 and grant.access_token not in tokens
    assert await _company_info_status(sandbox, tokens.pop()) == 200


async def test_two_processes_refreshing_at_once_cause_one_refresh(
    db: Database, database_url: str, box: SecretBox, sandbox: IntuitSandbox, settings: Settings
) -> None:
    """Two providers on separate engines and OAuth clients stand for two gateway processes: the row
    lock makes the second wait and reuse the first one's refresh."""
    await seed_connection(db, box, sandbox)
    sandbox.advance(3601)
    other_db = Database.from_url(database_url)
    transport = SlowTokenEndpoint(sandbox)
    first_oauth, second_oauth = (
        IntuitOAuth(settings, transport=transport),
        IntuitOAuth(settings, transport=transport),
    )
    first = TokenProvider(db, settings, box, first_oauth, sandbox.now)
    second = TokenProvider(other_db, settings, box, second_oauth, sandbox.now)
    try:
        results = await asyncio.gather(
            *(provider.credentials("acme") for _ in range(25) for provider in (first, second))
        )
    finally:
        await other_db.dispose()
        await first_oauth.aclose()
        await second_oauth.aclose()
    assert sandbox.refresh_calls == 1
    assert len({c.access_token for c in results}) == 1


async def test_the_rotated_refresh_token_is_stored_and_used_next_time(
    db: Database, box: SecretBox, sandbox: IntuitSandbox, settings: Settings
) -> None:
    grant = await seed_connection(db, box, sandbox)
    hard_before = (await connection_row(db)).refresh_hard_expires_at  # type: ignore[union-attr]
    transport = RecordingTransport(sandbox)
    oauth = IntuitOAuth(settings, transport=transport)
    provider = TokenProvider(db, settings, box, oauth, sandbox.now)
    sandbox.advance(3601)
    await provider.credentials("acme")
    [refresh] = transport.token_requests
    form = dict(httpx.QueryParams(refresh.content.decode()))
    # docs/quickbooks-online.md §1.4
    assert refresh.headers["x-include-refresh-token-hard-expires-in"] == "true"
    assert refresh.headers["authorization"].startswith("Basic ")
    assert form == {"grant_type": "refresh_token", "refresh_token": grant.refresh_token}
    row = await connection_row(db)
    assert row is not None and row.refresh_token_enc is not None
    assert box.decrypt(row.refresh_token_enc) != grant.refresh_token
    assert row.last_refresh_at == sandbox.now()
    assert (
        hard_before is not None and row.refresh_hard_expires_at == hard_before
    )  # Intuit's cap does not move
    # Two days later the first refresh token would be refused (superseded for more than 24 h,
    # docs/quickbooks-online.md §1.4); refreshing works because the newest one was kept.
    sandbox.advance(2 * 24 * 3600)
    credentials = await provider.credentials("acme")
    await oauth.aclose()
    assert sandbox.refresh_calls == 2
    assert await _company_info_status(sandbox, credentials.access_token) == 200


async def test_stored_rows_hold_no_readable_token(
    db: Database, box: SecretBox, sandbox: IntuitSandbox, provider: TokenProvider
) -> None:
    grant = await seed_connection(db, box, sandbox)
    sandbox.advance(3601)
    fresh = await provider.credentials("acme")
    row = await connection_row(db)
    assert row is not None and row.refresh_token_enc is not None
    latest_refresh = box.decrypt(row.refresh_token_enc)
    raw = await dump_database(db)
    for secret in (grant.access_token, grant.refresh_token, fresh.access_token, latest_refresh):
        assert secret[4:24] not in raw


async def test_invalid_grant_holds_queued_sends_and_notifies_admins_at_once(
    db: Database, box: SecretBox, sandbox: IntuitSandbox, provider: TokenProvider
) -> None:
    await seed_connection(db, box, sandbox)
    job_id = await queue_qbo_send(db)
    sandbox.disconnect(DEMO_REALM_ID)  # the user disconnected the app inside QuickBooks
    sandbox.advance(3601)

    with pytest.raises(NeedsReauthorization):
        await provider.credentials("acme")

    row = await connection_row(db)
    assert row is not None and row.status == "needs_reauth"
    assert "invalid_grant" in (row.last_error or "")
    status, reason = await job_status(db, job_id)
    assert status == "held" and "re-authorised" in (reason or "")
    notes = await outbox(db, "acme")
    assert sorted((n.kind, n.channel, n.recipient) for n in notes) == [
        ("qbo.reauth_required", "email", "ann@acme.example"),
        ("qbo.reauth_required", "email", "bob@acme.example"),
        ("qbo.reauth_required", "webhook", "http://127.0.0.1:9/esp/hooks"),
    ]
    assert notes[0].payload["held_jobs"] == 1

    # Later sends learn it without asking Intuit again, and nobody is told twice.
    with pytest.raises(NeedsReauthorization):
        await provider.credentials("acme")
    assert sandbox.refresh_calls == 1
    assert len(await outbox(db, "acme")) == 3


async def test_a_401_makes_one_refresh_and_a_stale_401_none(
    db: Database, box: SecretBox, sandbox: IntuitSandbox, provider: TokenProvider
) -> None:
    grant = await seed_connection(db, box, sandbox)
    retried = await asyncio.gather(
        *(provider.after_unauthorized("acme", grant.access_token) for _ in range(10))
    )
    assert sandbox.refresh_calls == 1
    fresh = retried[0].access_token
    assert {c.access_token for c in retried} == {fresh} and fresh != grant.access_token
    # A request that was still using the old token gets the new one, without another refresh.
    late = await provider.after_unauthorized("acme", grant.access_token)
    assert late.access_token == fresh and sandbox.refresh_calls == 1


async def test_mark_needs_reauthorization_holds_and_notifies_once(
    db: Database, box: SecretBox, sandbox: IntuitSandbox, provider: TokenProvider
) -> None:
    await seed_connection(db, box, sandbox)
    job_id = await queue_qbo_send(db)
    reason = "Intuit still answers 401 with a fresh access token."
    await asyncio.gather(*(provider.mark_needs_reauthorization("acme", reason) for _ in range(3)))
    assert (await job_status(db, job_id))[0] == "held"
    assert len(await outbox(db, "acme")) == 3
    with pytest.raises(NeedsReauthorization, match="401"):
        await provider.credentials("acme")


async def test_intuit_down_keeps_the_connection_and_reports_a_passing_problem(
    db: Database, box: SecretBox, sandbox: IntuitSandbox, provider: TokenProvider
) -> None:
    await seed_connection(db, box, sandbox)
    sandbox.advance(3601)
    sandbox.inject_next(TOKEN_ENDPOINT, 503)
    with pytest.raises(TokenRefreshUnavailable):
        await provider.credentials("acme")
    row = await connection_row(db)
    assert row is not None and row.status == "connected"
    assert "503" in (row.last_error or "")
    assert await outbox(db, "acme") == []
    credentials = await provider.credentials("acme")  # Intuit is back
    assert await _company_info_status(sandbox, credentials.access_token) == 200
    assert (await connection_row(db)).last_error is None  # type: ignore[union-attr]


async def test_refresh_failing_while_the_token_is_still_valid_keeps_using_it(
    db: Database, box: SecretBox, sandbox: IntuitSandbox, provider: TokenProvider
) -> None:
    grant = await seed_connection(db, box, sandbox)
    sandbox.advance(3600 - 120)  # inside the refresh margin, not yet expired
    sandbox.inject_next(TOKEN_ENDPOINT, 500)
    credentials = await provider.credentials("acme")
    assert credentials.access_token == grant.access_token


async def test_a_company_that_never_connected_gets_not_connected(
    db: Database, provider: TokenProvider
) -> None:
    await seed_installed_company(db)
    with pytest.raises(NotConnected):
        await provider.credentials("acme")
