"""The QBO XSD checker: it accepts what the sandbox returns and names what is wrong in a payload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox, check_entity
from qb_sandbox.intuit.qbo_schema import UnknownEntityError, default_schema_dir, load_schema
from tests.sandbox.intuit.intuit_helpers import QboApi

INVOICE: dict[str, Any] = {
    "CustomerRef": {"value": "1", "name": "Acme Promotions"},
    "Line": [
        {
            "Amount": 230.00,
            "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {
                "ItemRef": {"value": "5"},
                "Qty": 100,
                "UnitPrice": 2.30,
                "TaxCodeRef": {"value": "NON"},
            },
        },
        {"Amount": 11.50, "DetailType": "DiscountLineDetail", "DiscountLineDetail": {"PercentBased": False}},
    ],
    "TxnTaxDetail": {"TotalTax": 0},
    "GlobalTaxCalculation": "TaxExcluded",
    "CustomerMemo": {"value": "Thank you"},
}


async def _write_one_of_each(qbo: QboApi) -> None:
    item = await qbo.created(
        "item", {"Name": "A7102", "Type": "NonInventory", "IncomeAccountRef": {"value": "1"}}, "Item"
    )
    line = {
        "Amount": 230,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 100, "UnitPrice": 2.3},
    }
    discount = {
        "Amount": 11.5,
        "DetailType": "DiscountLineDetail",
        "DiscountLineDetail": {"PercentBased": False},
    }
    invoice = await qbo.created(
        "invoice",
        {
            "CustomerRef": {"value": "1"},
            "Line": [line, discount],
            "TxnTaxDetail": {"TxnTaxCodeRef": {"value": "2"}},
        },
        "Invoice",
    )
    await qbo.created(
        "payment",
        {
            "CustomerRef": {"value": "1"},
            "TotalAmt": 100,
            "Line": [{"Amount": 100, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
        "Payment",
    )
    expense = {
        "Amount": 115,
        "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 100, "UnitPrice": 1.15},
    }
    po = await qbo.created("purchaseorder", {"VendorRef": {"value": "1"}, "Line": [expense]}, "PurchaseOrder")
    linked = {**expense, "LinkedTxn": [{"TxnId": po["Id"], "TxnType": "PurchaseOrder", "TxnLineId": "1"}]}
    await qbo.created("bill", {"VendorRef": {"value": "1"}, "Line": [linked]}, "Bill")
    parent = await qbo.created("customer", {"DisplayName": "Parent Co"}, "Customer")
    await qbo.created("customer", {"DisplayName": "Job 1", "ParentRef": {"value": parent["Id"]}}, "Customer")


async def test_every_entity_the_sandbox_returns_passes_the_checker(
    qbo: QboApi, sandbox: IntuitSandbox
) -> None:
    await _write_one_of_each(qbo)
    books = sandbox.company(DEMO_REALM_ID).books
    kinds = books.kinds()
    assert {
        "Account",
        "Bill",
        "CompanyInfo",
        "Customer",
        "Invoice",
        "Item",
        "Payment",
        "PurchaseOrder",
        "TaxCode",
        "TaxRate",
        "Vendor",
    } <= set(kinds)
    for kind in kinds:
        for entity in sandbox.entities(DEMO_REALM_ID, kind):
            assert check_entity(kind, entity) == [], (kind, entity)


def test_a_well_formed_invoice_request_passes() -> None:
    assert check_entity("Invoice", INVOICE) == []


def test_a_misspelt_field_is_named_with_its_path_and_a_suggestion() -> None:
    payload: dict[str, Any] = {**INVOICE, "Line": [dict(INVOICE["Line"][0])]}
    payload["Line"][0]["SalesItemLineDetail"] = {
        **INVOICE["Line"][0]["SalesItemLineDetail"],
        "UnitPirce": 2.3,
    }
    assert check_entity("Invoice", payload) == [
        "Line[0].SalesItemLineDetail.UnitPirce: unknown field; SalesItemLineDetail has no 'UnitPirce' "
        "(did you mean 'UnitPrice'?)"
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"CustomerRef": "1"}, "CustomerRef: ReferenceType must be an object"),
        (
            {"CustomerRef": {"value": "1", "label": "x"}},
            "CustomerRef.label: unknown key; ReferenceType is shaped",
        ),
        ({"CustomerRef": {"name": "Acme"}}, 'CustomerRef: ReferenceType must be shaped {"value": …'),
        (
            {"GlobalTaxCalculation": "Included"},
            "GlobalTaxCalculation: 'Included' is not one of GlobalTaxCalculationEnum",
        ),
        ({"Line": INVOICE["Line"][0]}, "Line: expected a list because Line repeats"),
        ({"TxnTaxDetail": [{"TotalTax": 0}]}, "TxnTaxDetail: TxnTaxDetail occurs at most once"),
        ({"TxnDate": "27/11/2026"}, "TxnDate: expected a date YYYY-MM-DD"),
        ({"ApplyTaxAfterDiscount": "yes"}, "ApplyTaxAfterDiscount: expected a boolean"),
        ({"TxnTaxDetail": {"TotalTax": "lots"}}, "TxnTaxDetail.TotalTax: expected a number"),
    ],
)
def test_shape_problems_are_reported(change: dict[str, Any], expected: str) -> None:
    problems = check_entity("Invoice", {**INVOICE, **change})
    assert len(problems) == 1
    assert problems[0].startswith(expected)


def test_two_line_details_or_a_detail_that_contradicts_detailtype_are_wrong_nesting() -> None:
    both = {**INVOICE["Line"][1], "SalesItemLineDetail": {}}
    assert check_entity("Invoice", {**INVOICE, "Line": [both]}) == [
        "Line[0]: DiscountLineDetail and SalesItemLineDetail are alternatives (xs:choice); give only one"
    ]
    wrong = {"Amount": 1, "DetailType": "DiscountLineDetail", "SalesItemLineDetail": {}}
    assert check_entity("Invoice", {**INVOICE, "Line": [wrong]}) == [
        "Line[0]: DetailType is 'DiscountLineDetail' but the detail given is SalesItemLineDetail"
    ]


def test_inherited_fields_and_attributes_are_known() -> None:
    update = {
        "Id": "5",
        "SyncToken": "2",
        "sparse": True,
        "domain": "QBO",
        "DocNumber": "1001",
        "MetaData": {"CreateTime": "2026-11-27T13:00:00-08:00"},
    }
    assert check_entity("Invoice", update) == []


def test_batch_items_are_checked_through_the_substitution_group() -> None:
    assert (
        check_entity(
            "BatchItemRequest", {"bId": "1", "operation": "create", "Customer": {"DisplayName": "A"}}
        )
        == []
    )
    problems = check_entity("BatchItemRequest", {"bId": "1", "operation": "upsert", "Custmer": {}})
    assert any(p.startswith("operation: 'upsert' is not one of OperationEnum") for p in problems)
    assert any(p.startswith("Custmer: unknown field") for p in problems)


def test_unknown_entity_name_is_a_programming_error() -> None:
    with pytest.raises(UnknownEntityError):
        check_entity("Invoyce", {})


def test_schema_is_parsed_once_and_can_be_loaded_from_another_directory(tmp_path: Path) -> None:
    original = load_schema()
    assert load_schema() is original
    copy = tmp_path / "qbo-schema"
    copy.mkdir()
    for xsd in default_schema_dir().glob("*.xsd"):
        (copy / xsd.name).write_bytes(xsd.read_bytes())
    moved = load_schema(copy)
    assert moved is not original
    assert moved.directory == copy.resolve()
    assert moved.find_problems("Customer", {"DisplayName": "A"}) == []
