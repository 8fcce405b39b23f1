"""Sending an order again with changes: the latest send wins, and the answer says how."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from espqb.db import Database
from espqb.db.models import AuditEntry, JobStatus, SendJob
from espqb.orders.examples import a7102_request
from espqb.queue import JobOutcome, complete
from qbwc_gateway.app import create_app
from tests.qbwc.harness import ACCOUNTS
from tests.support.api import auth, running, service_settings

URL = "/v1/orders/10245/send"


def a7102(quantity: str = "100") -> dict[str, Any]:
    body = a7102_request().model_dump(mode="json")
    body["order"]["lines"][0]["quantity"] = quantity
    return body


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The QuickBooks Desktop service: its sends wait for the Web Connector, so they can be re-sent."""
    async with running(create_app, service_settings(database_url)) as (_app, http):
        yield http


async def _install(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/integration/install", headers=auth(), json={"product": "qbd"})
    assert response.status_code == 200
    settings = {"default_accounts": ACCOUNTS}
    assert (await client.put("/v1/settings", headers=auth(), json=settings)).status_code == 200


async def _jobs(db: Database) -> list[SendJob]:
    async with db.sessions() as session:
        return list((await session.scalars(select(SendJob).order_by(SendJob.created_at))).all())


async def _events(db: Database, job_id: str) -> list[str]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry.event).where(AuditEntry.job_id == uuid.UUID(job_id)).order_by(AuditEntry.id)
        )
        return list(rows)


async def _under_way(db: Database, job_id: str) -> None:
    """The Web Connector took the job: its message set is out."""
    async with db.transaction() as session:
        await session.execute(
            update(SendJob)
            .where(SendJob.id == uuid.UUID(job_id))
            .values(status=JobStatus.RUNNING, attempts=1, lease_owner="qbwc:test")
        )


async def test_a_changed_resend_of_a_waiting_order_takes_its_place(
    client: httpx.AsyncClient, database_url: str
) -> None:
    await _install(client)
    db = Database.from_url(database_url)
    try:
        first = await client.post(URL, headers=auth(), json=a7102())
        changed = await client.post(URL, headers=auth(user="bob"), json=a7102("200"))
        again = await client.post(URL, headers=auth(), json=a7102("200"))

        assert (first.status_code, first.json()["disposition"]) == (202, "queued")
        assert (changed.status_code, changed.json()["disposition"]) == (202, "replaced_queued")
        assert (again.status_code, again.json()["disposition"]) == (200, "unchanged")
        assert first.json()["id"] == changed.json()["id"] == again.json()["id"]
        [job] = await _jobs(db)
        assert job.payload["order"]["lines"][0]["quantity"] == "200"
        assert job.requested_by == "bob"
        assert await _events(db, first.json()["id"]) == ["job.enqueued", "job.send_replaced"]
    finally:
        await db.dispose()


async def test_a_changed_resend_while_the_send_is_under_way_follows_it(
    client: httpx.AsyncClient, database_url: str
) -> None:
    await _install(client)
    db = Database.from_url(database_url)
    try:
        first = (await client.post(URL, headers=auth(), json=a7102())).json()
        await _under_way(db, first["id"])

        follow = await client.post(URL, headers=auth(), json=a7102("200"))
        later = await client.post(URL, headers=auth(), json=a7102("300"))
        same = await client.post(URL, headers=auth(), json=a7102("300"))

        assert (follow.status_code, follow.json()["disposition"]) == (202, "follow_up_queued")
        assert follow.json()["status"] == "waiting_for_previous_send"
        assert follow.json()["id"] != first["id"]
        assert (later.status_code, later.json()["disposition"]) == (202, "follow_up_queued")
        assert later.json()["id"] == follow.json()["id"]
        assert (same.status_code, same.json()["disposition"]) == (200, "unchanged")
        running, waiting = await _jobs(db)
        assert running.payload["order"]["lines"][0]["quantity"] == "100"
        assert waiting.payload["order"]["lines"][0]["quantity"] == "300"
        assert await _events(db, follow.json()["id"]) == ["job.follow_up_queued", "job.send_replaced"]

        # The first send finishes: the follow-up waits for the next Web Connector session.
        assert await complete(db, running.id, "qbwc:test", JobOutcome.succeeded(), attempt=1)
        after = (await client.get(f"/v1/jobs/{follow.json()['id']}", headers=auth())).json()
        assert after["status"] == "waiting_for_web_connector"
    finally:
        await db.dispose()


async def test_a_follow_up_can_be_cancelled_and_the_key_still_names_one_request(
    client: httpx.AsyncClient, database_url: str
) -> None:
    await _install(client)
    db = Database.from_url(database_url)
    try:
        first = (await client.post(URL, headers=auth(), json=a7102())).json()
        await _under_way(db, first["id"])
        keyed = {**auth(), "Idempotency-Key": "resend-1"}
        follow = (await client.post(URL, headers=keyed, json=a7102("200"))).json()
        reused = await client.post(URL, headers=keyed, json=a7102("300"))
        cancelled = await client.post(f"/v1/jobs/{follow['id']}/cancel", headers=auth())

        assert reused.status_code == 409
        assert reused.json()["type"].endswith("/idempotency-key-reused")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        _, waiting = await _jobs(db)
        assert waiting.payload["order"]["lines"][0]["quantity"] == "200"
    finally:
        await db.dispose()


async def test_concurrent_resends_while_under_way_keep_one_follow_up_with_a_sent_body(
    client: httpx.AsyncClient, database_url: str
) -> None:
    await _install(client)
    db = Database.from_url(database_url)
    try:
        first = (await client.post(URL, headers=auth(), json=a7102())).json()
        await _under_way(db, first["id"])
        quantities = [str(200 + n) for n in range(6)]

        responses = await asyncio.gather(
            *(client.post(URL, headers=auth(), json=a7102(q)) for q in quantities)
        )

        assert {(r.status_code, r.json()["disposition"]) for r in responses} == {(202, "follow_up_queued")}
        assert len({r.json()["id"] for r in responses}) == 1
        _, waiting = await _jobs(db)
        # Every send was applied in turn (one created the follow-up, each later one replaced its
        # body, audited): the follow-up carries the one applied last, never an older one.
        events = await _events(db, str(waiting.id))
        assert events == ["job.follow_up_queued"] + ["job.send_replaced"] * (len(quantities) - 1)
        assert waiting.payload["order"]["lines"][0]["quantity"] in quantities
        last = await client.post(
            URL, headers=auth(), json=a7102(waiting.payload["order"]["lines"][0]["quantity"])
        )
        assert last.json()["disposition"] == "unchanged"
    finally:
        await db.dispose()
