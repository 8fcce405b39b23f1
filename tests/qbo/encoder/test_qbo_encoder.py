"""The QBO encoder: plan operations → JSON entities with Intuit's XSD field names and nesting, and the
QuickBooks rules of docs/quickbooks-online.md §2.3–2.4 (DocNumber ≤ 21, names ≤ 100, one discount line
carrying an amount, the tax override, LinkedTxn on payments and on bill → purchase order)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from espqb.orders import a7102_request
from espqb.plan import BillOp, InvoiceOp, ItemOp, PaymentOp, Plan, PurchaseOrderOp
from qb_sandbox.intuit import check_entity
from qbo_gateway.client import wire
from qbo_gateway.encoder import (
    EncodeContext,
    EncodeError,
    PurchaseOrderLink,
    as_sparse_update,
    encode,
    encode_bill,
    encode_invoice,
    encode_item,
)
from tests.plan.factories import line, order, plan

ACCOUNTS = {"accounts receivable": "5", "accounts payable": "6"}


def _ids(p: Plan) -> dict[str, str]:
    return {op.key: str(100 + n) for n, op in enumerate(p.operations)}


def _context(p: Plan) -> EncodeContext:
    return EncodeContext(ids=_ids(p), account_ids=ACCOUNTS)


def _a7102() -> Plan:
    request = a7102_request()
    return plan(request.order, request.choices, target="qbo")


def _op(p: Plan, key: str) -> Any:
    return p.operation(key)


def test_every_a7102_payload_matches_intuits_schema() -> None:
    p = _a7102()
    context = _context(p)
    for op in p.operations:
        receives = PurchaseOrderLink("900", ("1",)) if op.kind == "bill" else None
        entity, body = encode(op, context, receives=receives)
        assert check_entity(entity, body) == [], op.key
        if op.action != "link":
            assert check_entity(entity, as_sparse_update(body, "77", "3")) == [], op.key


def test_the_a7102_invoice_is_230_less_a_discount_line_of_11_50() -> None:
    p = _a7102()
    invoice = _op(p, "invoice")
    body = encode_invoice(invoice, _context(p))

    sales, discount = body["Line"]
    assert sales["DetailType"] == "SalesItemLineDetail"
    assert (
        sales["Amount"],
        sales["SalesItemLineDetail"]["Qty"],
        sales["SalesItemLineDetail"]["UnitPrice"],
    ) == (
        Decimal("230.00"),
        Decimal(100),
        Decimal("2.30"),
    )
    assert sales["SalesItemLineDetail"]["ItemRef"] == {"value": _ids(p)["item:S61125/A7102"]}
    # The amount, never a percentage QuickBooks would recompute with its own rounding.
    assert discount == {
        "DetailType": "DiscountLineDetail",
        "Amount": Decimal("11.50"),
        "Description": "Discount",
        "DiscountLineDetail": {"PercentBased": False},
    }
    assert body["DocNumber"] == "10245"
    assert body["CustomerRef"] == {"value": _ids(p)["customer"]}
    assert "TxnTaxDetail" not in body  # "Add Total Tax as an Item": nothing for QuickBooks to compute


def test_money_leaves_as_exact_decimal_text() -> None:
    p = _a7102()
    raw = wire.dumps(encode_invoice(_op(p, "invoice"), _context(p))).decode()
    assert '"UnitPrice":2.30' in raw
    assert '"Amount":11.50' in raw


def test_the_payment_is_applied_to_the_invoice_through_linked_txn() -> None:
    p = _a7102()
    payment: PaymentOp = _op(p, "payment:P1")
    _entity, body = encode(payment, _context(p))
    assert body["TotalAmt"] == Decimal("100.00")
    assert body["Line"] == [
        {"Amount": Decimal("100.00"), "LinkedTxn": [{"TxnId": _ids(p)["invoice"], "TxnType": "Invoice"}]}
    ]
    assert body["ARAccountRef"] == {"value": "5", "name": "Accounts Receivable"}


def test_the_bill_receives_its_purchase_order_line_by_line() -> None:
    p = _a7102()
    bill: BillOp = _op(p, "bill:S61125")
    body = encode_bill(bill, _context(p), PurchaseOrderLink("900", ("4",)))
    assert body["Line"][0]["LinkedTxn"] == [{"TxnId": "900", "TxnType": "PurchaseOrder", "TxnLineId": "4"}]
    assert body["Line"][0]["ItemBasedExpenseLineDetail"]["UnitPrice"] == Decimal("1.15")
    assert body["APAccountRef"] == {"value": "6", "name": "Accounts Payable"}
    with pytest.raises(EncodeError, match="cannot be linked line by line"):
        encode_bill(bill, _context(p), PurchaseOrderLink("900", ("4", "5")))


def test_the_purchase_order_lists_the_supplier_lines_at_cost() -> None:
    p = _a7102()
    po: PurchaseOrderOp = _op(p, "purchase_order:S61125")
    entity, body = encode(po, _context(p))
    assert entity == "PurchaseOrder"
    assert body["VendorRef"] == {"value": _ids(p)["vendor:S61125"]}
    assert [line["Amount"] for line in body["Line"]] == [Decimal("115.00")]


def test_products_are_non_inventory_items_with_income_and_expense_accounts() -> None:
    p = _a7102()
    item: ItemOp = _op(p, "item:S61125/A7102")
    body = encode_item(item, _context(p))
    assert body["Type"] == "NonInventory"
    assert body["IncomeAccountRef"]["value"] == "79"
    assert body["ExpenseAccountRef"]["value"] == "80"


def test_quickbooks_default_tax_overrides_the_total_tax() -> None:
    snapshot = order(
        [line("T1", 10, "10.00", "4.00")], "108.25", tax={"amount": "8.25", "rate_percent": "8.25"}
    )
    p = plan(snapshot, {"tax": "quickbooks_default"})
    body = encode_invoice(_op(p, "invoice"), _context(p))
    # US automated sales tax would compute its own figure
    # (docs/quickbooks-online.md §2.4): send ESP's as the total.
    assert body["TxnTaxDetail"] == {"TotalTax": Decimal("8.25")}
    assert body["Line"][0]["SalesItemLineDetail"]["TaxCodeRef"] == {"value": "TAX"}
    assert check_entity("Invoice", body) == []


def test_a_chosen_tax_code_goes_in_txn_tax_code_ref_by_id_or_by_name() -> None:
    snapshot = order([line("T1", 10, "10.00", "4.00")], "108.25", tax={"amount": "8.25"})
    by_id = plan(snapshot, {"tax": {"code": "2"}})
    detail = encode_invoice(_op(by_id, "invoice"), _context(by_id))["TxnTaxDetail"]
    assert detail["TxnTaxCodeRef"] == {"value": "2"}
    assert detail["TotalTax"] == Decimal("8.25")

    by_name = plan(snapshot, {"tax": {"code": "Demo County"}})
    context = EncodeContext(ids=_ids(by_name), tax_code_ids={"demo county": "2"})
    named = encode_invoice(_op(by_name, "invoice"), context)["TxnTaxDetail"]
    assert named["TxnTaxCodeRef"] == {"value": "2", "name": "Demo County"}


def test_tax_as_an_item_is_a_non_taxable_line_and_no_other_line_is_taxed() -> None:
    snapshot = order([line("T1", 10, "10.00", "4.00")], "108.25", tax={"amount": "8.25"})
    p = plan(snapshot, {"tax": "item"})
    lines = encode_invoice(_op(p, "invoice"), _context(p))["Line"]
    assert [ln["SalesItemLineDetail"]["TaxCodeRef"]["value"] for ln in lines] == ["NON", "NON"]
    assert lines[-1]["Amount"] == Decimal("8.25")


def test_document_numbers_longer_than_21_characters_are_refused() -> None:
    p = _a7102()
    invoice: InvoiceOp = _op(p, "invoice")
    too_long = dataclasses.replace(invoice, doc_number="X" * 22)
    with pytest.raises(EncodeError, match="21 characters"):
        encode_invoice(too_long, _context(p))


def test_long_order_numbers_and_product_names_fit_qbo() -> None:
    snapshot = order(
        [line("P" * 150, 1, "5.00", "1.00")], "5.00", order_number="2024-ORDER-000000012345-EXTRA"
    )
    p = plan(snapshot)
    context = _context(p)
    invoice_body = encode_invoice(_op(p, "invoice"), context)
    item_op = next(op for op in p.operations if isinstance(op, ItemOp))
    assert len(invoice_body["DocNumber"]) <= 21
    assert len(encode_item(item_op, context)["Name"]) <= 100


def test_an_account_named_but_unknown_to_quickbooks_is_a_plain_error() -> None:
    p = _a7102()
    with pytest.raises(EncodeError, match="no account named “Accounts Payable”"):
        encode_bill(_op(p, "bill:S61125"), EncodeContext(ids=_ids(p)))


def test_an_unwritten_reference_is_a_plain_error() -> None:
    p = _a7102()
    ids = _ids(p)
    del ids["customer"]
    with pytest.raises(EncodeError, match="no QuickBooks Online record yet"):
        encode_invoice(_op(p, "invoice"), EncodeContext(ids=ids, account_ids=ACCOUNTS))
