"""The dialog's drop-downs for the documents' details — terms, classes, locations, ship methods, sales
reps, customer messages — answer one shape on both products, from the lists read with the company."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI

from espqb.config import Settings
from espqb.db import Database
from espqb.integration.quickbooks_company import store_quickbooks_company
from espqb.plan import QuickBooksCompany
from espqb.plan.company import ListEntry
from qbo_gateway.app import create_app as create_qbo_app
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.support.api import auth, running, service_settings

GATEWAYS: dict[str, tuple[Callable[[Settings], FastAPI], str]] = {
    "qbo-gateway": (create_qbo_app, "qbo"),
    "qbwc-gateway": (create_qbwc_app, "qbd"),
}
TERMS = (
    ListEntry(id="3", name="Net 30", due_days=30),
    ListEntry(id="1", name="Due on receipt", due_days=0),
    ListEntry(id="4", name="Net 45", due_days=45),
)


@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_terms_and_sales_reps_answer_one_shape_on_both_products(
    gateway: str, database_url: str, db: Database
) -> None:
    factory, product = GATEWAYS[gateway]
    company = QuickBooksCompany(
        product=product,
        lists_read=True,
        terms=TERMS,
        sales_reps=(ListEntry(id="80000005-1", name="JD", description="Jane Doe"),),
    )
    async with running(factory, service_settings(database_url)) as (_app, http):
        await http.post("/v1/integration/install", headers=auth(), json={"product": product})
        before = await http.get("/v1/quickbooks/terms", headers=auth())
        async with db.transaction() as session:
            await store_quickbooks_company(session, "acme", company)
        terms = await http.get("/v1/quickbooks/terms", headers=auth(), params={"q": "net"})
        reps = await http.get("/v1/quickbooks/sales-reps", headers=auth(), params={"q": "jane"})
        page = await http.get("/v1/quickbooks/terms", headers=auth(), params={"limit": 1, "offset": 1})
    # Before QuickBooks was read there is nothing to choose from (not an error).
    assert before.status_code == 200 and before.json()["items"] == []
    assert terms.status_code == 200, terms.text
    body = terms.json()
    assert body["source"] == "company_lists" and body["kind"] == "terms"
    assert [(t["id"], t["name"], t["details"]) for t in body["items"]] == [
        ("3", "Net 30", {"due_days": 30}),
        ("4", "Net 45", {"due_days": 45}),
    ]
    assert [r["name"] for r in reps.json()["items"]] == ["JD"]
    assert reps.json()["items"][0]["details"] == {"description": "Jane Doe"}
    assert [t["name"] for t in page.json()["items"]] == ["Net 30"]  # sorted by name, second of three


async def test_an_unknown_list_is_a_clear_error(database_url: str) -> None:
    async with running(create_qbo_app, service_settings(database_url)) as (_app, http):
        await http.post("/v1/integration/install", headers=auth(), json={"product": "qbo"})
        answer = await http.get("/v1/quickbooks/payment-terms", headers=auth())
    assert answer.status_code == 422
