"""Admin → Integrations and the settings tabs, as an admin would use them."""

from __future__ import annotations

from decimal import Decimal

import httpx

from espqb.db import Database
from espqb.integration.quickbooks_company import store_quickbooks_company
from espqb.plan import QuickBooksCompany, TaxCode, TaxRate
from tests.support.api import auth


async def test_install_uninstall_cycle(client: httpx.AsyncClient) -> None:
    admin = auth()
    assert (await client.get("/v1/integration", headers=admin)).json()["status"] == "not_installed"
    installed = await client.post("/v1/integration/install", headers=admin, json={"product": "qbd"})
    assert installed.status_code == 200
    assert installed.json()["product"] == "qbd" and installed.json()["status"] == "installed"
    assert "Web Connector" in installed.json()["next_steps"]
    # the other product cannot be installed on top
    other = await client.post("/v1/integration/install", headers=admin, json={"product": "qbo"})
    assert other.status_code == 409
    assert (await client.post("/v1/integration/uninstall", headers=admin)).json()["status"] == "uninstalled"
    assert (await client.post("/v1/integration/install", headers=admin, json={"product": "qbo"})).json()[
        "product"
    ] == "qbo"


async def test_unknown_product_is_422_with_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/integration/install", headers=auth(), json={"product": "xero"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "product"


async def test_settings_round_trip(client: httpx.AsyncClient) -> None:
    admin = auth()
    body = {
        "who_may_send": "selected",
        "allowed_teams": ["accounting"],
        "allow_purchase_orders": False,
        "set_customers_billable": True,
        "item_name_source": "product_name",
        "default_accounts": {
            "ar": {"id": "84", "name": "Accounts Receivable (A/R)"},
            "income": {"name": "Sales"},
        },
        "tax_default": {"option": "code", "code": "TAX"},
        "notify_emails": ["owner@example.com"],
    }
    saved = await client.put("/v1/settings", headers=admin, json=body)
    assert saved.status_code == 200, saved.text
    read = (await client.get("/v1/settings", headers=admin)).json()
    assert read["who_may_send"] == "selected" and read["allowed_teams"] == ["accounting"]
    assert read["allow_purchase_orders"] is False and read["set_customers_billable"] is True
    assert read["default_accounts"]["ar"]["id"] == "84"
    assert read["tax_default"] == {
        "option": "code",
        "code": "TAX",
        # outside the US: the codes on the lines (left to the plan when not chosen)
        "sales_code": None,
        "no_tax_code": None,
        "purchase_code": None,
    }
    assert read["updated_by"] == "alice"
    # another company sees its own defaults, not these
    assert (await client.get("/v1/settings", headers=auth(company="globex"))).json()[
        "who_may_send"
    ] == "everyone"


async def test_bad_settings_are_refused_with_paths(client: httpx.AsyncClient) -> None:
    response = await client.put(
        "/v1/settings",
        headers=auth(),
        json={"tax_default": {"option": "code"}, "notify_emails": ["not-an-email"]},
    )
    assert response.status_code == 422
    paths = {e["path"] for e in response.json()["errors"]}
    assert "tax_default" in paths and any(p.startswith("notify_emails") for p in paths)


async def test_health_readiness_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["migration"]
    # Metrics are not on the public port unless METRICS_TOKEN is set (tests/api/test_metrics_access.py).
    assert (await client.get("/metrics")).status_code == 404


async def test_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.put("/v1/settings", headers=auth(), content=b"{" + b" " * 1_100_000 + b"}")
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")


async def test_nul_characters_are_refused_with_422(client: httpx.AsyncClient) -> None:
    # PostgreSQL cannot store NUL in text/JSONB: refused at the edge, nothing half-written.
    response = await client.put("/v1/settings", headers=auth(), json={"allowed_teams": ["sales\u0000"]})
    assert response.status_code == 422 and "NUL" in response.json()["detail"]
    assert (await client.get("/v1/mappings?q=a%00b", headers=auth())).status_code == 422
    # an escaped backslash followed by "u0000" is ordinary text
    ok = await client.put("/v1/settings", headers=auth(), json={"allowed_teams": ["back\\u0000slash"]})
    assert ok.status_code == 200 and ok.json()["allowed_teams"] == ["back\\u0000slash"]


async def test_tax_codes_in_the_settings_must_be_the_quickbooks_companys_own(
    client: httpx.AsyncClient, db: Database
) -> None:
    """Once the company has been read, the Tax settings take its codes and refuse others, naming them."""
    admin = auth()
    await client.post("/v1/integration/install", headers=admin, json={"product": "qbo"})
    canada = QuickBooksCompany(
        country="CA",
        home_currency="CAD",
        tax_codes=(
            TaxCode(id="4", name="HST ON", sales_rates=(TaxRate(name="HST ON", percent=Decimal(13)),)),
            TaxCode(id="7", name="Zero-rated", sales_rates=(TaxRate(name="ZR", percent=Decimal(0)),)),
        ),
    )
    async with db.transaction() as session:
        await store_quickbooks_company(session, "acme", canada)
    good = {"tax_default": {"option": "quickbooks_default", "sales_code": "HST ON", "no_tax_code": "7"}}
    saved = await client.put("/v1/settings", headers=admin, json=good)
    assert saved.status_code == 200, saved.text
    assert saved.json()["tax_default"]["sales_code"] == "HST ON"
    bad = {"tax_default": {"option": "quickbooks_default", "sales_code": "HST", "purchase_code": "GST"}}
    refused = await client.put("/v1/settings", headers=admin, json=bad)
    assert refused.status_code == 422
    assert [e["path"] for e in refused.json()["errors"]] == [
        "tax_default.sales_code",
        "tax_default.purchase_code",
    ]
    assert "HST ON (13 %), Zero-rated" in refused.json()["errors"][0]["message"]
    kept = (await client.get("/v1/settings", headers=admin)).json()["tax_default"]
    assert kept["sales_code"] == "HST ON"  # nothing half-written
    shown = (await client.get("/v1/integration", headers=admin)).json()["quickbooks_company"]
    assert (shown["country"], shown["home_currency"]) == ("CA", "CAD")
