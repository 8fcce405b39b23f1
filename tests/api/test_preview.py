"""The dialog's preview: what Send would write, on both products, writing nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from espqb.config import Settings
from espqb.db import Database
from espqb.integration.quickbooks_company import store_quickbooks_company
from espqb.orders.examples import a7102_request
from espqb.plan import QuickBooksCompany
from espqb.plan.company import ListEntry
from qbo_gateway.app import create_app as create_qbo_app
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.support.api import auth, running, service_settings

GATEWAYS: dict[str, tuple[Callable[[Settings], FastAPI], str]] = {
    "qbo-gateway": (create_qbo_app, "qbo"),
    "qbwc-gateway": (create_qbwc_app, "qbd"),
}


def a7102(**choices: Any) -> dict[str, Any]:
    body = a7102_request().model_dump(mode="json")
    body["choices"].update(choices)
    return body


@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_the_a7102_preview_shows_the_help_articles_figures_and_writes_nothing(
    gateway: str, database_url: str
) -> None:
    factory, product = GATEWAYS[gateway]
    async with running(factory, service_settings(database_url)) as (_app, http):
        await http.post("/v1/integration/install", headers=auth(), json={"product": product})
        accounts = {"income": {"name": "Sales"}, "cogs": {"name": "Cost of Goods Sold"}}
        await http.put("/v1/settings", headers=auth(), json={"default_accounts": accounts})
        answer = await http.post("/v1/orders/10245/preview", headers=auth(), json=a7102())
        jobs = (await http.get("/v1/jobs", headers=auth())).json()
        mappings = (await http.get("/v1/mappings", headers=auth())).json()
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    assert preview["problems"] == [] and preview["sendable"] is True
    assert preview["totals"] == {
        "subtotal": "230.00",
        "discount": "11.50",
        "tax": "0.00",
        "total": "218.50",
        "payments_applied": "100.00",
        "balance_due": "118.50",
    }
    by_key = {op["key"]: op for op in preview["operations"]}
    assert by_key["customer"]["action"] == "create" and by_key["customer"]["name"]
    invoice = by_key["invoice"]
    assert (invoice["kind"], invoice["action"], invoice["name"], invoice["total"]) == (
        "invoice",
        "create",
        "10245",
        "218.50",
    )
    items = [line for line in invoice["lines"] if line["kind"] == "item"]
    assert [(line["quantity"], line["rate"], line["amount"]) for line in items] == [("100", "2.30", "230.00")]
    assert [line["amount"] for line in invoice["lines"] if line["kind"] == "discount"] == ["-11.50"]
    payments = [op for op in preview["operations"] if op["kind"] == "payment"]
    assert [p["total"] for p in payments] == ["100.00"]
    # The keys are the job's step keys: the dialog can follow the same rows once sent.
    assert next(iter(by_key)) == "customer" and "invoice" in by_key
    assert jobs["total"] == 0 and jobs["items"] == []
    assert mappings["items"] == []


@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_a_preview_lists_every_reason_send_would_be_refused(
    gateway: str, database_url: str, db: Database
) -> None:
    factory, product = GATEWAYS[gateway]
    async with running(factory, service_settings(database_url)) as (_app, http):
        await http.post("/v1/integration/install", headers=auth(), json={"product": product})
        async with db.transaction() as session:
            await store_quickbooks_company(session, "acme", QuickBooksCompany(product=product))
        body = a7102()  # no income account anywhere, and an order in euros for a USD company
        body["order"]["currency"] = "EUR"
        answer = await http.post("/v1/orders/10245/preview", headers=auth(), json=body)
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    assert preview["sendable"] is False and preview["operations"] == []
    paths = [p["path"] for p in preview["problems"]]
    assert "order.currency" in paths and "choices.income_account" in paths
    assert any("keeps its books in USD" in p["message"] for p in preview["problems"])


async def test_a_preview_for_another_order_number_or_without_quickbooks_is_an_error(
    database_url: str,
) -> None:
    async with running(create_qbwc_app, service_settings(database_url)) as (_app, http):
        missing = await http.post("/v1/orders/10245/preview", headers=auth(), json=a7102())
        await http.post("/v1/integration/install", headers=auth(), json={"product": "qbd"})
        other = await http.post("/v1/orders/99999/preview", headers=auth(), json=a7102())
    assert missing.status_code == 409
    assert other.status_code == 422 and "order 10245" in other.json()["detail"]


@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_the_preview_shows_the_documents_details_and_the_list_entries_send_would_add(
    gateway: str, database_url: str, db: Database
) -> None:
    factory, product = GATEWAYS[gateway]
    company = QuickBooksCompany(
        product=product,
        lists_read=True,
        class_tracking="per_transaction",
        terms=(ListEntry(id="3", name="Net 30", due_days=30),),
        sales_reps=(ListEntry(id="80000005-1", name="JD", description="Jane Doe"),),
    )
    async with running(factory, service_settings(database_url)) as (_app, http):
        await http.post("/v1/integration/install", headers=auth(), json={"product": product})
        async with db.transaction() as session:
            await store_quickbooks_company(session, "acme", company)
        accounts = {"income": {"name": "Sales"}, "cogs": {"name": "Cost of Goods Sold"}}
        await http.put("/v1/settings", headers=auth(), json={"default_accounts": accounts})
        body = a7102()
        body["order"].update(
            customer_po_number="PO-88231", terms="net 30", class_name="West", sales_rep="Jane Doe"
        )
        answer = await http.post("/v1/orders/10245/preview", headers=auth(), json=body)
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    by_key = {op["key"]: op for op in preview["operations"]}
    # The company has Net 30 (linked, its own spelling) but no class West (added before the invoice).
    assert (by_key["terms:net 30"]["action"], by_key["terms:net 30"]["quickbooks_id"]) == ("link", "3")
    assert (by_key["class:west"]["kind"], by_key["class:west"]["action"]) == ("list_entry", "create")
    assert list(by_key).index("class:west") < list(by_key).index("invoice")
    details = by_key["invoice"]["details"]
    assert (details["terms"], details["due_date"], details["class_name"]) == (
        "Net 30",
        "2024-06-13",
        "West",
    )  # 14 May + 30 days
    if product == "qbd":
        assert details["po_number"] == "PO-88231" and details["sales_rep"] == "JD"
    else:
        # No custom fields in this company: the PO number heads the invoice's message, the rep is said.
        assert details["customer_message"] == "PO PO-88231"
        assert any("sales rep “Jane Doe” was not written" in w for w in preview["warnings"])
