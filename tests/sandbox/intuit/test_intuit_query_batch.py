"""The query language and the batch endpoint."""

from __future__ import annotations

import httpx
import pytest

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from tests.sandbox.intuit.intuit_helpers import QboApi, fault_codes


@pytest.fixture
async def customers(qbo: QboApi) -> list[str]:
    names = ["Bob's Burgers", "Bobcat Outfitters", "Zebra Print", "Inactive Ink"]
    for name in names:
        await qbo.created("customer", {"DisplayName": name}, "Customer")
    inactive = (await qbo.query("select * from Customer where DisplayName = 'Inactive Ink'")).json()
    customer = inactive["QueryResponse"]["Customer"][0]
    await qbo.post(
        "customer",
        {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True, "Active": False},
    )
    return names


def names(response: httpx.Response) -> list[str]:
    return [c["DisplayName"] for c in response.json()["QueryResponse"].get("Customer", [])]


async def test_equality_with_an_escaped_quote(qbo: QboApi, customers: list[str]) -> None:
    response = await qbo.query(r"SELECT * FROM Customer WHERE DisplayName = 'Bob\'s Burgers'")
    assert response.status_code == 200
    assert names(response) == ["Bob's Burgers"]
    assert response.json()["QueryResponse"]["startPosition"] == 1
    assert response.json()["QueryResponse"]["maxResults"] == 1


async def test_like_and_in(qbo: QboApi, customers: list[str]) -> None:
    assert sorted(names(await qbo.query("select * from Customer where DisplayName LIKE 'bob%'"))) == [
        "Bob's Burgers",
        "Bobcat Outfitters",
    ]
    assert names(
        await qbo.query("select * from Customer where DisplayName in ('Zebra Print', 'Nobody')")
    ) == ["Zebra Print"]


async def test_inactive_names_are_left_out_unless_asked_for(qbo: QboApi, customers: list[str]) -> None:
    assert "Inactive Ink" not in names(await qbo.query("select * from Customer"))
    assert names(await qbo.query("select * from Customer where Active = false")) == ["Inactive Ink"]
    both = names(await qbo.query("select * from Customer where Active IN (true, false)"))
    assert "Inactive Ink" in both and "Zebra Print" in both


async def test_paging_and_count(qbo: QboApi, customers: list[str]) -> None:
    total = (await qbo.query("select count(*) from Customer")).json()["QueryResponse"]["totalCount"]
    assert total == 5  # two seeded plus three active ones
    # Active, ordered: Acme Promotions, Bayside Events, Bob's Burgers, Bobcat Outfitters, Zebra Print.
    page = await qbo.query("select * from Customer ORDERBY DisplayName STARTPOSITION 2 MAXRESULTS 2")
    assert names(page) == ["Bayside Events", "Bob's Burgers"]
    assert page.json()["QueryResponse"]["startPosition"] == 2
    descending = await qbo.query("select * from Customer ORDERBY DisplayName DESC MAXRESULTS 1")
    assert names(descending) == ["Zebra Print"]


async def test_no_match_gives_an_empty_query_response(qbo: QboApi) -> None:
    response = await qbo.query("select * from Customer where DisplayName = 'Nobody'")
    assert response.json()["QueryResponse"] == {}


async def test_reference_fields_filter_by_id(qbo: QboApi) -> None:
    item = await qbo.created(
        "item", {"Name": "Pen", "Type": "Service", "IncomeAccountRef": {"value": "1"}}, "Item"
    )
    response = await qbo.query("select * from Item where IncomeAccountRef = '1'")
    assert [i["Name"] for i in response.json()["QueryResponse"]["Item"]] == [item["Name"]]


async def test_maxresults_over_1000_is_refused(qbo: QboApi) -> None:
    response = await qbo.query("select * from Customer maxresults 1001")
    assert fault_codes(response) == ["4001"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("select * from Customer where Nickname = 'x'", "4001"),
        ("select DisplayName from Customer", "4000"),
        ("select * from Customer where DisplayName = 'a' or DisplayName = 'b'", "4000"),
        ("select * from Nothing", "4000"),
    ],
)
async def test_bad_queries_get_query_faults(qbo: QboApi, query: str, code: str) -> None:
    response = await qbo.query(query)
    assert response.status_code == 400
    assert fault_codes(response) == [code]


