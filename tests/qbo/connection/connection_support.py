"""Helpers for the QuickBooks Online connection tests: seeding a connected company straight from the
Intuit sandbox, walking the real consent flow, and reading the database back raw."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select, text

from espqb.db import Database
from espqb.db.base import Base
from espqb.db.models import Integration, IntegrationSettings, JobStatus, QboConnection, SendJob
from espqb.integration.repository import ensure_company
from espqb.queue import enqueue_send
from espqb.security.crypto import SecretBox
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qbo_gateway.connection.oauth import TokenGrant
from qbo_gateway.connection.tokens import store_grant
from tests.support.api import auth

CLIENT_ID = "dev-client"
CLIENT_SECRET = "dev-secret"
REDIRECT_URI = "http://testserver/v1/qbo/callback"
ADMIN_EMAILS = ["ann@acme.example", "bob@acme.example"]


def grant_from(answer: dict[str, Any]) -> TokenGrant:
    return TokenGrant(
        access_token=answer["access_token"],
        refresh_token=answer["refresh_token"],
        access_expires_in=answer["expires_in"],
        refresh_expires_in=answer.get("x_refresh_token_expires_in"),
        refresh_hard_expires_in=answer.get("x_refresh_token_hard_expires_in"),
    )


async def seed_installed_company(
    db: Database, company_id: str = "acme", emails: list[str] | None = None
) -> None:
    async with db.transaction() as session:
        await ensure_company(session, company_id)
        session.add(Integration(company_id=company_id, product="qbo", status="installed"))
        session.add(
            IntegrationSettings(
                company_id=company_id, notify_emails=ADMIN_EMAILS if emails is None else emails
            )
        )


async def seed_connection(
    db: Database,
    box: SecretBox,
    sandbox: IntuitSandbox,
    *,
    company_id: str = "acme",
    realm_id: str = DEMO_REALM_ID,
    now: datetime | None = None,
) -> TokenGrant:
    """A connected company, as if its admin had just signed in (tokens from the sandbox)."""
    await seed_installed_company(db, company_id)
    grant = grant_from(sandbox.connect(CLIENT_ID, realm_id, include_hard_expiry=True))
    moment = now or sandbox.now()
    async with db.transaction() as session:
        row = QboConnection(
            company_id=company_id,
            realm_id=realm_id,
            company_name="ESP Demo Promotions",
            status="connected",
            connected_at=moment,
            reauthorized_at=moment,
        )
        store_grant(row, grant, box, requested_at=moment, new_authorisation=True)
        session.add(row)
    return grant


async def queue_qbo_send(db: Database, company_id: str = "acme", order_number: str = "10245") -> uuid.UUID:
    async with db.transaction() as session:
        result = await enqueue_send(
            session,
            company_id=company_id,
            order_number=order_number,
            target="qbo",
            payload={"order": order_number},
            requested_by="alice",
            initial_status=JobStatus.QUEUED,
        )
        return result.job.id


async def job_status(db: Database, job_id: uuid.UUID) -> tuple[str, str | None]:
    async with db.sessions() as session:
        job = await session.get(SendJob, job_id)
        assert job is not None
        return job.status, job.hold_reason


async def connection_row(db: Database, company_id: str = "acme") -> QboConnection | None:
    async with db.sessions() as session:
        return await session.scalar(select(QboConnection).where(QboConnection.company_id == company_id))


async def dump_database(db: Database) -> str:
    """Every row of every table as the database returns it (bytes shown as text too), for
    "no readable secret anywhere" checks."""
    parts: list[str] = []
    async with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in (await conn.execute(text(f"SELECT * FROM {table.name}"))).all():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        raw = bytes(value)
                        parts.append(raw.decode("latin-1"))
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


async def install_qbo(client: httpx.AsyncClient, company: str = "acme") -> None:
    response = await client.post(
        "/v1/integration/install", headers=auth(company=company), json={"product": "qbo"}
    )
    assert response.status_code == 200, response.text


async def start_connect(
    client: httpx.AsyncClient, *, confirm_realm_change: bool = False, company: str = "acme"
) -> str:
    body = {"confirm_realm_change": True} if confirm_realm_change else None
    response = await client.post("/v1/qbo/connect", headers=auth(company=company), json=body)
    assert response.status_code == 200, response.text
    url: str = response.json()["authorization_url"]
    return url


async def consent(
    intuit: httpx.AsyncClient,
    authorization_url: str,
    *,
    realm_id: str = DEMO_REALM_ID,
    action: str = "connect",
) -> str:
    """What the admin does at Intuit: open the consent page, choose the company, press the button.
    Returns where Intuit redirects the browser (our callback URL)."""
    page = await intuit.get(authorization_url)
    assert page.status_code == 200, page.text
    match = re.search(r'name="request_id" value="([^"]+)"', page.text)
    assert match, page.text
    answer = await intuit.post(
        str(page.url.join("/connect/oauth2")),
        data={"request_id": match.group(1), "action": action, "realm_id": realm_id},
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def sign_in(
    client: httpx.AsyncClient,
    intuit: httpx.AsyncClient,
    *,
    realm_id: str = DEMO_REALM_ID,
    action: str = "connect",
    confirm_realm_change: bool = False,
) -> httpx.Response:
    """Connect → Intuit's consent page → back to our callback, as the browser would."""
    location = await consent(
        intuit,
        await start_connect(client, confirm_realm_change=confirm_realm_change),
        realm_id=realm_id,
        action=action,
    )
    assert location.startswith(REDIRECT_URI), location
    return await client.get(location)


def outcome(page: httpx.Response) -> str:
    match = re.search(r'data-outcome="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)
