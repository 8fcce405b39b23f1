"""Purchase orders and bills, and a bill receiving a purchase order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qb_sandbox.desktop import CompanyFile
from tests.sandbox.desktop.qbd_messages import each, money, send, status_of, text, vendor_add

COST_ITEM = (
    "<ItemNonInventoryAddRq><ItemNonInventoryAdd><Name>A7102</Name><SalesAndPurchase>"
    "<SalesPrice>2.30</SalesPrice><IncomeAccountRef><FullName>Sales</FullName></IncomeAccountRef>"
    "<PurchaseCost>1.15</PurchaseCost><ExpenseAccountRef><FullName>Cost of Goods Sold</FullName></ExpenseAccountRef>"
    "</SalesAndPurchase></ItemNonInventoryAdd></ItemNonInventoryAddRq>"
)


@pytest.fixture
def supplier(company: CompanyFile) -> CompanyFile:
    responses = send(company, vendor_add("Gemline"), vendor_add("Leed's", "v2"), COST_ITEM)
    assert all(status_of(r) == 0 for r in responses)
    return company


def purchase_order(*lines: str, vendor: str = "Gemline") -> str:
    return (
        f"<PurchaseOrderAddRq><PurchaseOrderAdd><VendorRef><FullName>{vendor}</FullName></VendorRef>"
        f"{''.join(lines)}</PurchaseOrderAdd></PurchaseOrderAddRq>"
    )


def po_line(quantity: str, rate: str | None = None, desc: str = "Pens, blue") -> str:
    rate_xml = f"<Rate>{rate}</Rate>" if rate else ""
    return (
        f"<PurchaseOrderLineAdd><ItemRef><FullName>A7102</FullName></ItemRef><Desc>{desc}</Desc>"
        f"<Quantity>{quantity}</Quantity>{rate_xml}</PurchaseOrderLineAdd>"
    )


def bill(body: str, vendor: str = "Gemline") -> str:
    return f"<BillAddRq><BillAdd><VendorRef><FullName>{vendor}</FullName></VendorRef>{body}</BillAdd></BillAddRq>"


def test_purchase_order_lines_are_priced_from_the_item_cost(supplier: CompanyFile) -> None:
    (rs,) = send(supplier, purchase_order(po_line("100"), po_line("20", "0.95", "Setup")))

    po = rs.find("PurchaseOrderRet")
    assert po is not None
    assert [money(line, "Amount") for line in each(po, "PurchaseOrderLineRet")] == [
        Decimal("115.00"),
        Decimal("19.00"),
    ]
    assert money(po, "TotalAmount") == Decimal("134.00")
    assert text(po, "IsFullyReceived") == "false"
    assert text(po, "RefNumber") == "1"


def test_a_bill_linked_to_a_purchase_order_receives_it(supplier: CompanyFile) -> None:
    (po_rs,) = send(supplier, purchase_order(po_line("100"), po_line("20", "0.95")))
    po_id = text(po_rs, "PurchaseOrderRet/TxnID")

    (bill_rs,) = send(supplier, bill(f"<RefNumber>G-5531</RefNumber><LinkToTxnID>{po_id}</LinkToTxnID>"))

    assert status_of(bill_rs) == 0
    bill_ret = bill_rs.find("BillRet")
    assert bill_ret is not None
    assert [text(line, "Quantity") for line in each(bill_ret, "ItemLineRet")] == ["100", "20"]
    assert money(bill_ret, "AmountDue") == Decimal("134.00")
    assert text(bill_ret, "LinkedTxn/TxnID") == po_id
    assert text(bill_ret, "LinkedTxn/TxnType") == "PurchaseOrder"
    (po,) = supplier.documents("PurchaseOrder")
    assert po["IsFullyReceived"] == "true"
    assert [(line["ReceivedQuantity"], line["IsBilled"]) for line in po["PurchaseOrderLineRet"]] == [
        ("100", "true"),
        ("20", "true"),
    ]
    assert po["LinkedTxn"][0]["TxnType"] == "Bill"
    assert supplier.find("Vendor", Name="Gemline")[0]["Balance"] == "134.00"


def test_an_item_line_can_receive_part_of_a_purchase_order_line(supplier: CompanyFile) -> None:
    (po_rs,) = send(supplier, purchase_order(po_line("100")))
    po_id = text(po_rs, "PurchaseOrderRet/TxnID")
    line_id = text(po_rs, "PurchaseOrderRet/PurchaseOrderLineRet/TxnLineID")
    partial = (
        "<ItemLineAdd><ItemRef><FullName>A7102</FullName></ItemRef><Quantity>40</Quantity>"
        f"<LinkToTxn><TxnID>{po_id}</TxnID><TxnLineID>{line_id}</TxnLineID></LinkToTxn></ItemLineAdd>"
    )

    (first,) = send(supplier, bill(partial))
    po_after_first = supplier.documents("PurchaseOrder")[0]
    (rest,) = send(supplier, bill(f"<LinkToTxnID>{po_id}</LinkToTxnID>"))

    assert money(first, "BillRet/AmountDue") == Decimal("46.00")  # 40 × the PO's 1.15
    assert po_after_first["IsFullyReceived"] == "false"
    assert po_after_first["PurchaseOrderLineRet"][0]["ReceivedQuantity"] == "40"
    assert text(rest, "BillRet/ItemLineRet/Quantity") == "60"
    assert supplier.documents("PurchaseOrder")[0]["IsFullyReceived"] == "true"


def test_linking_a_closed_purchase_order_is_a_570_warning(supplier: CompanyFile) -> None:
    (po_rs,) = send(supplier, purchase_order(po_line("10")))
    po_id = text(po_rs, "PurchaseOrderRet/TxnID")
    send(supplier, bill(f"<LinkToTxnID>{po_id}</LinkToTxnID>"))

    (again,) = send(
        supplier,
        bill(
            f"<LinkToTxnID>{po_id}</LinkToTxnID><ExpenseLineAdd><AccountRef><FullName>Cost of Goods Sold</FullName>"
            "</AccountRef><Amount>5.00</Amount></ExpenseLineAdd>"
        ),
    )

    assert status_of(again) == 570
    assert again.get("statusSeverity") == "Warn"
    assert money(again, "BillRet/AmountDue") == Decimal("5.00")
    assert len(supplier.documents("Bill")) == 2


def test_another_vendors_purchase_order_cannot_be_linked(supplier: CompanyFile) -> None:
    (po_rs,) = send(supplier, purchase_order(po_line("10")))

    (rs,) = send(
        supplier, bill(f"<LinkToTxnID>{text(po_rs, 'PurchaseOrderRet/TxnID')}</LinkToTxnID>", vendor="Leed's")
    )

    assert status_of(rs) == 3210
    assert supplier.documents("Bill") == []
    assert supplier.documents("PurchaseOrder")[0]["IsFullyReceived"] == "false"


def test_bill_mod_and_purchase_order_mod_check_edit_sequences(supplier: CompanyFile) -> None:
    (po_rs,) = send(supplier, purchase_order(po_line("10")))
    (bill_rs,) = send(
        supplier,
        bill(
            "<ExpenseLineAdd><AccountRef><FullName>Cost of Goods Sold</FullName></AccountRef>"
            "<Amount>12.00</Amount></ExpenseLineAdd>"
        ),
    )
    bill_id, bill_seq = text(bill_rs, "BillRet/TxnID"), text(bill_rs, "BillRet/EditSequence")
    expense_line = text(bill_rs, "BillRet/ExpenseLineRet/TxnLineID")
    bill_mod = (
        f"<BillModRq><BillMod><TxnID>{bill_id}</TxnID><EditSequence>{bill_seq}</EditSequence><Memo>freight</Memo>"
        f"<ExpenseLineMod><TxnLineID>{expense_line}</TxnLineID><Amount>15.00</Amount></ExpenseLineMod></BillMod></BillModRq>"
    )
    po_mod = (
        f"<PurchaseOrderModRq><PurchaseOrderMod><TxnID>{text(po_rs, 'PurchaseOrderRet/TxnID')}</TxnID>"
        "<EditSequence>1</EditSequence><Memo>x</Memo></PurchaseOrderMod></PurchaseOrderModRq>"
    )

    changed, stale_bill, stale_po = send(supplier, bill_mod, bill_mod, po_mod, on_error="continueOnError")

    assert status_of(changed) == 0
    assert money(changed, "BillRet/AmountDue") == Decimal("15.00")
    assert text(changed, "BillRet/Memo") == "freight"
    assert (status_of(stale_bill), status_of(stale_po)) == (3200, 3200)


def test_bill_query_by_vendor(supplier: CompanyFile) -> None:
    expense = "<ExpenseLineAdd><AccountRef><FullName>Cost of Goods Sold</FullName></AccountRef><Amount>1.00</Amount></ExpenseLineAdd>"
    send(supplier, bill(expense), bill(expense, vendor="Leed's"))

    (rs,) = send(
        supplier, "<BillQueryRq><EntityFilter><FullName>Leed's</FullName></EntityFilter></BillQueryRq>"
    )

    assert [text(b, "VendorRef/FullName") for b in each(rs, "BillRet")] == ["Leed's"]