async def test_query_can_be_posted_as_application_text(
    http: httpx.AsyncClient, qbo: QboApi, customers: list[str]
) -> None:
    response = await http.post(
        f"{qbo.base}/query",
        content="select * from Customer where DisplayName = 'Zebra Print'",
        headers={**qbo.headers(), "Content-Type": "application/text"},
        params=qbo.params(),
    )
    assert names(response) == ["Zebra Print"]


async def test_batch_runs_items_independently_with_a_fault_per_item(
    qbo: QboApi, sandbox: IntuitSandbox
) -> None:
    response = await qbo.batch(
        [
            {"bId": "c1", "operation": "create", "Customer": {"DisplayName": "Batch Buyer"}},
            {"bId": "c2", "operation": "create", "Customer": {"DisplayName": "acme promotions"}},
            {"bId": "q1", "Query": "select * from Customer where DisplayName = 'Acme Promotions'"},
        ]
    )
    assert response.status_code == 200
    items = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    assert items["c1"]["Customer"]["DisplayName"] == "Batch Buyer"
    assert items["c2"]["Fault"]["Error"][0]["code"] == "6240"
    assert items["q1"]["QueryResponse"]["Customer"][0]["Id"] == "1"
    assert sum(c["DisplayName"] == "Batch Buyer" for c in sandbox.entities(DEMO_REALM_ID, "Customer")) == 1


async def test_batch_items_do_not_see_entities_created_earlier_in_the_batch(qbo: QboApi) -> None:
    response = await qbo.batch(
        [
            {"bId": "1", "operation": "create", "Customer": {"DisplayName": "Fresh Face"}},
            {
                "bId": "2",
                "operation": "create",
                "Invoice": {
                    "CustomerRef": {"value": "3"},
                    "Line": [
                        {
                            "Amount": 5,
                            "DetailType": "SalesItemLineDetail",
                            "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
                        }
                    ],
                },
            },
        ]
    )
    items = response.json()["BatchItemResponse"]
    assert items[0]["Customer"]["Id"] == "3"
    assert items[1]["Fault"]["Error"][0]["code"] == "2500"
    later = await qbo.post(
        "invoice",
        {
            "CustomerRef": {"value": "3"},
            "Line": [
                {
                    "Amount": 5,
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
                }
            ],
        },
    )
    assert later.status_code == 200


async def test_batch_update_and_delete(qbo: QboApi) -> None:
    customer = await qbo.created("customer", {"DisplayName": "To Update"}, "Customer")
    invoice = await qbo.created(
        "invoice",
        {
            "CustomerRef": {"value": "1"},
            "Line": [
                {
                    "Amount": 5,
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
                }
            ],
        },
        "Invoice",
    )
    response = await qbo.batch(
        [
            {
                "bId": "u",
                "operation": "update",
                "Customer": {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "vip"},
            },
            {"bId": "d", "operation": "delete", "Invoice": {"Id": invoice["Id"], "SyncToken": "0"}},
            {"bId": "x", "operation": "void", "Invoice": {"Id": invoice["Id"], "SyncToken": "0"}},
        ]
    )
    items = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    assert items["u"]["Customer"]["Notes"] == "vip"
    assert items["d"]["Invoice"]["status"] == "Deleted"
    assert "Fault" in items["x"]


async def test_batch_of_more_than_30_items_is_refused_whole(qbo: QboApi, sandbox: IntuitSandbox) -> None:
    items = [
        {"bId": str(i), "operation": "create", "Customer": {"DisplayName": f"Bulk {i}"}} for i in range(31)
    ]
    response = await qbo.batch(items)
    assert response.status_code == 400
    assert fault_codes(response) == ["2010"]
    assert not any(c["DisplayName"].startswith("Bulk") for c in sandbox.entities(DEMO_REALM_ID, "Customer"))


async def test_batch_item_without_bid_or_with_a_misspelt_field_faults_alone(qbo: QboApi) -> None:
    response = await qbo.batch(
        [
            {"operation": "create", "Customer": {"DisplayName": "No bId"}},
            {"bId": "2", "operation": "create", "Customer": {"DisplayNme": "Typo"}},
        ]
    )
    faults_by_item = [item["Fault"]["Error"][0]["code"] for item in response.json()["BatchItemResponse"]]
    assert faults_by_item == ["2020", "2010"]
