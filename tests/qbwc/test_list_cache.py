"""The QuickBooks Desktop list cache: read page by page with iterators, refreshed incrementally, and
answering the /v1/quickbooks lookups."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from qb_sandbox.desktop import CompanyFile
from qb_sandbox.webconnector import SessionOutcome
from qbwc_gateway.listcache import PAGE_SIZE
from tests.qbwc.harness import Office, office


def add_customers(books: CompanyFile, names: list[str]) -> None:
    adds = "".join(
        f'<CustomerAddRq requestID="{n}"><CustomerAdd><Name>{name}</Name></CustomerAdd></CustomerAddRq>'
        for n, name in enumerate(names)
    )
    books.process(
        '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        f"{adds}</QBXMLMsgsRq></QBXML>"
    )


async def lookup(desk: Office, kind: str, **params: str) -> dict[str, object]:
    response = await desk.http.get(f"/v1/quickbooks/{kind}", headers=desk.headers(), params=params)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


async def test_big_lists_are_read_page_by_page(database_url: str) -> None:
    books = CompanyFile(seed_demo=True)
    add_customers(books, [f"Customer {n:03d}" for n in range(250)])
    async with office(database_url, company=books) as desk:
        report = await desk.read_lists()
        page = await lookup(desk, "customers", q="Customer 24", limit="50")
        status = await desk.status()

    assert report.outcome is SessionOutcome.COMPLETED
    # 250 customers, 100 a page: three round trips; the small lists are done in the first.
    assert report.round_trips == 3
    first, second, third = (e.request_xml for e in report.exchanges)
    assert 'iterator="Start"' in first and f"<MaxReturned>{PAGE_SIZE}</MaxReturned>" in first
    assert "AccountQueryRq" in first and "AccountQueryRq" not in second
    assert 'iterator="Continue"' in second and "<CustomerQueryRq" in third
    # Progress follows QuickBooks' remaining counts: 100 only when the last page is in.
    first_page, second_page, last = report.progress
    assert 0 < first_page < second_page < 100 == last
    assert status["cache"]["entries"]["Customer"] == 250
    assert [item["name"] for item in page["items"]] == [f"Customer {n}" for n in range(240, 250)]  # type: ignore[union-attr]
    assert page["source"] == "web_connector_cache"
    assert page["refreshed_at"] == status["cache"]["refreshed_at"]


async def test_later_refreshes_ask_only_for_what_changed_a_minute_back(desk: Office) -> None:
    await desk.read_lists()
    refreshed_at = datetime.fromisoformat(
        (await desk.status())["cache"]["refreshed_at"].replace("Z", "+00:00")
    )
    desk.clock.advance(hours=2)  # past the cache's maximum age: the next poll refreshes it
    add_customers(desk.company, ["Harbor Dental"])

    report = await desk.update()
    page = await lookup(desk, "customers", q="harbor")

    assert report.outcome is SessionOutcome.COMPLETED
    [since] = set(
        re.findall(r"<FromModifiedDate>([^<]+)</FromModifiedDate>", report.exchanges[0].request_xml)
    )
    assert datetime.fromisoformat(since) == (refreshed_at - timedelta(minutes=1)).replace(microsecond=0)
    assert [item["name"] for item in page["items"]] == ["Harbor Dental"]  # type: ignore[union-attr]


async def test_lookups_filter_by_type_and_say_when_the_lists_were_read(desk: Office) -> None:
    before = await lookup(desk, "accounts")  # nothing read yet: this asks the next poll to read them
    await desk.update()

    income = await lookup(desk, "accounts", type="Income")
    tax = await lookup(desk, "tax-codes")
    methods_as_items = await lookup(desk, "items")

    assert before["items"] == [] and before["refreshed_at"] is None
    assert [(i["name"], i["type"]) for i in income["items"]] == [  # type: ignore[union-attr]
        ("Discounts Given", "Income"),
        ("Sales", "Income"),
    ]
    assert {(i["name"], i["type"]) for i in tax["items"]} == {  # type: ignore[union-attr]
        ("State Sales Tax", "SalesTax"),
        ("Tax", "Code"),
        ("Non", "Code"),
    }
    assert [i["name"] for i in methods_as_items["items"]] == ["State Sales Tax"]  # type: ignore[union-attr]
    assert income["refreshed_at"] is not None


async def test_a_search_is_taken_literally(desk: Office) -> None:
    add_customers(desk.company, ["100% Promo", "Promo Plus"])
    await desk.read_lists()

    assert [i["name"] for i in (await lookup(desk, "customers", q="0%"))["items"]] == ["100% Promo"]  # type: ignore[union-attr]
