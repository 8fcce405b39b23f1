"""QuickBooks Desktop: two ESP customers of the same name never share one QuickBooks customer, even
when their orders go in the same Web Connector update and someone adds an unowned customer of that
name by hand while it runs (so both orders meet it as "the name is already in use", 3100)."""

from __future__ import annotations

from typing import Any

from espqb.db import Database
from espqb.mappings import repository as mappings_repository
from qb_sandbox.desktop import CompanyFile
from qb_sandbox.webconnector import SessionOutcome
from tests.qbwc.harness import COMPANY, Office, a7102

PAIRS = 20


def add_customers(books: CompanyFile, names: list[str]) -> None:
    adds = "".join(
        f'<CustomerAddRq requestID="{n}"><CustomerAdd><Name>{name}</Name></CustomerAdd></CustomerAddRq>'
        for n, name in enumerate(names)
    )
    books.process(
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        f"{adds}</QBXMLMsgsRq></QBXML>"
    )


class AddedByHandMidUpdate:
    """The company file, where someone adds the namesakes just before the first order arrives."""

    def __init__(self, books: CompanyFile, names: list[str]) -> None:
        self.books = books
        self.names = names

    def __getattr__(self, name: str) -> Any:
        return getattr(self.books, name)

    def process(self, request_xml: str) -> str:
        if self.names and "CustomerAddRq" in request_xml:
            add_customers(self.books, self.names)
            self.names = []
        return self.books.process(request_xml)


def order(number: str, customer_id: str, company_name: str) -> dict[str, Any]:
    body = a7102(number)
    body["order"]["customer"]["esp_id"] = customer_id
    body["order"]["customer"]["company_name"] = company_name
    body["order"]["payments"] = []
    body["order"]["total"] = "218.50"
    for supplier in body["choices"]["suppliers"].values():
        supplier.update(send_bill=False, send_purchase_order=False)
    return body


async def test_pairs_of_namesakes_get_one_quickbooks_customer_each(desk: Office) -> None:
    report = await desk.read_lists()
    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    names = [f"Acme Promotions {n:02}" for n in range(PAIRS)]
    orders: dict[str, str] = {}
    jobs = []
    for n, name in enumerate(names):
        for side in ("A", "B"):
            number = f"2{n:02}{side}"
            orders[number] = f"C{n:02}{side}"
            jobs.append((await desk.send(order(number, orders[number], name)))["id"])
    web_connector = desk.web_connector()
    web_connector.company = AddedByHandMidUpdate(desk.company, names)

    for _ in range(4):
        report = await web_connector.run_once()
        assert report.outcome is SessionOutcome.COMPLETED, report.last_error
        statuses = [(await desk.job(job))["status"] for job in jobs]
        if set(statuses) == {"succeeded"}:
            break

    assert statuses == ["succeeded"] * len(jobs)
    mappings = (await desk.http.get("/v1/mappings?kind=customer&limit=500", headers=desk.headers())).json()
    customer_of = {m["esp_key"]: m["qb_id"] for m in mappings["items"]}
    assert sorted(customer_of) == sorted(orders.values())
    assert len(set(customer_of.values())) == 2 * PAIRS
    invoices = {i["RefNumber"]: i["CustomerRef"]["ListID"] for i in desk.company.documents("Invoice")}
    assert len(invoices) == 2 * PAIRS
    for number, esp_customer in orders.items():
        assert invoices[number] == customer_of[esp_customer], number
    display = {c["ListID"]: c["Name"] for c in desk.company.documents("Customer")}
    for n, name in enumerate(names):
        pair = {display[customer_of[f"C{n:02}{side}"]] for side in ("A", "B")}
        assert len(pair) == 2 and all(taken.startswith(name) for taken in pair), pair
    assert len(desk.company.find("Customer", Name=names[0])) == 1


async def test_a_customer_found_by_name_that_another_esp_customer_owns_is_not_adopted(
    desk: Office, database_url: str
) -> None:
    report = await desk.read_lists()
    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    # Added by hand after the lists were read, and already another ESP customer's (known by id only).
    add_customers(desk.company, ["Acme Promotions"])
    [owned] = desk.company.find("Customer", Name="Acme Promotions")
    db = Database.from_url(database_url)
    try:
        async with db.transaction() as session:
            await mappings_repository.upsert(
                session,
                company_id=COMPANY,
                target="qbd",
                kind="customer",
                esp_key="C-OTHER",
                qb_id=owned["ListID"],
                origin="linked",
            )
    finally:
        await db.dispose()
    job = await desk.send(order("30001", "C3001", "Acme Promotions"))

    report = await desk.update()

    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    finished = await desk.job(job["id"])
    assert finished["status"] == "succeeded", finished
    [invoice] = desk.company.documents("Invoice")
    [mine] = desk.company.find("Customer", Name="Acme Promotions (Customer)")
    assert invoice["CustomerRef"]["ListID"] == mine["ListID"] != owned["ListID"]
    mappings = (await desk.http.get("/v1/mappings?kind=customer", headers=desk.headers())).json()["items"]
    assert sorted((m["esp_key"], m["qb_id"]) for m in mappings) == [
        ("C-OTHER", owned["ListID"]),
        ("C3001", mine["ListID"]),
    ]
