"""The "QB" button over HTTP: idempotent sends, jobs per company, permissions from the Details tab."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from espqb.db import Database
from espqb.db.models import QbwcCredential
from espqb.db.types import utcnow
from espqb.orders.examples import a7102_request
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.api.conftest import desktop_lists_read
from tests.support.api import auth, running, service_settings


def a7102(order_number: str = "10245") -> dict[str, Any]:
    body = a7102_request().model_dump(mode="json")
    body["order"]["order_number"] = order_number
    # QuickBooks needs an income account to create the items: without one the send is refused (409).
    body["choices"]["income_account"] = {"name": "Sales"}
    return body


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """These sends go to QuickBooks Desktop: through qbwc-gateway, the gateway that sends there."""
    async with running(create_qbwc_app, service_settings(database_url)) as (_app, http):
        yield http


async def _install(client: httpx.AsyncClient, company: str = "acme", product: str = "qbd") -> None:
    response = await client.post(
        "/v1/integration/install", headers=auth(company=company), json={"product": product}
    )
    assert response.status_code == 200


async def test_same_idempotency_key_twice_yields_one_job(client: httpx.AsyncClient) -> None:
    await _install(client)
    headers = {**auth(), "Idempotency-Key": "send-10245-1"}
    first = await client.post("/v1/orders/10245/send", headers=headers, json=a7102())
    second = await client.post("/v1/orders/10245/send", headers=headers, json=a7102())
    assert first.status_code == 202, first.text
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["status"] == "waiting_for_web_connector"
    assert first.json()["status_label"] == "Waiting for Web Connector"
    jobs = (await client.get("/v1/jobs", headers=auth())).json()["items"]
    assert [j["id"] for j in jobs] == [first.json()["id"]]


async def test_concurrent_sends_of_one_order_yield_one_job(client: httpx.AsyncClient) -> None:
    await _install(client)
    responses = await asyncio.gather(
        *(client.post("/v1/orders/10245/send", headers=auth(), json=a7102()) for _ in range(5))
    )
    assert {r.status_code for r in responses} <= {200, 202}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.status_code == 202 for r in responses) == 1


async def test_key_reused_for_another_order_is_409(client: httpx.AsyncClient) -> None:
    await _install(client)
    headers = {**auth(), "Idempotency-Key": "k-1"}
    assert (await client.post("/v1/orders/10245/send", headers=headers, json=a7102())).status_code == 202
    other = await client.post("/v1/orders/10246/send", headers=headers, json=a7102("10246"))
    assert other.status_code == 409
    assert other.json()["type"].endswith("/idempotency-key-reused")


async def test_other_company_cannot_see_or_touch_jobs_and_mappings(
    desktop_client: httpx.AsyncClient, database_url: str
) -> None:
    client = desktop_client  # QuickBooks Desktop installed for acme, on its own gateway
    await desktop_lists_read(database_url, {"80000001-1700000000": "Lakeside Dental Group"})
    await _install(client, "globex")
    job = (await client.post("/v1/orders/10245/send", headers=auth(company="acme"), json=a7102())).json()
    link = await client.put(
        "/v1/crm/customers/C1001/quickbooks-link",
        headers=auth(company="acme"),
        json={"quickbooks_id": "80000001-1700000000", "quickbooks_name": "Lakeside Dental Group"},
    )
    assert link.status_code == 200
    intruder = auth(company="globex")
    assert (await client.get(f"/v1/jobs/{job['id']}", headers=intruder)).status_code == 404
    assert (await client.post(f"/v1/jobs/{job['id']}/cancel", headers=intruder)).status_code == 404
    assert (await client.post(f"/v1/jobs/{job['id']}/retry", headers=intruder)).status_code == 404
    assert (await client.get("/v1/jobs", headers=intruder)).json()["items"] == []
    assert (await client.get("/v1/mappings", headers=intruder)).json()["items"] == []
    mine = (await client.get("/v1/mappings", headers=auth(company="acme"))).json()["items"]
    assert [(m["kind"], m["esp_key"], m["origin"]) for m in mine] == [("customer", "C1001", "linked")]


async def test_cancel_then_retry(client: httpx.AsyncClient) -> None:
    await _install(client)
    job = (await client.post("/v1/orders/10245/send", headers=auth(), json=a7102())).json()
    cancelled = await client.post(f"/v1/jobs/{job['id']}/cancel", headers=auth())
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    # a cancelled order can be sent again as a new job
    again = await client.post("/v1/orders/10245/send", headers=auth(), json=a7102())
    assert again.status_code == 202 and again.json()["id"] != job["id"]
    # cancelling twice is refused with a reason
    twice = await client.post(f"/v1/jobs/{job['id']}/cancel", headers=auth())
    assert twice.status_code == 409


async def test_send_without_integration_is_409(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/orders/10245/send", headers=auth(), json=a7102())
    assert response.status_code == 409
    assert "Install" in response.json()["detail"]


async def test_order_number_mismatch_and_bad_lines_are_refused(client: httpx.AsyncClient) -> None:
    await _install(client)
    mismatch = await client.post("/v1/orders/99999/send", headers=auth(), json=a7102())
    assert mismatch.status_code == 422
    body = a7102()
    bad = copy.deepcopy(body)
    bad["order"]["lines"][0]["quantity"] = "-5"
    bad["order"]["lines"][0]["supplier_id"] = "S-UNKNOWN"
    response = await client.post("/v1/orders/10245/send", headers=auth(), json=bad)
    assert response.status_code == 422
    paths = {e["path"] for e in response.json()["errors"]}
    assert any("lines[0].quantity" in p for p in paths), paths
    # nothing was written
    assert (await client.get("/v1/jobs", headers=auth())).json()["items"] == []


async def test_details_tab_limits_who_sends_what(client: httpx.AsyncClient) -> None:
    await _install(client)
    settings = {"who_may_send": "selected", "allowed_teams": ["accounting"], "allow_bills": False}
    assert (await client.put("/v1/settings", headers=auth(), json=settings)).status_code == 200
    outsider = auth(user="carol", roles=["user"], teams=["sales"])
    refused = await client.post("/v1/orders/10245/send", headers=outsider, json=a7102())
    assert refused.status_code == 403
    insider = auth(user="dave", roles=["user"], teams=["accounting"])
    no_bills = await client.post("/v1/orders/10245/send", headers=insider, json=a7102())
    assert no_bills.status_code == 403 and "bills" in no_bills.json()["detail"]
    body = a7102()
    body["choices"]["suppliers"]["S61125"]["send_bill"] = False
    accepted = await client.post("/v1/orders/10245/send", headers=insider, json=body)
    assert accepted.status_code == 202, accepted.text


async def test_the_jobs_list_says_how_many_jobs_match_for_paging(client: httpx.AsyncClient) -> None:
    await _install(client)
    for number in ("10245", "10246", "10247"):
        sent = await client.post(f"/v1/orders/{number}/send", headers=auth(), json=a7102(number))
        assert sent.status_code == 202, sent.text
    first = (await client.get("/v1/jobs?limit=2", headers=auth())).json()
    second = (await client.get("/v1/jobs?limit=2&offset=2", headers=auth())).json()
    one_order = (await client.get("/v1/jobs?order_number=10246", headers=auth())).json()
    assert (first["total"], len(first["items"])) == (3, 2)
    assert (second["total"], len(second["items"])) == (3, 1)
    assert [j["order_number"] for j in first["items"] + second["items"]] == ["10247", "10246", "10245"]
    assert (one_order["total"], [j["order_number"] for j in one_order["items"]]) == (1, ["10246"])
    assert (await client.get("/v1/jobs?status=failed", headers=auth())).json()["total"] == 0


async def test_a_desktop_job_says_it_waits_for_the_web_connector_and_when_it_last_came(
    client: httpx.AsyncClient, db: Database
) -> None:
    await _install(client)
    sent = (await client.post("/v1/orders/10245/send", headers=auth(), json=a7102())).json()
    assert sent["waiting"].startswith("Waiting for the Web Connector: it has not connected yet")
    assert (await client.post("/v1/qbwc/password", headers=auth())).status_code == 200
    async with db.transaction() as session:
        await session.execute(
            update(QbwcCredential)
            .where(QbwcCredential.company_id == "acme")
            .values(last_poll_at=utcnow() - timedelta(minutes=3, seconds=10))
        )
    job = (await client.get(f"/v1/jobs/{sent['id']}", headers=auth())).json()
    listed = (await client.get("/v1/jobs", headers=auth())).json()["items"][0]
    assert job["waiting"] == listed["waiting"] == "Waiting for the Web Connector (last seen 3 minutes ago)"


async def test_a_queued_job_shows_its_planned_steps_and_a_resend_replans_them(
    client: httpx.AsyncClient,
) -> None:
    await _install(client)
    accounts = {"default_accounts": {"cogs": {"name": "Cost of Goods Sold"}}}
    assert (await client.put("/v1/settings", headers=auth(), json=accounts)).status_code == 200
    sent = await client.post("/v1/orders/10245/send", headers=auth(), json=a7102())
    assert sent.status_code == 202, sent.text
    steps = {s["key"]: s for s in sent.json()["steps"]}
    # From the moment it is queued, before the Web Connector comes: what the send will do, in order.
    assert next(iter(steps)) == "customer" and "invoice" in steps
    assert all(s["status"] == "pending" and s["link"] is None for s in steps.values())
    assert steps["invoice"]["summary"] == "Will create the invoice 10245"
    assert [s["kind"] for s in steps.values()].count("payment") == 1
    job = (await client.get(f"/v1/jobs/{sent.json()['id']}", headers=auth())).json()
    assert job["steps"] == sent.json()["steps"]
    # The waiting job takes a changed order (latest send wins): its planned steps follow it.
    body = a7102()
    body["order"]["payments"] = []
    body["order"]["customer"]["esp_id"] = "C-9"
    again = await client.post("/v1/orders/10245/send", headers=auth(), json=body)
    assert again.json()["disposition"] == "replaced_queued"
    assert [s["kind"] for s in again.json()["steps"]].count("payment") == 0


async def test_an_order_the_plan_refuses_is_queued_without_planned_steps(client: httpx.AsyncClient) -> None:
    await _install(client)
    body = a7102()
    body["order"]["total"] = "999.00"  # the plan refuses it when it runs; the job will say why
    sent = await client.post("/v1/orders/10245/send", headers=auth(), json=body)
    assert sent.status_code == 202, sent.text
    assert sent.json()["steps"] == []
