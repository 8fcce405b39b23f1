"""The QBO client's ordinary calls against the Intuit sandbox: what every call carries, paging,
quoting, batch answers and the exactly-once guarantee of requestid."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qbo_gateway.client import BatchItem, QboClient, ValidationFault, quote, request_id

ACME = "acme"


async def test_every_call_sends_minorversion_75_and_every_write_a_requestid(
    client: QboClient, sandbox: IntuitSandbox
) -> None:
    created = await client.create(ACME, "Customer", {"DisplayName": "Harbor Florists"}, request_id="r-1")
    await client.read(ACME, "Customer", created["Id"])
    await client.query(ACME, "SELECT * FROM Customer")
    await client.update(
        ACME,
        "Customer",
        {"Id": created["Id"], "SyncToken": created["SyncToken"], "CompanyName": "Harbor"},
        request_id="r-2",
    )
    await client.batch(ACME, [BatchItem.create("b1", "Vendor", {"DisplayName": "Ink Co"})], request_id="r-3")

    assert sandbox.counters.minor_versions == ["75"] * 5
    assert sandbox.counters.request_ids == ["r-1", "r-2", "r-3"]


async def test_a_repeated_requestid_is_answered_from_the_first_write(
    client: QboClient, sandbox: IntuitSandbox
) -> None:
    rid = request_id("job-1", "customer:create")
    first = await client.create(ACME, "Customer", {"DisplayName": "Lakeside Dental"}, request_id=rid)
    again = await client.create(ACME, "Customer", {"DisplayName": "Lakeside Dental"}, request_id=rid)

    assert again["Id"] == first["Id"]
    assert [c["DisplayName"] for c in sandbox.entities(DEMO_REALM_ID, "Customer")].count(
        "Lakeside Dental"
    ) == 1


def test_request_ids_are_stable_per_job_and_write_and_fit_intuits_limits() -> None:
    assert request_id("job-1", "invoice") == request_id("job-1", "invoice")
    assert request_id("job-1", "invoice") != request_id("job-2", "invoice")
    assert request_id("job-1", "invoice") != request_id("job-1", "invoice", "update@3")
    assert len(request_id("job-1", "invoice")) == 36  # batch requestids may not exceed 36 characters


async def test_money_travels_as_exact_decimals(client: QboClient) -> None:
    customer = await client.create(ACME, "Customer", {"DisplayName": "Decimal Dental"}, request_id="r-money")
    services = (await client.query(ACME, "SELECT * FROM Item WHERE Name = 'Services'"))["Item"][0]
    invoice = await client.create(
        ACME,
        "Invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": Decimal("230.00"),
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": services["Id"]},
                        "Qty": Decimal(100),
                        "UnitPrice": Decimal("2.30"),
                    },
                }
            ],
        },
        request_id="r-money-inv",
    )
    assert invoice["TotalAmt"] == Decimal("230.00")
    assert isinstance(invoice["Line"][0]["SalesItemLineDetail"]["UnitPrice"], Decimal)
    with pytest.raises(TypeError):
        await client.create(ACME, "Customer", {"DisplayName": "Float", "Balance": 1.1}, request_id="r-float")


async def test_query_all_pages_through_every_record(client: QboClient) -> None:
    for n in range(7):
        await client.create(ACME, "Vendor", {"DisplayName": f"Supplier {n}"}, request_id=f"r-v{n}")

    found = await client.query_all(ACME, "Vendor", "SELECT * FROM Vendor ORDERBY DisplayName", page_size=3)

    names = [v["DisplayName"] for v in found]
    assert len(names) == 8  # the seeded "Demo Supplier Co" and ours, each once
    assert len(set(names)) == 8


async def test_quotes_and_backslashes_in_names_are_escaped(client: QboClient) -> None:
    name = "O'Brien \\ Sons"
    await client.create(ACME, "Customer", {"DisplayName": name}, request_id="r-q")

    rows = (await client.query(ACME, f"SELECT * FROM Customer WHERE DisplayName = {quote(name)}"))["Customer"]

    assert [r["DisplayName"] for r in rows] == [name]


async def test_a_batch_answers_each_item_on_its_own(client: QboClient) -> None:
    results = await client.batch(
        ACME,
        [
            BatchItem.create("ok", "Customer", {"DisplayName": "Batch Buyer"}),
            BatchItem.create("dup", "Customer", {"DisplayName": "Acme Promotions"}),
            BatchItem.select("find", "SELECT * FROM Customer WHERE DisplayName = 'Bayside Events'"),
        ],
        request_id="r-batch",
    )

    assert results["ok"].entity is not None and results["ok"].entity["DisplayName"] == "Batch Buyer"
    assert results["dup"].error is not None and results["dup"].error.code == "6240"
    assert results["find"].query_response is not None
    assert results["find"].query_response["Customer"][0]["DisplayName"] == "Bayside Events"


async def test_more_than_thirty_batch_items_are_refused_before_sending(
    client: QboClient, sandbox: IntuitSandbox
) -> None:
    items = [BatchItem.create(f"b{n}", "Vendor", {"DisplayName": f"V{n}"}) for n in range(31)]
    with pytest.raises(ValueError, match="1 to 30"):
        await client.batch(ACME, items, request_id="r-big")
    assert sandbox.api_calls[DEMO_REALM_ID] == 0


async def test_a_validation_fault_carries_intuits_words(client: QboClient) -> None:
    with pytest.raises(ValidationFault) as caught:
        await client.create(ACME, "Item", {"Name": "No account", "Type": "Service"}, request_id="r-item")
    assert caught.value.code == "2020"
    assert "IncomeAccountRef" in caught.value.plain
