"""GET /v1/qbo/connection shows the QuickBooks company read right after connecting; a failure to read
it never loses the connection (it is read before the first send instead); tax-code lookups carry
each code's rates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from espqb.orders import a7102_request
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qb_sandbox.intuit.webhooks import ChangeEvent, encode
from qbo_gateway.client import ValidationFault
from qbo_gateway.company import service as company_service
from qbo_gateway.webhooks import SIGNATURE_HEADER, sign
from tests.qbo.client.support import new_sandbox
from tests.qbo.editions.through_the_api import connect, connected_books
from tests.support.api import auth


@pytest.fixture
def sandbox() -> IntuitSandbox:
    return new_sandbox()


async def test_connecting_reads_the_company_and_the_connection_shows_it(
    database_url: str, sandbox: IntuitSandbox
) -> None:
    async with connected_books(database_url, sandbox, DEMO_REALM_ID) as books:
        shown = await books.connection()
    company = shown["company"]
    assert shown["status"] == "connected"
    assert {k: v for k, v in company.items() if k != "read_at"} == {
        "name": "ESP Demo Promotions",
        "country": "US",
        "country_name": "United States",
        "home_currency": "USD",
        "multi_currency": False,
        "currencies": [],
        "uses_sales_tax": True,
        "automated_sales_tax": False,
        "tax_regime": "us_manual",
        "tax_codes": 1,
        "custom_txn_numbers": True,
        "allow_discount": True,
    }
    assert company["read_at"]


async def test_a_company_that_cannot_be_read_at_connect_time_stays_connected_and_is_read_before_sending(
    database_url: str, sandbox: IntuitSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = company_service.read_company

    async def refused(*args: Any, **kwargs: Any) -> Any:
        raise ValidationFault("6000", "A business validation error has occurred")

    monkeypatch.setattr(company_service, "read_company", refused)
    async with connected_books(database_url, sandbox, DEMO_REALM_ID) as books:
        shown = await books.connection()
        assert (shown["status"], shown["company"]) == ("connected", None)

        monkeypatch.setattr(company_service, "read_company", real)
        sent = await books.send(a7102_request())
        assert sent.status_code == 202, sent.text
        assert (await books.job(sent))["status"] == "succeeded"
        company = (await books.connection())["company"]
        assert company is not None and company["country"] == "US"


async def test_tax_code_lookups_carry_each_codes_rates(database_url: str, sandbox: IntuitSandbox) -> None:
    async with connected_books(database_url, sandbox, DEMO_REALM_ID) as books:
        calls = sandbox.api_calls[DEMO_REALM_ID]
        answer = await books.api.get("/v1/quickbooks/tax-codes", headers=auth())
        assert answer.status_code == 200, answer.text
        assert sandbox.api_calls[DEMO_REALM_ID] - calls == 1  # the rates come from the company as read
    codes = {item["name"]: item["details"] for item in answer.json()["items"]}
    county = codes["Demo County"]
    assert [(r["name"], r["percent"]) for r in county["sales_rates"]] == [("Demo County", "8.25")]
    assert (county["sales_percent"], county["purchase_rates"]) == ("8.25", [])
    assert codes["NON"]["sales_rates"] == [] and codes["NON"]["taxable"] is False


async def test_connecting_other_books_replaces_what_was_read_about_the_old_ones(
    database_url: str, sandbox: IntuitSandbox
) -> None:
    other = sandbox.add_company("Other Books Ltd")
    async with connected_books(database_url, sandbox, DEMO_REALM_ID) as books:
        assert (await books.connection())["company"]["name"] == "ESP Demo Promotions"
        await connect(books.api, books.intuit_url, other, confirm_realm_change=True)
        shown = await books.connection()
    assert (shown["realm_id"], shown["company"]["name"]) == (other, "Other Books Ltd")


async def test_a_signed_preferences_notice_has_the_company_read_again(database_url: str) -> None:
    sandbox = new_sandbox()
    realm = sandbox.add_company("Maple Promo", edition="ca")
    async with connected_books(database_url, sandbox, realm) as books:
        assert (await books.connection())["company"]["multi_currency"] is False
        # The bookkeeper turns multi-currency on in QuickBooks and adds the euro.
        company = sandbox.company(realm)
        preferences = company.books.get("Preferences", "1")
        assert preferences is not None
        preferences.body["CurrencyPrefs"]["MultiCurrencyEnabled"] = True
        company.books.insert("CompanyCurrency", {"Code": "EUR", "Name": "Euro", "Active": True})

        event = ChangeEvent("Preferences", "1", "Update", datetime(2026, 12, 5, 9, 0, tzinfo=UTC))
        body = encode(realm, [event], "cloudevents", source="intuit.test")
        answer = await books.api.post(
            "/v1/qbo/webhooks",
            content=body,
            headers={"content-type": "application/json", SIGNATURE_HEADER: sign("dev-verifier-token", body)},
        )
        assert answer.status_code == 200, answer.text
        shown = (await books.connection())["company"]
    assert (shown["country"], shown["multi_currency"], shown["currencies"]) == ("CA", True, ["EUR"])
