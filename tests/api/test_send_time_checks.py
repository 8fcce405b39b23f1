"""Both gateways refuse at send time, with a 409 and the same words, what would only fail later."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import Mapping, MappingKind, QboConnection
from espqb.db.types import utcnow
from espqb.integration.quickbooks_company import store_quickbooks_company
from espqb.orders import OrderSnapshot
from espqb.orders.examples import a7102_request
from espqb.plan import QuickBooksCompany
from espqb.plan.items import charge_item_key, product_key
from qbo_gateway.app import create_app as create_qbo_app
from qbwc_gateway.app import create_app as create_qbwc_app
from tests.support.api import auth, running, service_settings

GATEWAYS: dict[str, tuple[Callable[[Settings], FastAPI], str, str]] = {
    # gateway: (app, the product it sends to, the other product)
    "qbo-gateway": (create_qbo_app, "qbo", "qbd"),
    "qbwc-gateway": (create_qbwc_app, "qbd", "qbo"),
}


def a7102(**choices: Any) -> dict[str, Any]:
    body = a7102_request().model_dump(mode="json")
    body["choices"].update(choices)
    return body


@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_a_send_to_the_gateway_of_the_other_product_is_refused(gateway: str, database_url: str) -> None:
    factory, _mine, other = GATEWAYS[gateway]
    async with running(factory, service_settings(database_url)) as (_app, http):
        await http.post("/v1/integration/install", headers=auth(), json={"product": other})
        response = await http.post(
            "/v1/orders/10245/send", headers=auth(), json=a7102(income_account={"name": "Sales"})
        )
        jobs = (await http.get("/v1/jobs", headers=auth())).json()["items"]

    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"].endswith("/send-refused")
    installed = {"qbo": "QuickBooks Online", "qbd": "QuickBooks Desktop"}[other]
    assert f"This company has {installed} installed" in problem["detail"]
    assert jobs == []  # nothing was queued


async def test_no_income_account_anywhere_is_refused_by_both_gateways_in_the_same_words(
    database_url: str, db: Database
) -> None:
    details = {}
    for gateway, (factory, product, _other) in GATEWAYS.items():
        company = f"co-{product}"
        async with running(factory, service_settings(database_url)) as (_app, http):
            await http.post(
                "/v1/integration/install", headers=auth(company=company), json={"product": product}
            )
            if product == "qbo":  # connected to its books: otherwise the send is refused for that
                async with db.transaction() as session:
                    connection = QboConnection(
                        company_id=company, realm_id="r1", status="connected", reauthorized_at=utcnow()
                    )
                    session.add(connection)
            refused = await http.post("/v1/orders/10245/send", headers=auth(company=company), json=a7102())
            jobs = (await http.get("/v1/jobs", headers=auth(company=company))).json()["items"]
            accepted = await http.post(
                "/v1/orders/10245/send",
                headers=auth(company=company),
                json=a7102(income_account={"name": "Sales"}),
            )
        assert refused.status_code == 409, (gateway, refused.text)
        assert [e["path"] for e in refused.json()["errors"]] == ["choices.income_account"]
        assert "Settings → Accounts" in refused.json()["detail"]
        assert jobs == [], gateway
        assert accepted.status_code == 202, (gateway, accepted.text)
        details[gateway] = refused.json()["detail"]
    assert details["qbo-gateway"] == details["qbwc-gateway"]


async def test_the_settings_income_account_is_enough(database_url: str) -> None:
    async with running(create_qbwc_app, service_settings(database_url)) as (_app, http):
        await http.post("/v1/integration/install", headers=auth(), json={"product": "qbd"})
        settings = {"default_accounts": {"income": {"name": "Sales"}}}
        assert (await http.put("/v1/settings", headers=auth(), json=settings)).status_code == 200
        response = await http.post("/v1/orders/10245/send", headers=auth(), json=a7102())
    assert response.status_code == 202, response.text


async def test_items_already_in_quickbooks_need_no_income_account(database_url: str, db: Database) -> None:
    order = OrderSnapshot.model_validate(a7102()["order"])
    keys = [product_key(line) for line in order.lines] + [charge_item_key(c.kind) for c in order.charges]
    async with running(create_qbwc_app, service_settings(database_url)) as (_app, http):
        await http.post("/v1/integration/install", headers=auth(), json={"product": "qbd"})
        async with db.transaction() as session:
            for n, key in enumerate(dict.fromkeys(keys)):
                session.add(
                    Mapping(
                        company_id="acme",
                        target="qbd",
                        kind=MappingKind.ITEM,
                        esp_key=key,
                        qb_id=f"8000{n}-1",
                    )
                )
        response = await http.post("/v1/orders/10245/send", headers=auth(), json=a7102())
    assert response.status_code == 202, response.text


async def test_an_order_in_a_currency_the_quickbooks_company_cannot_take_is_refused_by_both_gateways(
    database_url: str, db: Database
) -> None:
    """A USD company without multi-currency gets a EUR order: 409 before a job exists, same words."""
    details = {}
    for gateway, (factory, product, _other) in GATEWAYS.items():
        company = f"eur-{product}"
        async with running(factory, service_settings(database_url)) as (_app, http):
            await http.post(
                "/v1/integration/install", headers=auth(company=company), json={"product": product}
            )
            async with db.transaction() as session:
                if product == "qbo":
                    session.add(
                        QboConnection(
                            company_id=company, realm_id="r1", status="connected", reauthorized_at=utcnow()
                        )
                    )
                await store_quickbooks_company(
                    session, company, QuickBooksCompany(product=product, name="Demo Promotions")
                )
            body = a7102(income_account={"name": "Sales"})
            body["order"]["currency"] = "EUR"
            refused = await http.post("/v1/orders/10245/send", headers=auth(company=company), json=body)
            jobs = (await http.get("/v1/jobs", headers=auth(company=company))).json()["items"]
            shown = (await http.get("/v1/integration", headers=auth(company=company))).json()
        assert refused.status_code == 409, (gateway, refused.text)
        assert [e["path"] for e in refused.json()["errors"]] == ["order.currency"]
        detail = refused.json()["detail"]
        assert "The order is in EUR" in detail and "keeps its books in USD without multi-currency" in detail
        assert jobs == [], gateway
        assert shown["quickbooks_company"]["home_currency"] == "USD"
        assert shown["quickbooks_company"]["multi_currency"] is False
        details[gateway] = detail.replace("QuickBooks Online", "QuickBooks").replace(
            "QuickBooks Desktop", "QuickBooks"
        )
    assert details["qbo-gateway"] == details["qbwc-gateway"]
