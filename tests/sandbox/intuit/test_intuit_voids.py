"""Voiding in the Intuit sandbox, as QuickBooks Online does it: the transaction stays readable with its
amounts at zero and "Voided" as its private note, its number stays taken, what was applied to it comes
off, and the change notice says Void."""

from __future__ import annotations

from decimal import Decimal

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from tests.sandbox.intuit.intuit_helpers import QboApi, decimal_json, fault_codes
from tests.sandbox.intuit.test_intuit_invoices import CUSTOMER, create_invoice, item_id, sales_line

__all__ = ["item_id"]  # the fixture, shared with the invoice tests


def sales_line_json(item_id: str) -> dict[str, object]:
    return {
        "Amount": 5,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": item_id}, "Qty": 1, "UnitPrice": 5},
    }


async def test_a_voided_invoice_stays_with_zero_amounts_and_its_payment_comes_off(
    qbo: QboApi, item_id: str, sandbox: IntuitSandbox
) -> None:
    invoice = await create_invoice(qbo, [sales_line(item_id, "100", "2.30", "230.00")], DocNumber="10245")
    payment = await qbo.created(
        "payment",
        {
            "CustomerRef": CUSTOMER,
            "TotalAmt": 100,
            "Line": [{"Amount": 100, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
        "Payment",
    )
    current = sandbox.get(DEMO_REALM_ID, "Invoice", invoice["Id"])
    assert current is not None

    response = await qbo.post(
        "invoice", {"Id": invoice["Id"], "SyncToken": current["SyncToken"]}, operation="void"
    )

    assert response.status_code == 200, response.text
    voided = decimal_json(await qbo.read("invoice", invoice["Id"]))["Invoice"]
    assert voided["PrivateNote"] == "Voided"
    assert voided["TotalAmt"] == voided["Balance"] == Decimal("0")
    assert {line["Amount"] for line in voided["Line"]} == {Decimal("0")}
    assert voided["DocNumber"] == "10245"
    unapplied = decimal_json(await qbo.read("payment", payment["Id"]))["Payment"]
    assert unapplied["UnappliedAmt"] == Decimal("100")
    # The voided invoice keeps its number: another invoice cannot take it.
    again = await qbo.post(
        "invoice",
        {"CustomerRef": CUSTOMER, "DocNumber": "10245", "Line": [sales_line_json(item_id)]},
    )
    assert fault_codes(again) == ["6140"]


async def test_voiding_with_an_old_sync_token_is_a_stale_object(qbo: QboApi, item_id: str) -> None:
    invoice = await create_invoice(qbo, [sales_line(item_id, "1", "5.00", "5.00")])
    await qbo.post("invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]}, operation="void")

    response = await qbo.post(
        "invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]}, operation="void"
    )

    assert fault_codes(response) == ["5010"]


async def test_a_payment_is_voided_by_an_update_with_include_void(
    qbo: QboApi, item_id: str, sandbox: IntuitSandbox
) -> None:
    invoice = await create_invoice(qbo, [sales_line(item_id, "1", "50.00", "50.00")])
    payment = await qbo.created(
        "payment",
        {
            "CustomerRef": CUSTOMER,
            "TotalAmt": 50,
            "Line": [{"Amount": 50, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
        "Payment",
    )

    response = await qbo.post(
        "payment",
        {"Id": payment["Id"], "SyncToken": payment["SyncToken"], "sparse": True},
        operation="update",
        include="void",
    )

    assert response.status_code == 200, response.text
    assert decimal_json(response)["Payment"]["TotalAmt"] == Decimal("0")
    reopened = sandbox.get(DEMO_REALM_ID, "Invoice", invoice["Id"])
    assert reopened is not None and reopened["Balance"] == 50


async def test_bills_cannot_be_voided(qbo: QboApi) -> None:
    response = await qbo.post("bill", {"Id": "1", "SyncToken": "0"}, operation="void")
    assert fault_codes(response) == ["500"]  # Unsupported Operation
