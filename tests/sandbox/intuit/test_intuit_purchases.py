"""Bills and purchase orders: totals, and a bill linked to a PO marks it received and closed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.sandbox.intuit.intuit_helpers import QboApi, decimal_json, fault_codes

VENDOR = {"value": "1"}  # "Demo Supplier Co", seeded


@pytest.fixture
async def item_id(qbo: QboApi) -> str:
    item = await qbo.created(
        "item",
        {
            "Name": "A7102",
            "Type": "NonInventory",
            "IncomeAccountRef": {"value": "1"},
            "PurchaseCost": 1.15,
            "ExpenseAccountRef": {"value": "3"},
        },
        "Item",
    )
    return str(item["Id"])


def item_line(item_id: str, qty: int, price: float, **extra: Any) -> dict[str, Any]:
    return {
        "Amount": round(qty * price, 2),
        "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item_id}, "Qty": qty, "UnitPrice": price},
        **extra,
    }


def po_link(po: dict[str, Any], line_index: int = 0) -> list[dict[str, str]]:
    return [{"TxnId": po["Id"], "TxnType": "PurchaseOrder", "TxnLineId": po["Line"][line_index]["Id"]}]


async def create_po(qbo: QboApi, lines: list[dict[str, Any]]) -> dict[str, Any]:
    return await qbo.created("purchaseorder", {"VendorRef": VENDOR, "Line": lines}, "PurchaseOrder")


async def test_purchase_order_totals_and_starts_open(qbo: QboApi, item_id: str) -> None:
    po = await create_po(qbo, [item_line(item_id, 100, 1.15), item_line(item_id, 1, 25.0)])
    assert po["TotalAmt"] == Decimal("140.00")
    assert po["POStatus"] == "Open"
    assert [line["Id"] for line in po["Line"]] == ["1", "2"]
    assert po["APAccountRef"]["name"] == "Accounts Payable (A/P)"


async def test_bill_linked_to_every_po_line_closes_the_po(qbo: QboApi, item_id: str) -> None:
    po = await create_po(qbo, [item_line(item_id, 100, 1.15)])
    bill = await qbo.created(
        "bill", {"VendorRef": VENDOR, "Line": [item_line(item_id, 100, 1.15, LinkedTxn=po_link(po))]}, "Bill"
    )
    assert bill["TotalAmt"] == Decimal("115.00")
    assert bill["Balance"] == Decimal("115.00")
    assert bill["LinkedTxn"] == [{"TxnId": po["Id"], "TxnType": "PurchaseOrder"}]
    assert bill["Line"][0]["LinkedTxn"] == po_link(po)

    after = decimal_json(await qbo.read("purchaseorder", po["Id"]))["PurchaseOrder"]
    assert after["POStatus"] == "Closed"
    assert after["LinkedTxn"] == [{"TxnId": bill["Id"], "TxnType": "Bill"}]
    assert after["Line"][0]["Received"] == Decimal("100")
    assert after["SyncToken"] == "1"


async def test_partly_billed_po_stays_open(qbo: QboApi, item_id: str) -> None:
    po = await create_po(qbo, [item_line(item_id, 100, 1.15), item_line(item_id, 1, 25.0)])
    await qbo.created(
        "bill",
        {"VendorRef": VENDOR, "Line": [item_line(item_id, 100, 1.15, LinkedTxn=po_link(po, 0))]},
        "Bill",
    )
    after = decimal_json(await qbo.read("purchaseorder", po["Id"]))["PurchaseOrder"]
    assert after["POStatus"] == "Open"
    assert "Received" not in after["Line"][1]


async def test_invalid_po_link_is_dropped_silently(qbo: QboApi, item_id: str) -> None:
    po = await create_po(qbo, [item_line(item_id, 10, 1.0)])
    links = [
        {"TxnId": po["Id"], "TxnType": "PurchaseOrder"},  # no TxnLineId
        {"TxnId": "999", "TxnType": "PurchaseOrder", "TxnLineId": "1"},  # no such PO
    ]
    response = await qbo.post(
        "bill", {"VendorRef": VENDOR, "Line": [item_line(item_id, 10, 1.0, LinkedTxn=links)]}
    )
    assert response.status_code == 200
    bill = response.json()["Bill"]
    assert "LinkedTxn" not in bill
    assert "LinkedTxn" not in bill["Line"][0]
    assert (await qbo.read("purchaseorder", po["Id"])).json()["PurchaseOrder"]["POStatus"] == "Open"


async def test_link_to_another_vendors_po_is_dropped(qbo: QboApi, item_id: str) -> None:
    other = await qbo.created("vendor", {"DisplayName": "Other Supplier"}, "Vendor")
    po = await qbo.created(
        "purchaseorder",
        {"VendorRef": {"value": other["Id"]}, "Line": [item_line(item_id, 1, 1.0)]},
        "PurchaseOrder",
    )
    bill = await qbo.created(
        "bill", {"VendorRef": VENDOR, "Line": [item_line(item_id, 1, 1.0, LinkedTxn=po_link(po))]}, "Bill"
    )
    assert "LinkedTxn" not in bill


async def test_deleting_the_bill_reopens_the_po(qbo: QboApi, item_id: str) -> None:
    po = await create_po(qbo, [item_line(item_id, 10, 1.0)])
    bill = await qbo.created(
        "bill", {"VendorRef": VENDOR, "Line": [item_line(item_id, 10, 1.0, LinkedTxn=po_link(po))]}, "Bill"
    )
    assert (await qbo.read("purchaseorder", po["Id"])).json()["PurchaseOrder"]["POStatus"] == "Closed"
    await qbo.post("bill", {"Id": bill["Id"], "SyncToken": bill["SyncToken"]}, operation="delete")
    reopened = (await qbo.read("purchaseorder", po["Id"])).json()["PurchaseOrder"]
    assert reopened["POStatus"] == "Open"
    assert "LinkedTxn" not in reopened


async def test_po_with_a_bill_cannot_be_deleted(qbo: QboApi, item_id: str) -> None:
    po = await create_po(qbo, [item_line(item_id, 10, 1.0)])
    await qbo.created(
        "bill", {"VendorRef": VENDOR, "Line": [item_line(item_id, 10, 1.0, LinkedTxn=po_link(po))]}, "Bill"
    )
    current = (await qbo.read("purchaseorder", po["Id"])).json()["PurchaseOrder"]
    response = await qbo.post(
        "purchaseorder", {"Id": po["Id"], "SyncToken": current["SyncToken"]}, operation="delete"
    )
    assert fault_codes(response) == ["6000"]


async def test_account_based_bill_line_needs_an_existing_account(qbo: QboApi) -> None:
    line = {
        "Amount": 12.5,
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "77"}},
    }
    assert fault_codes(await qbo.post("bill", {"VendorRef": VENDOR, "Line": [line]})) == ["2500"]
    line["AccountBasedExpenseLineDetail"] = {
        "AccountRef": {"value": "9"},
        "BillableStatus": "Billable",
        "CustomerRef": {"value": "1"},
    }
    bill = await qbo.created("bill", {"VendorRef": VENDOR, "Line": [line]}, "Bill")
    detail = bill["Line"][0]["AccountBasedExpenseLineDetail"]
    assert detail["BillableStatus"] == "Billable"
    assert detail["CustomerRef"]["name"] == "Acme Promotions"


async def test_po_closed_by_hand_stays_closed_and_a_carried_status_does_not_count(
    qbo: QboApi, item_id: str
) -> None:
    po = await create_po(qbo, [item_line(item_id, 10, 1.0)])
    closed = await qbo.post(
        "purchaseorder", {"Id": po["Id"], "SyncToken": "0", "sparse": True, "POStatus": "Closed"}
    )
    assert closed.json()["PurchaseOrder"]["POStatus"] == "Closed"

    billed = await create_po(qbo, [item_line(item_id, 10, 1.0)])
    bill = await qbo.created(
        "bill",
        {"VendorRef": VENDOR, "Line": [item_line(item_id, 10, 1.0, LinkedTxn=po_link(billed))]},
        "Bill",
    )
    current = (await qbo.read("purchaseorder", billed["Id"])).json()["PurchaseOrder"]
    memo = await qbo.post(
        "purchaseorder",
        {"Id": billed["Id"], "SyncToken": current["SyncToken"], "sparse": True, "Memo": "rush"},
    )
    assert memo.json()["PurchaseOrder"]["POStatus"] == "Closed"
    await qbo.post("bill", {"Id": bill["Id"], "SyncToken": bill["SyncToken"]}, operation="delete")
    assert (await qbo.read("purchaseorder", billed["Id"])).json()["PurchaseOrder"]["POStatus"] == "Open"
