"""The QuickBooks Online story, as an admin and a user live it: install, fill in the Accounts tab,
connect through Intuit's sign-in, press "QB" on the orders, and read the books the worker wrote."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import httpx

from espqb.orders import SendRequest
from qb_sandbox.intuit import IntuitSandbox

from .books_qbo import read_qbo_books
from .consent import read_consent_form
from .frontend import DemoError, EspFrontEnd
from .jobs import parse_job, tax_item_ids
from .services import DemoStack
from .story import Say, StoryResult, require_fresh_company, send_orders

__all__ = ["QBO_CANADA_COMPANY", "QBO_COMPANY", "run_qbo_story", "sandbox_accounts"]

QBO_COMPANY = "demo-qbo"
QBO_CANADA_COMPANY = "demo-qbo-ca"
ACCOUNT_ROLES = ("ar", "income", "ap", "cogs")


def sandbox_accounts(sandbox: IntuitSandbox, realm_id: str) -> dict[str, dict[str, str]]:
    """Settings → Accounts from the sandbox company's chart: its default account for each role."""
    defaults = sandbox.company(realm_id).defaults
    chosen: dict[str, dict[str, str]] = {}
    for role in ACCOUNT_ROLES:
        account = sandbox.get(realm_id, "Account", defaults[role])
        if account is None:
            raise DemoError(f"the sandbox company has no {role} account")
        chosen[role] = {"id": str(account["Id"]), "name": str(account["Name"])}
    return chosen


async def connect(esp: EspFrontEnd, realm_id: str) -> dict[str, Any]:
    """Connect → Intuit's consent page in the admin's browser → choose the company → our callback."""
    started = await esp.json("POST", "/v1/qbo/connect")
    async with httpx.AsyncClient(timeout=30.0) as browser:
        page = await browser.get(started["authorization_url"])
        if page.status_code != 200:
            raise DemoError(f"Intuit's sign-in page answered {page.status_code}: {page.text[:200]}")
        form = read_consent_form(page.text)
        consent = await browser.post(str(page.url.join(form.action)), data=form.connect(realm_id))
        if consent.status_code != 302:
            raise DemoError(
                f"Intuit did not send the browser back ({consent.status_code}): {consent.text[:200]}"
            )
        landed = await browser.get(consent.headers["location"])
        if landed.status_code != 200:
            raise DemoError(f"our OAuth callback answered {landed.status_code}: {landed.text[:300]}")
    connection: dict[str, Any] = await esp.json("GET", "/v1/qbo/connection")
    if connection["status"] != "connected":
        raise DemoError(f"QuickBooks Online is not connected after the sign-in: {connection}")
    return connection


def describe_company(company: dict[str, Any] | None) -> str:
    """What the gateway read about the QuickBooks company, in one line."""
    if not company:
        return "the company's edition was not read"
    if company.get("country") != "US":
        tax = "a tax code on every line"
    else:
        tax = "automated sales tax" if company.get("automated_sales_tax") else "sales tax by code"
    currencies = (
        "multi-currency " + ", ".join([company["home_currency"], *company.get("currencies", [])])
        if company.get("multi_currency")
        else f"{company['home_currency']} only"
    )
    codes = ", ".join(_code_label(code) for code in company.get("tax_codes", [])[:6])
    return f"country {company['country']}, {tax}, {currencies}; tax codes {codes or 'none'}"


def _code_label(code: dict[str, Any]) -> str:
    rates = [str(rate["percent"]) for rate in code.get("sales_rates", [])]
    return f"{code['name']} ({' + '.join(rates)} %)" if rates else str(code["name"])


async def run_qbo_story(
    stack: DemoStack,
    requests: Sequence[SendRequest],
    say: Say,
    *,
    company_id: str = QBO_COMPANY,
    realm_id: str | None = None,
    title: str = "QuickBooks Online",
) -> StoryResult:
    realm_id = realm_id or stack.realm_id
    async with EspFrontEnd(stack.qbo_url, company_id, stack.jwt_secret) as esp:
        await require_fresh_company(esp)
        await esp.install("qbo")
        say(f"installed QuickBooks Online for company {company_id}")
        accounts = sandbox_accounts(stack.sandbox, realm_id)
        await esp.put_settings({"default_accounts": accounts})
        say("settings, Accounts tab: " + ", ".join(f"{role} = {a['name']}" for role, a in accounts.items()))
        connection = await connect(esp, realm_id)
        deadline = connection["reauthorize_by"]
        say(
            f"connected through Intuit's sign-in to {connection['company_name']} (realm {connection['realm_id']}); "
            f"re-authorise within {deadline['days_left']} days"
            if deadline
            else "connected"
        )
        integration = await esp.json("GET", "/v1/integration")
        say("read the QuickBooks company: " + describe_company(integration.get("quickbooks_company")))
        accepted = await send_orders(esp, requests, say)
        settled = await esp.wait_until_settled([job["id"] for job in accepted])
        say(
            "the in-process send worker finished: "
            + ", ".join(f"{j['order_number']} {j['status']}" for j in settled)
        )
    jobs = tuple(parse_job(job) for job in settled)
    books = dataclasses.replace(read_qbo_books(stack.sandbox, realm_id, tax_item_ids(jobs)), product=title)
    return StoryResult(title, books, jobs)
