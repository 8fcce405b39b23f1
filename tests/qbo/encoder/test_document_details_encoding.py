"""Document details in QBO JSON (docs/quickbooks-online.md §7): every body validates against Intuit's
entity XSD, each detail sits in the field a bookkeeper reads, list entries become Term / Class /
Department, and a re-send's sparse update empties the free text the order dropped."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from espqb.orders import a7102_request
from espqb.plan import InvoiceDetails, ListEntryOp, Plan, PurchaseDetails
from espqb.plan.model import Existing
from qb_sandbox.intuit import check_entity
from qbo_gateway.encoder import (
    EncodeContext,
    EncodeError,
    PurchaseOrderLink,
    as_sparse_update,
    cleared_on_update,
    encode,
)
from tests.plan.factories import plan

LIST_IDS = {"terms:net 30": "3", "class:west": "7", "location:boston": "2"}
INVOICE_DETAILS = InvoiceDetails(
    po_number="NR-2024-0612",
    po_number_in_field="1",
    due_date=date(2024, 7, 3),
    ship_date=date(2024, 6, 20),
    ship_method="UPS Ground",
    tracking_number="1Z999AA10123456784",
    customer_message="Thank you for your business.",
    terms_key="terms:net 30",
    class_key="class:west",
    location_key="location:boston",
    sales_rep="Jane Doe",
    sales_rep_in_field="2",
)
PO_DETAILS = PurchaseDetails(
    expected_date=date(2024, 6, 24),
    ship_method="UPS Ground",
    vendor_message="A7102: 1 colour, front",
    terms_key="terms:net 30",
    class_key="class:west",
    location_key="location:boston",
)
BILL_DETAILS = PurchaseDetails(
    due_date=date(2024, 7, 12),
    terms_key="terms:net 30",
    class_key="class:west",
    location_key="location:boston",
)


def _detailed(*, class_on_lines: bool = False) -> Plan:
    request = a7102_request()
    base = plan(request.order, request.choices, target="qbo")
    ops = []
    for op in base.operations:
        if op.kind == "invoice":
            op = dataclasses.replace(
                op, details=dataclasses.replace(INVOICE_DETAILS, class_on_lines=class_on_lines)
            )
        elif op.kind == "purchase_order":
            op = dataclasses.replace(
                op, details=dataclasses.replace(PO_DETAILS, class_on_lines=class_on_lines)
            )
        elif op.kind == "bill":
            op = dataclasses.replace(op, details=BILL_DETAILS)
        ops.append(op)
    return dataclasses.replace(base, operations=tuple(ops))


def _context(p: Plan) -> EncodeContext:
    ids = {op.key: str(100 + n) for n, op in enumerate(p.operations)}
    return EncodeContext(
        ids={**ids, **LIST_IDS}, account_ids={"accounts receivable": "5", "accounts payable": "6"}
    )


def _body(p: Plan, kind: str) -> dict[str, Any]:
    op = next(o for o in p.operations if o.kind == kind)
    receives = PurchaseOrderLink("900", ("1",)) if kind == "bill" else None
    return encode(op, _context(p), receives=receives)[1]


@pytest.mark.parametrize("class_on_lines", [False, True])
def test_every_detailed_body_and_its_sparse_update_matches_intuits_schema(class_on_lines: bool) -> None:
    p = _detailed(class_on_lines=class_on_lines)
    context = _context(p)
    for op in p.operations:
        receives = PurchaseOrderLink("900", ("1",)) if op.kind == "bill" else None
        entity, body = encode(op, context, receives=receives)
        assert check_entity(entity, body) == [], op.key
        update = as_sparse_update(cleared_on_update(op, entity, body), "77", "3")
        assert check_entity(entity, update) == [], op.key


def test_the_invoice_carries_each_detail_in_its_field() -> None:
    body = _body(_detailed(), "invoice")
    assert body["CustomField"] == [
        {"DefinitionId": "1", "Type": "StringType", "StringValue": "NR-2024-0612"},
        {"DefinitionId": "2", "Type": "StringType", "StringValue": "Jane Doe"},
    ]
    assert body["SalesTermRef"] == {"value": "3"}
    assert (body["DueDate"], body["ShipDate"]) == ("2024-07-03", "2024-06-20")
    assert body["ShipMethodRef"] == {"value": "UPS Ground", "name": "UPS Ground"}
    assert body["TrackingNum"] == "1Z999AA10123456784"
    assert body["CustomerMemo"] == {"value": "Thank you for your business."}
    assert (body["ClassRef"], body["DepartmentRef"]) == ({"value": "7"}, {"value": "2"})
    assert all("ClassRef" not in line.get("SalesItemLineDetail", {}) for line in body["Line"])


def test_per_line_class_tracking_puts_the_class_on_each_sales_line_not_the_header() -> None:
    body = _body(_detailed(class_on_lines=True), "invoice")
    assert "ClassRef" not in body
    sales = [line for line in body["Line"] if line["DetailType"] == "SalesItemLineDetail"]
    assert sales and all(line["SalesItemLineDetail"]["ClassRef"] == {"value": "7"} for line in sales)


def test_the_purchase_order_has_the_expected_date_ship_method_and_message_to_the_vendor() -> None:
    body = _body(_detailed(), "purchase_order")
    assert body["ExpectedDate"] == "2024-06-24"  # a delivery date: never the payment DueDate
    assert "DueDate" not in body
    assert body["ShipMethodRef"]["value"] == "UPS Ground"
    assert body["Memo"] == "A7102: 1 colour, front"
    assert (body["SalesTermRef"], body["ClassRef"], body["DepartmentRef"]) == (
        {"value": "3"},
        {"value": "7"},
        {"value": "2"},
    )


def test_the_bill_has_its_due_date_terms_location_and_a_class_on_every_line() -> None:
    body = _body(_detailed(), "bill")
    assert (body["DueDate"], body["SalesTermRef"], body["DepartmentRef"]) == (
        "2024-07-12",
        {"value": "3"},
        {"value": "2"},
    )
    assert "ClassRef" not in body  # Finance.xsd: a bill has no header class
    assert {str(line["ItemBasedExpenseLineDetail"]["ClassRef"]) for line in body["Line"]} == {
        "{'value': '7'}"
    }


def test_a_resend_empties_the_text_the_order_dropped_and_keeps_what_it_still_has() -> None:
    p = _detailed()
    invoice = next(o for o in p.operations if o.kind == "invoice")
    dropped = dataclasses.replace(
        invoice,
        details=dataclasses.replace(
            INVOICE_DETAILS, tracking_number=None, customer_message=None, po_number=None
        ),
    )
    entity, body = encode(dropped, _context(p))
    update = cleared_on_update(dropped, entity, body)
    assert update["TrackingNum"] == "" and update["CustomerMemo"] == {"value": ""}
    assert {"DefinitionId": "1", "Type": "StringType", "StringValue": ""} in update["CustomField"]
    no_rep = dataclasses.replace(
        invoice, details=dataclasses.replace(INVOICE_DETAILS, sales_rep=None)
    )  # the field still named by the plan, the order without a rep
    rep_cleared = cleared_on_update(no_rep, *encode(no_rep, _context(p)))
    assert {"DefinitionId": "2", "Type": "StringType", "StringValue": ""} in rep_cleared["CustomField"]
    kept = cleared_on_update(invoice, *encode(invoice, _context(p)))
    assert kept["TrackingNum"] == "1Z999AA10123456784"


@pytest.mark.parametrize(
    ("op", "entity", "body"),
    [
        (
            ListEntryOp("terms:net 30", "create", None, "terms", "Net 30", due_days=30),
            "Term",
            {"Name": "Net 30", "DueDays": 30, "Type": "STANDARD"},
        ),
        (ListEntryOp("class:west", "create", None, "class", "West"), "Class", {"Name": "West"}),
        (
            ListEntryOp("location:boston", "create", None, "location", "Boston"),
            "Department",
            {"Name": "Boston"},
        ),
    ],
)
def test_list_entries_are_terms_classes_and_departments(
    op: ListEntryOp, entity: str, body: dict[str, Any]
) -> None:
    assert encode(op, EncodeContext()) == (entity, body)
    assert check_entity(entity, body) == []


@pytest.mark.parametrize("kind", ["ship_method", "sales_rep", "customer_message"])
def test_a_list_qbo_does_not_have_is_a_plain_error(kind: Any) -> None:
    op = ListEntryOp(f"{kind}:x", "link", Existing("1", "X"), kind, "X")
    with pytest.raises(EncodeError, match="QuickBooks Online has no"):
        encode(op, EncodeContext())
