"""The real qbwc-gateway app, a simulated QuickBooks company file, and the zeep Web Connector
simulator between them: what a distributor's office looks like, in process."""

from __future__ import annotations

import copy
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from espqb.db.types import utcnow
from espqb.orders.examples import a7102_request
from qb_sandbox.desktop import CompanyFile, assert_valid_qbxml
from qb_sandbox.webconnector import SessionReport, WebConnectorSimulator
from qbwc_gateway.app import create_app
from qbwc_gateway.session import SessionOptions
from tests.support.api import auth, running, service_settings

SOAP_URL = "http://testserver/qbwc"
COMPANY = "acme"
# The Accounts tab, with accounts the demo company file has.
ACCOUNTS = {
    "ar": {"name": "Accounts Receivable"},
    "income": {"name": "Sales"},
    "ap": {"name": "Accounts Payable"},
    "cogs": {"name": "Cost of Goods Sold"},
}


def set_tax_rate(company: CompanyFile, name: str, percent: str) -> None:
    """Someone changes a sales tax item's rate in QuickBooks (Lists → Item List → Edit Item)."""
    [item] = [r for r in company.documents("ItemSalesTax") if r["Name"] == name]
    answer = company.process(
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        f'<ItemSalesTaxModRq requestID="1"><ItemSalesTaxMod><ListID>{item["ListID"]}</ListID>'
        f"<EditSequence>{item['EditSequence']}</EditSequence><TaxRate>{percent}</TaxRate>"
        "</ItemSalesTaxMod></ItemSalesTaxModRq></QBXMLMsgsRq></QBXML>"
    )
    assert 'statusCode="0"' in answer, answer


def taxed_a7102(**choices: Any) -> dict[str, Any]:
    """A7102 with ESP's tax: 8.25 % of 218.50 = 18.03, what "State Sales Tax" computes."""
    body = a7102(**choices)
    order = body["order"]
    order["tax"] = {"amount": "18.03", "rate_percent": "8.25", "name": "State Sales Tax"}
    order["total"] = "236.53"
    return body


@dataclass
class OffsetClock:
    """Real time plus an offset a test moves forward (jobs are stamped with real time)."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


def a7102(order_number: str = "10245", **choices: Any) -> dict[str, Any]:
    body = a7102_request().model_dump(mode="json")
    body["order"]["order_number"] = order_number
    body["choices"].update(choices)
    return body


def renumbered(order_number: str, customer_id: str | None = None) -> dict[str, Any]:
    """The A7102 order under another number (and, optionally, another ESP customer)."""
    body = a7102(order_number)
    if customer_id is not None:
        customer = copy.deepcopy(body["order"]["customer"])
        customer["esp_id"] = customer_id
        customer["company_name"] = f"Customer {customer_id}"
        body["order"]["customer"] = customer
    return body


@dataclass
class Office:
    app: FastAPI
    http: httpx.AsyncClient
    company: CompanyFile
    clock: OffsetClock
    username: str = ""
    password: str = ""

    def headers(self, **kwargs: Any) -> dict[str, str]:
        return auth(company=COMPANY, **kwargs)

    async def install(self) -> None:
        response = await self.http.post(
            "/v1/integration/install", headers=self.headers(), json={"product": "qbd"}
        )
        assert response.status_code == 200, response.text
        settings = {"default_accounts": ACCOUNTS}
        response = await self.http.put("/v1/settings", headers=self.headers(), json=settings)
        assert response.status_code == 200, response.text
        response = await self.http.post("/v1/qbwc/password", headers=self.headers())
        assert response.status_code == 200, response.text
        self.username, self.password = response.json()["username"], response.json()["password"]

    async def send(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        body = body or a7102()
        number = body["order"]["order_number"]
        response = await self.http.post(f"/v1/orders/{number}/send", headers=self.headers(), json=body)
        assert response.status_code in (200, 202), response.text
        result: dict[str, Any] = response.json()
        return result

    async def job(self, job_id: str) -> dict[str, Any]:
        response = await self.http.get(f"/v1/jobs/{job_id}", headers=self.headers())
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def status(self) -> dict[str, Any]:
        response = await self.http.get("/v1/qbwc/status", headers=self.headers())
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def web_connector(self, *, password: str | None = None, **options: Any) -> WebConnectorSimulator:
        return WebConnectorSimulator(
            SOAP_URL,
            username=self.username,
            password=self.password if password is None else password,
            company=self.company,
            http_client=self.http,
            noop_pause_seconds=0,
            **options,
        )

    async def read_lists(self) -> SessionReport:
        """Someone opens a drop-down before any order was sent; the next update reads the lists."""
        response = await self.http.get("/v1/quickbooks/accounts", headers=self.headers())
        assert response.status_code == 200, response.text
        report = await self.update()
        assert report.round_trips >= 1, report.methods
        return report

    async def update(self, **options: Any) -> SessionReport:
        """One Web Connector update ("Update Selected"). Every qbXML message the gateway handed
        out must validate against Intuit's qbxmlops130.xsd."""
        report = await self.web_connector(**options).run_once()
        for exchange in report.exchanges:
            assert_valid_qbxml(exchange.request_xml)
        return report


@asynccontextmanager
async def gateway(
    database_url: str, clock: OffsetClock, options: SessionOptions | None = None, **settings: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    factory = functools.partial(create_app, options=options, clock=clock)
    async with running(factory, service_settings(database_url, **settings)) as (app, http):
        yield app, http


@asynccontextmanager
async def office(
    database_url: str,
    *,
    company: CompanyFile | None = None,
    options: SessionOptions | None = None,
    install: bool = True,
    edition: str = "us",
    multi_currency: bool = False,
    **settings: Any,
) -> AsyncIterator[Office]:
    """``edition`` ("us", "ca", "uk") and ``multi_currency`` shape the demo company file."""
    clock = OffsetClock()
    async with gateway(database_url, clock, options, **settings) as (app, http):
        # The company file shares the gateway's clock: TimeModified and FromModifiedDate agree.
        file = company or CompanyFile(
            seed_demo=True, clock=clock, edition=edition, multi_currency=multi_currency
        )
        place = Office(app, http, file, clock)
        if install:
            await place.install()
        yield place
