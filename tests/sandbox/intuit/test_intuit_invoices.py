"""What the server computes on invoices and payments: totals, discount, tax, balance, links."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from qb_sandbox.intuit import DEMO_REALM_ID, DEMO_TAX_CODE_ID, IntuitSandbox
from tests.sandbox.intuit.intuit_helpers import QboApi, decimal_json, fault_codes

CUSTOMER = {"value": "1"}  # "Acme Promotions", seeded


@pytest.fixture
async def item_id(qbo: QboApi) -> str:
    item = await qbo.created(
        "item",
        {"Name": "A7102", "Type": "NonInventory", "IncomeAccountRef": {"value": "1"}, "Taxable": True},
        "Item",
    )
    return str(item["Id"])


def sales_line(item_id: str, qty: str, price: str, amount: str, **detail: Any) -> dict[str, Any]:
    return {
        "Amount": Decimal(amount),
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {
            "ItemRef": {"value": item_id},
            "Qty": Decimal(qty),
            "UnitPrice": Decimal(price),
            **detail,
        },
    }


def discount_amount(amount: str) -> dict[str, Any]:
    return {
        "Amount": Decimal(amount),
        "DetailType": "DiscountLineDetail",
        "DiscountLineDetail": {"PercentBased": False},
    }


def as_json(body: Any) -> Any:
    """Decimals as JSON numbers, the way httpx's json= would send floats."""
    if isinstance(body, Decimal):
        return float(body)
    if isinstance(body, dict):
        return {k: as_json(v) for k, v in body.items()}
    if isinstance(body, list):
        return [as_json(v) for v in body]
    return body


