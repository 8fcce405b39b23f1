"""Connecting through the API and Intuit's consent page (the sandbox on a loopback port), the callback
pages for every failure, different books, disconnect and uninstall."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from espqb.api.deps import gateway_state
from espqb.db import Database
from espqb.db.models import AuditEntry, Mapping, OAuthState
from espqb.db.types import utcnow
from espqb.security.crypto import SecretBox
from qb_sandbox.intuit import DEMO_REALM_ID, TOKEN_ENDPOINT, IntuitSandbox
from qbo_gateway.state import QboState
from tests.qbo.connection.connection_support import (
    CLIENT_ID,
    REDIRECT_URI,
    connection_row,
    consent,
    dump_database,
    install_qbo,
    outcome,
    sign_in,
    start_connect,
)
from tests.support.api import auth


async def _connected(client: httpx.AsyncClient, intuit: httpx.AsyncClient) -> httpx.Response:
    await install_qbo(client)
    page = await sign_in(client, intuit)
    assert page.status_code == 200, page.text
    return page


async def test_connect_url_asks_intuit_for_accounting_with_a_single_use_state(
    client: httpx.AsyncClient, db: Database, intuit_url: str
) -> None:
    await install_qbo(client)
    url = urlsplit(await start_connect(client))
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{intuit_url}/connect/oauth2"
    assert query["scope"] == "com.intuit.quickbooks.accounting"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == REDIRECT_URI
    assert query["response_type"] == "code"
    async with db.sessions() as session:
        [state] = (await session.scalars(select(OAuthState))).all()
    assert (state.company_id, state.user_id, state.used_at) == ("acme", "alice", None)
    assert state.state_hash != query["state"]  # only the hash is stored
    assert timedelta(minutes=9) < state.expires_at - utcnow() <= timedelta(minutes=10)


async def test_only_admins_connect_and_only_when_qbo_is_installed(client: httpx.AsyncClient) -> None:
    not_installed = await client.post("/v1/qbo/connect", headers=auth())
    assert not_installed.status_code == 409
    await install_qbo(client)
    user = await client.post("/v1/qbo/connect", headers=auth(user="ulrich", roles=["user"]))
    assert user.status_code == 403


async def test_connecting_stores_an_encrypted_connection_and_names_the_company(
    gateway: tuple[FastAPI, httpx.AsyncClient],
    intuit: httpx.AsyncClient,
    db: Database,
    live_sandbox: IntuitSandbox,
) -> None:
    app, client = gateway
    page = await _connected(client, intuit)
    assert outcome(page) == "connected"
    assert "ESP Demo Promotions" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["content-type"].startswith("text/html")

    shown = (await client.get("/v1/qbo/connection", headers=auth(user="ulrich", roles=["user"]))).json()
    assert shown["status"] == "connected"
    assert (shown["realm_id"], shown["company_name"]) == (DEMO_REALM_ID, "ESP Demo Promotions")
    assert {d["kind"] for d in shown["deadlines"]} == {"policy", "refresh_rolling", "refresh_hard"}
    # Right after connecting, Intuit's 100-day refresh expiry comes first (the policy is 180 days).
    assert shown["reauthorize_by"]["kind"] == "refresh_rolling"
    assert shown["reauthorize_by"]["days_left"] in (99, 100)
    assert shown["reminder_due"] is False
    assert "token" not in str(shown).lower()

    # The tokens work at Intuit and appear nowhere in the database as they are.
    row = await connection_row(db)
    assert row is not None and row.access_token_enc is not None and row.refresh_token_enc is not None
    box: SecretBox = app.state.ctx.secret_box
    access, refresh = box.decrypt(row.access_token_enc), box.decrypt(row.refresh_token_enc)
    raw = await dump_database(db)
    assert access[4:24] not in raw and refresh[4:24] not in raw
    assert row.refresh_hard_expires_at is not None  # asked for with x-include-refresh-token-hard-expires-in
    assert live_sandbox.oauth.has_live_grant(DEMO_REALM_ID)
    info = await intuit.get(
        f"/v3/company/{DEMO_REALM_ID}/companyinfo/{DEMO_REALM_ID}",
        params={"minorversion": "75"},
        headers={"Authorization": f"Bearer {access}", "Accept": "application/json"},
    )
    assert info.status_code == 200


async def test_a_state_not_issued_by_us_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, intuit: httpx.AsyncClient, db: Database, live_sandbox: IntuitSandbox
) -> None:
    await install_qbo(client)
    location = await consent(intuit, await start_connect(client))
    forged = location.replace("state=", "state=x")
    page = await client.get(forged)
    assert (page.status_code, outcome(page)) == (400, "state-unknown")
    missing = await client.get("/v1/qbo/callback", params={"code": "abc", "realmId": DEMO_REALM_ID})
    assert (missing.status_code, outcome(missing)) == (400, "state-missing")
    assert await connection_row(db) is None
    assert live_sandbox.token_calls == 0


async def test_an_expired_state_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, intuit: httpx.AsyncClient, db: Database, live_sandbox: IntuitSandbox
) -> None:
    await install_qbo(client)
    location = await consent(intuit, await start_connect(client))
    async with db.transaction() as session:
        await session.execute(update(OAuthState).values(expires_at=utcnow() - timedelta(seconds=1)))
    page = await client.get(location)
    assert (page.status_code, outcome(page)) == (400, "state-expired")
    assert "10 minutes" in page.text
    assert await connection_row(db) is None
    assert live_sandbox.token_calls == 0


async def test_a_replayed_callback_is_refused_without_spending_the_code_again(
    client: httpx.AsyncClient, intuit: httpx.AsyncClient, db: Database, live_sandbox: IntuitSandbox
) -> None:
    await install_qbo(client)
    location = await consent(intuit, await start_connect(client))
    assert outcome(await client.get(location)) == "connected"
    replay = await client.get(location)
    assert (replay.status_code, outcome(replay)) == (400, "state-used")
    # Exchanging a code twice would make Intuit revoke the tokens
    # (docs/quickbooks-online.md §1.3): it was not tried.
    assert live_sandbox.token_calls == 1
    assert live_sandbox.oauth.has_live_grant(DEMO_REALM_ID)
    row = await connection_row(db)
    assert row is not None and row.status == "connected"


async def test_cancel_at_intuit_shows_a_clear_page_and_stores_nothing(
    client: httpx.AsyncClient, intuit: httpx.AsyncClient, db: Database
) -> None:
    await install_qbo(client)
    page = await sign_in(client, intuit, action="cancel")
    assert (page.status_code, outcome(page)) == (400, "access-denied")
    assert "cancelled" in page.text
    assert await connection_row(db) is None


async def test_a_failed_code_exchange_shows_a_clear_page_and_stores_nothing(
    client: httpx.AsyncClient, intuit: httpx.AsyncClient, db: Database, live_sandbox: IntuitSandbox
) -> None:
    await install_qbo(client)
    live_sandbox.inject_next(TOKEN_ENDPOINT, 500)
    page = await sign_in(client, intuit)
    assert (page.status_code, outcome(page)) == (502, "exchange-failed")
    assert "HTTP 500" in page.text
    assert await connection_row(db) is None


async def test_different_books_need_an_explicit_confirmation(
    gateway: tuple[FastAPI, httpx.AsyncClient],
    client: httpx.AsyncClient,
    intuit: httpx.AsyncClient,
    db: Database,
    live_sandbox: IntuitSandbox,
) -> None:
    forgotten: list[str] = []
    gateway_state(gateway[0].state.ctx, QboState).connection.books_changed.append(forgotten.append)
    await _connected(client, intuit)
    other_realm = live_sandbox.add_company("Other Books LLC")
    async with db.transaction() as session:
        session.add(Mapping(company_id="acme", target="qbo", kind="customer", esp_key="C-1", qb_id="58"))

    refused = await sign_in(client, intuit, realm_id=other_realm)
    assert (refused.status_code, outcome(refused)) == (409, "realm-change-needs-confirmation")
    assert "ESP Demo Promotions" in refused.text and other_realm in refused.text
    assert "confirm_realm_change" in refused.text
    assert live_sandbox.token_calls == 1  # the other books' code was never exchanged
    assert (await connection_row(db)).realm_id == DEMO_REALM_ID  # type: ignore[union-attr]

    confirmed = await sign_in(client, intuit, realm_id=other_realm, confirm_realm_change=True)
    assert (confirmed.status_code, outcome(confirmed)) == (200, "connected")
    assert "Other Books LLC" in confirmed.text
    row = await connection_row(db)
    assert row is not None and (row.realm_id, row.company_name) == (other_realm, "Other Books LLC")
    async with db.sessions() as session:
        assert (await session.scalars(select(Mapping))).all() == []
        events = (await session.scalars(select(AuditEntry.event))).all()
    assert "qbo.realm_changed" in events
    assert forgotten == ["acme"]  # caches about the old books (lookups) were dropped


async def test_reconnecting_the_same_books_needs_no_confirmation_and_keeps_links(
    client: httpx.AsyncClient, intuit: httpx.AsyncClient, db: Database
) -> None:
    await _connected(client, intuit)
    first = await connection_row(db)
    async with db.transaction() as session:
        session.add(Mapping(company_id="acme", target="qbo", kind="customer", esp_key="C-1", qb_id="58"))
    again = await sign_in(client, intuit)
    assert outcome(again) == "connected"
    row = await connection_row(db)
    assert first is not None and row is not None
    assert row.connected_at == first.connected_at and row.reauthorized_at > first.reauthorized_at
    async with db.sessions() as session:
        assert len((await session.scalars(select(Mapping))).all()) == 1


async def test_disconnect_revokes_at_intuit_and_deletes_the_tokens(
    client: httpx.AsyncClient, intuit: httpx.AsyncClient, db: Database, live_sandbox: IntuitSandbox
) -> None:
    await _connected(client, intuit)
    assert (
        await client.post("/v1/qbo/disconnect", headers=auth(user="ulrich", roles=["user"]))
    ).status_code == 403
    response = await client.post("/v1/qbo/disconnect", headers=auth())
    assert response.status_code == 200, response.text
    assert response.json()["revoked_at_intuit"] is True
    assert response.json()["status"] == "disconnected"
    assert not live_sandbox.oauth.has_live_grant(DEMO_REALM_ID)
    row = await connection_row(db)
    assert row is not None and row.access_token_enc is None and row.refresh_token_enc is None
    shown = (await client.get("/v1/qbo/connection", headers=auth())).json()
    assert (shown["status"], shown["realm_id"], shown["deadlines"]) == ("disconnected", DEMO_REALM_ID, [])


async def test_disconnect_without_a_connection_is_409(client: httpx.AsyncClient) -> None:
    await install_qbo(client)
    response = await client.post("/v1/qbo/disconnect", headers=auth())
    assert response.status_code == 409
    assert response.json()["type"].endswith("/qbo-not-connected")
    assert (await client.get("/v1/qbo/connection", headers=auth())).json()["status"] == "not_connected"


async def test_uninstall_revokes_and_deletes_the_tokens(
    client: httpx.AsyncClient, intuit: httpx.AsyncClient, db: Database, live_sandbox: IntuitSandbox
) -> None:
    await _connected(client, intuit)
    response = await client.post("/v1/integration/uninstall", headers=auth())
    assert response.status_code == 200, response.text
    assert not live_sandbox.oauth.has_live_grant(DEMO_REALM_ID)
    row = await connection_row(db)
    assert row is not None and row.refresh_token_enc is None and row.status == "disconnected"


async def test_books_that_refuse_the_new_token_leave_nothing_authorised(
    client: httpx.AsyncClient, intuit: httpx.AsyncClient, db: Database, live_sandbox: IntuitSandbox
) -> None:
    await install_qbo(client)
    live_sandbox.inject_next(DEMO_REALM_ID, 403)  # e.g. production keys against a sandbox company
    page = await sign_in(client, intuit)
    assert (page.status_code, outcome(page)) == (502, "company-unreadable")
    assert "403" in page.text
    assert await connection_row(db) is None
    assert not live_sandbox.oauth.has_live_grant(DEMO_REALM_ID)  # the tokens were given back


async def test_uninstalled_during_sign_in_stores_nothing(
    client: httpx.AsyncClient, intuit: httpx.AsyncClient, db: Database, live_sandbox: IntuitSandbox
) -> None:
    await install_qbo(client)
    location = await consent(intuit, await start_connect(client))
    assert (await client.post("/v1/integration/uninstall", headers=auth())).status_code == 200
    page = await client.get(location)
    assert (page.status_code, outcome(page)) == (409, "not-installed")
    assert await connection_row(db) is None
    assert not live_sandbox.oauth.has_live_grant(DEMO_REALM_ID)


async def test_other_intuit_errors_are_named_on_the_page(client: httpx.AsyncClient, db: Database) -> None:
    await install_qbo(client)
    state = parse_qs(urlsplit(await start_connect(client)).query)["state"][0]
    page = await client.get(
        "/v1/qbo/callback",
        params={"state": state, "error": "invalid_scope", "error_description": "<b>scope</b> not allowed"},
    )
    assert (page.status_code, outcome(page)) == (400, "intuit-error")
    assert "invalid_scope" in page.text and "&lt;b&gt;scope&lt;/b&gt;" in page.text
    assert await connection_row(db) is None
