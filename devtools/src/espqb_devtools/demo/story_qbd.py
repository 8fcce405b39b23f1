"""The QuickBooks Desktop story: install, fill in the Accounts tab, download the .qwc, generate the
Web Connector password, press "QB" on the orders, let the Web Connector update once against a
company file, and read what QuickBooks holds."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from espqb.orders import SendRequest
from qb_sandbox.desktop import CompanyFile
from qb_sandbox.webconnector import SessionOutcome, WebConnectorSimulator, parse_qwc

from .books_qbd import read_qbd_books
from .frontend import DemoError, EspFrontEnd
from .jobs import parse_job, tax_item_ids
from .services import DemoStack
from .story import Say, StoryResult, require_fresh_company, send_orders
from .story_qbo import describe_company

__all__ = ["DESKTOP_ACCOUNTS", "QBD_CANADA_COMPANY", "QBD_COMPANY", "run_qbd_story"]

QBD_COMPANY = "demo-qbd"
QBD_CANADA_COMPANY = "demo-qbd-ca"
# Accounts of the seeded demo company file (qb_sandbox.desktop.seed), by full name as in QuickBooks.
DESKTOP_ACCOUNTS = {
    "ar": {"name": "Accounts Receivable"},
    "income": {"name": "Sales"},
    "ap": {"name": "Accounts Payable"},
    "cogs": {"name": "Cost of Goods Sold"},
}


async def run_qbd_story(
    stack: DemoStack,
    requests: Sequence[SendRequest],
    company: CompanyFile,
    say: Say,
    *,
    company_id: str = QBD_COMPANY,
    title: str = "QuickBooks Desktop",
) -> StoryResult:
    async with EspFrontEnd(stack.qbwc_url, company_id, stack.jwt_secret) as esp:
        await require_fresh_company(esp)
        await esp.install("qbd")
        say(f"installed QuickBooks Desktop for company {company_id}")
        await esp.put_settings({"default_accounts": DESKTOP_ACCOUNTS})
        say("settings, Accounts tab: " + ", ".join(f"{r} = {a['name']}" for r, a in DESKTOP_ACCOUNTS.items()))
        registration = parse_qwc((await esp.call("GET", "/v1/qbwc/qwc")).text)
        every = (
            f"every {registration.run_every_seconds // 60} minutes" if registration.run_every_seconds else ""
        )
        say(
            f"downloaded the .qwc: {registration.app_name} at {registration.app_url}, user {registration.user_name}, {every}"
        )
        password = (await esp.json("POST", "/v1/qbwc/password"))["password"]
        say("generated the Web Connector password (shown once, pasted into the Web Connector)")
        accepted = await send_orders(esp, requests, say)

        async with WebConnectorSimulator(
            registration.app_url,
            username=registration.user_name,
            password=password,
            company=company,
            owner_id=registration.owner_id,
            file_id=registration.file_id,
        ) as web_connector:
            report = await web_connector.run_once()
        if report.outcome is not SessionOutcome.COMPLETED:
            raise DemoError(
                f"the Web Connector update ended {report.outcome}: {report.last_error or report.close_message}"
            )
        say(
            f"Web Connector update on {company.company_name}: {report.outcome.value}, "
            f"{report.round_trips} round trip(s), progress {report.progress}"
        )
        settled = await esp.wait_until_settled([job["id"] for job in accepted])
        integration = await esp.json("GET", "/v1/integration")
        say("read the company file: " + describe_company(integration.get("quickbooks_company")))
    jobs = tuple(parse_job(job) for job in settled)
    books = dataclasses.replace(read_qbd_books(company, tax_item_ids(jobs)), product=title)
    return StoryResult(title, books, jobs)