async def create_invoice(qbo: QboApi, lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return await qbo.created("invoice", as_json({"CustomerRef": CUSTOMER, "Line": lines, **extra}), "Invoice")


async def test_a7102_total_discount_payment_and_balance_to_the_cent(qbo: QboApi, item_id: str) -> None:
    invoice = await create_invoice(
        qbo, [sales_line(item_id, "100", "2.30", "230.00"), discount_amount("11.50")]
    )
    assert invoice["TotalAmt"] == Decimal("218.50")
    assert invoice["Balance"] == Decimal("218.50")
    subtotal = [line for line in invoice["Line"] if line["DetailType"] == "SubTotalLineDetail"]
    assert [line["Amount"] for line in subtotal] == [Decimal("230.00")]

    payment_response = await qbo.post(
        "payment",
        {
            "CustomerRef": CUSTOMER,
            "TotalAmt": 100.00,
            "Line": [{"Amount": 100.00, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    assert payment_response.status_code == 200
    payment = decimal_json(payment_response)["Payment"]
    assert payment["UnappliedAmt"] == Decimal("0")

    after = decimal_json(await qbo.read("invoice", invoice["Id"]))["Invoice"]
    assert after["Balance"] == Decimal("118.50")
    assert after["TotalAmt"] == Decimal("218.50")
    assert after["SyncToken"] == "1"  # applying a payment bumps the invoice (docs/quickbooks-online.md §2.3)
    assert after["LinkedTxn"] == [{"TxnId": payment["Id"], "TxnType": "Payment"}]


async def test_percent_discount_is_taken_from_the_subtotal(qbo: QboApi, item_id: str) -> None:
    discount = {
        "DetailType": "DiscountLineDetail",
        "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 5},
    }
    invoice = await create_invoice(qbo, [sales_line(item_id, "100", "2.30", "230.00"), discount])
    discount_line = next(line for line in invoice["Line"] if line["DetailType"] == "DiscountLineDetail")
    assert discount_line["Amount"] == Decimal("11.50")
    assert invoice["TotalAmt"] == Decimal("218.50")


async def test_tax_code_rate_applies_to_taxable_lines_only(qbo: QboApi, item_id: str) -> None:
    lines = [
        sales_line(item_id, "100", "2.30", "230.00", TaxCodeRef={"value": "TAX"}),
        sales_line(item_id, "1", "45.00", "45.00", TaxCodeRef={"value": "NON"}),
    ]
    invoice = await create_invoice(qbo, lines, TxnTaxDetail={"TxnTaxCodeRef": {"value": DEMO_TAX_CODE_ID}})
    # 8.25 % of the taxable 230.00 is 18.975, rounded half-up to 18.98.
    assert invoice["TxnTaxDetail"]["TotalTax"] == Decimal("18.98")
    tax_line = invoice["TxnTaxDetail"]["TaxLine"][0]["TaxLineDetail"]
    assert tax_line["TaxPercent"] == Decimal("8.25")
    assert tax_line["NetAmountTaxable"] == Decimal("230.00")
    assert invoice["TotalAmt"] == Decimal("293.98")


async def test_tax_after_discount_lowers_the_taxable_base(qbo: QboApi, item_id: str) -> None:
    lines = [
        sales_line(item_id, "100", "2.30", "230.00", TaxCodeRef={"value": "TAX"}),
        discount_amount("11.50"),
    ]
    code = {"TxnTaxCodeRef": {"value": DEMO_TAX_CODE_ID}}
    before = await create_invoice(qbo, lines, TxnTaxDetail=code)
    after = await create_invoice(qbo, lines, TxnTaxDetail=code, ApplyTaxAfterDiscount=True)
    assert before["TxnTaxDetail"]["TotalTax"] == Decimal("18.98")  # 8.25 % of 230.00
    assert after["TxnTaxDetail"]["TotalTax"] == Decimal("18.03")  # 8.25 % of 218.50 = 18.02625
    assert after["TotalAmt"] == Decimal("236.53")


async def test_total_tax_given_by_the_client_is_honoured(qbo: QboApi, item_id: str) -> None:
    invoice = await create_invoice(
        qbo,
        [sales_line(item_id, "100", "2.30", "230.00", TaxCodeRef={"value": "TAX"})],
        TxnTaxDetail={"TxnTaxCodeRef": {"value": DEMO_TAX_CODE_ID}, "TotalTax": 17.25},
    )
    assert invoice["TxnTaxDetail"]["TotalTax"] == Decimal("17.25")
    assert invoice["TotalAmt"] == Decimal("247.25")


async def test_line_amount_must_equal_qty_times_price(qbo: QboApi, item_id: str) -> None:
    response = await qbo.post(
        "invoice", as_json({"CustomerRef": CUSTOMER, "Line": [sales_line(item_id, "100", "2.30", "231.00")]})
    )
    assert fault_codes(response) == ["6070"]


async def test_two_discount_lines_fail_as_qbo_does(qbo: QboApi, item_id: str) -> None:
    lines = [sales_line(item_id, "100", "2.30", "230.00"), discount_amount("1.00"), discount_amount("2.00")]
    response = await qbo.post("invoice", as_json({"CustomerRef": CUSTOMER, "Line": lines}))
    assert fault_codes(response) == ["10000"]


async def test_line_tax_codes_are_tax_or_non(qbo: QboApi, item_id: str) -> None:
    line = sales_line(item_id, "1", "5.00", "5.00", TaxCodeRef={"value": DEMO_TAX_CODE_ID})
    assert fault_codes(await qbo.post("invoice", as_json({"CustomerRef": CUSTOMER, "Line": [line]}))) == [
        "6100"
    ]


async def test_doc_numbers_are_assigned_in_sequence_and_must_be_unique(qbo: QboApi, item_id: str) -> None:
    first = await create_invoice(qbo, [sales_line(item_id, "1", "5.00", "5.00")])
    second = await create_invoice(qbo, [sales_line(item_id, "1", "5.00", "5.00")])
    assert int(second["DocNumber"]) == int(first["DocNumber"]) + 1
    duplicate = await qbo.post(
        "invoice",
        as_json(
            {
                "CustomerRef": CUSTOMER,
                "DocNumber": first["DocNumber"],
                "Line": [sales_line(item_id, "1", "5.00", "5.00")],
            }
        ),
    )
    assert fault_codes(duplicate) == ["6140"]


async def test_payment_larger_than_what_it_applies_keeps_the_rest_unapplied(
    qbo: QboApi, item_id: str
) -> None:
    invoice = await create_invoice(qbo, [sales_line(item_id, "100", "2.30", "230.00")])
    payment = await qbo.created(
        "payment",
        {
            "CustomerRef": CUSTOMER,
            "TotalAmt": 300,
            "Line": [{"Amount": 230, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
        "Payment",
    )
    assert payment["UnappliedAmt"] == Decimal("70")
    paid = decimal_json(await qbo.read("invoice", invoice["Id"]))["Invoice"]
    assert paid["Balance"] == Decimal("0")


async def test_applying_more_than_the_open_balance_is_refused(qbo: QboApi, item_id: str) -> None:
    invoice = await create_invoice(qbo, [sales_line(item_id, "100", "2.30", "230.00")])
    response = await qbo.post(
        "payment",
        {
            "CustomerRef": CUSTOMER,
            "TotalAmt": 250,
            "Line": [{"Amount": 250, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    assert fault_codes(response) == ["6000"]


async def test_payment_for_another_customers_invoice_is_refused(qbo: QboApi, item_id: str) -> None:
    invoice = await create_invoice(qbo, [sales_line(item_id, "1", "5.00", "5.00")])
    response = await qbo.post(
        "payment",
        {
            "CustomerRef": {"value": "2"},
            "TotalAmt": 5,
            "Line": [{"Amount": 5, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    assert fault_codes(response) == ["6000"]


async def test_deleting_a_payment_restores_the_balance(
    qbo: QboApi, item_id: str, sandbox: IntuitSandbox
) -> None:
    invoice = await create_invoice(
        qbo, [sales_line(item_id, "100", "2.30", "230.00"), discount_amount("11.50")]
    )
    payment = await qbo.created(
        "payment",
        {
            "CustomerRef": CUSTOMER,
            "TotalAmt": 100,
            "Line": [{"Amount": 100, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
        "Payment",
    )
    deleted = await qbo.post(
        "payment", {"Id": payment["Id"], "SyncToken": payment["SyncToken"]}, operation="delete"
    )
    assert deleted.json()["Payment"] == {"domain": "QBO", "status": "Deleted", "Id": payment["Id"]}
    restored = sandbox.get(DEMO_REALM_ID, "Invoice", invoice["Id"])
    assert restored is not None
    assert restored["Balance"] == 218.5
    assert "LinkedTxn" not in restored
    assert fault_codes(await qbo.read("payment", payment["Id"])) == ["610"]


async def test_sparse_update_of_lines_recomputes_the_totals(qbo: QboApi, item_id: str) -> None:
    invoice = await create_invoice(qbo, [sales_line(item_id, "100", "2.30", "230.00")])
    response = await qbo.post(
        "invoice",
        as_json(
            {
                "Id": invoice["Id"],
                "SyncToken": invoice["SyncToken"],
                "sparse": True,
                "Line": [sales_line(item_id, "50", "2.30", "115.00"), discount_amount("5.00")],
            }
        ),
    )
    updated = decimal_json(response)["Invoice"]
    assert updated["TotalAmt"] == Decimal("110.00")
    assert updated["CustomerRef"]["value"] == "1"
    assert updated["SyncToken"] == "1"


async def test_references_come_back_with_their_names(qbo: QboApi, item_id: str) -> None:
    invoice = await create_invoice(qbo, [sales_line(item_id, "1", "5.00", "5.00")])
    assert invoice["CustomerRef"] == {"value": "1", "name": "Acme Promotions"}
    detail = invoice["Line"][0]["SalesItemLineDetail"]
    assert detail["ItemRef"] == {"value": item_id, "name": "A7102"}
    assert detail["TaxCodeRef"] == {"value": "TAX"}  # the item is taxable
