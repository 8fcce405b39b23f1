"""Document details in the simulated company file: the lists they name (terms, classes, ship methods,
sales reps, customer messages), what an invoice, a purchase order and a bill keep of them, and how a Mod
changes or clears them (docs/web-connector.md §3.17-§3.18)."""

from __future__ import annotations

import pytest

from qb_sandbox.desktop import CompanyFile
from qb_sandbox.desktop.qbxml_schema import assert_valid_qbxml
from tests.sandbox.desktop.qbd_messages import (
    customer_add,
    invoice_line,
    message_set,
    non_inventory_add,
    send,
    status_of,
    text,
    vendor_add,
)


@pytest.fixture
def books(company: CompanyFile) -> CompanyFile:
    responses = send(
        company, customer_add("Acme Promo"), vendor_add("Hit Promo"), non_inventory_add("Mug", "4.00")
    )
    assert [status_of(r) for r in responses] == [0, 0, 0]
    company.add_sales_rep("JD", "Jane Doe")
    company.add_ship_method("UPS Ground")
    company.add_class("West")
    company.add_customer_message("Thank you for your business.")
    return company


def _invoice(details: str, request_id: str = "inv") -> str:
    return (
        f'<InvoiceAddRq requestID="{request_id}"><InvoiceAdd>'
        "<CustomerRef><FullName>Acme Promo</FullName></CustomerRef>"
        + details
        + invoice_line("Mug", "<Quantity>2</Quantity>")
        + "</InvoiceAdd></InvoiceAddRq>"
    )


FULL_DETAILS = (
    "<ClassRef><FullName>West</FullName></ClassRef>"
    "<TxnDate>2026-12-01</TxnDate><RefNumber>10245</RefNumber>"
    "<ShipAddress><Addr1>Acme Promo</Addr1><City>Boston</City><State>MA</State></ShipAddress>"
    "<PONumber>PO-4471</PONumber><TermsRef><FullName>Net 30</FullName></TermsRef>"
    "<SalesRepRef><FullName>JD</FullName></SalesRepRef><ShipDate>2026-12-04</ShipDate>"
    "<ShipMethodRef><FullName>UPS Ground</FullName></ShipMethodRef><Memo>Order 10245</Memo>"
    "<CustomerMsgRef><FullName>Thank you for your business.</FullName></CustomerMsgRef>"
    "<Other>1Z999AA10123456784</Other>"
)


def test_an_invoice_keeps_every_detail_and_the_terms_set_its_due_date(books: CompanyFile) -> None:
    request = message_set(_invoice(FULL_DETAILS))
    assert_valid_qbxml(request)
    (rs,) = send(books, _invoice(FULL_DETAILS))
    assert status_of(rs) == 0, rs.get("statusMessage")
    (invoice,) = books.find("Invoice", RefNumber="10245")
    assert invoice["PONumber"] == "PO-4471"
    assert invoice["TermsRef"]["FullName"] == "Net 30"
    assert invoice["DueDate"] == "2026-12-31"  # Net 30 from 2026-12-01
    assert invoice["SalesRepRef"]["FullName"] == "JD"
    assert invoice["ShipDate"] == "2026-12-04"
    assert invoice["ShipMethodRef"]["FullName"] == "UPS Ground"
    assert invoice["ClassRef"]["FullName"] == "West"
    assert invoice["CustomerMsgRef"]["FullName"] == "Thank you for your business."
    assert invoice["Other"] == "1Z999AA10123456784"
    assert invoice["ShipAddress"]["City"] == "Boston"
    # and the answer itself carries them, in schema order
    assert text(rs, "InvoiceRet/SalesRepRef/FullName") == "JD"
    assert text(rs, "InvoiceRet/PONumber") == "PO-4471"


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        ("SalesRepRef", "ZZ"),
        ("ShipMethodRef", "Pigeon"),
        ("ClassRef", "East"),
        ("CustomerMsgRef", "See you soon"),
        ("TermsRef", "Net 45"),
    ],
)
def test_a_reference_to_a_missing_list_entry_is_refused_with_3140(
    books: CompanyFile, ref: str, name: str
) -> None:
    (rs,) = send(books, _invoice(f"<{ref}><FullName>{name}</FullName></{ref}>"))
    assert status_of(rs) == 3140
    assert name in (rs.get("statusMessage") or "")
    assert books.documents("Invoice") == []


@pytest.mark.parametrize(
    ("element", "limit"),
    [("PONumber", 25), ("Other", 29)],
)
def test_an_over_long_invoice_field_is_refused_as_quickbooks_does(
    books: CompanyFile, element: str, limit: int
) -> None:
    ok = "x" * limit
    long = "x" * (limit + 1)
    (rs,) = send(books, _invoice(f"<{element}>{long}</{element}>"))
    assert status_of(rs) == 3070
    assert books.documents("Invoice") == []
    (rs,) = send(books, _invoice(f"<{element}>{ok}</{element}>"))
    assert status_of(rs) == 0
    assert books.documents("Invoice")[0][element] == ok


def test_an_invoice_mod_changes_the_details_given_keeps_those_left_out_and_clears_the_empty_ones(
    books: CompanyFile,
) -> None:
    books.add_terms("Net 15", 15)
    (rs,) = send(books, _invoice(FULL_DETAILS))
    txn_id, edit = text(rs, "InvoiceRet/TxnID"), text(rs, "InvoiceRet/EditSequence")
    (rs,) = send(
        books,
        f'<InvoiceModRq requestID="m"><InvoiceMod><TxnID>{txn_id}</TxnID><EditSequence>{edit}</EditSequence>'
        "<PONumber>PO-5000</PONumber><TermsRef><FullName>Net 15</FullName></TermsRef>"
        "<Other></Other></InvoiceMod></InvoiceModRq>",
    )
    assert status_of(rs) == 0, rs.get("statusMessage")
    invoice = books.get("Invoice", txn_id)
    assert invoice is not None
    assert invoice["PONumber"] == "PO-5000"
    assert invoice["TermsRef"]["FullName"] == "Net 15"
    assert invoice["DueDate"] == "2026-12-16"  # new terms move the due date
    assert "Other" not in invoice  # sent empty: cleared
    assert invoice["SalesRepRef"]["FullName"] == "JD"  # left out: kept
    assert invoice["ShipMethodRef"]["FullName"] == "UPS Ground"


def test_purchase_order_and_bill_keep_their_details(books: CompanyFile) -> None:
    (po_rs, bill_rs) = send(
        books,
        '<PurchaseOrderAddRq requestID="po"><PurchaseOrderAdd><VendorRef><FullName>Hit Promo</FullName></VendorRef>'
        "<ClassRef><FullName>West</FullName></ClassRef><TxnDate>2026-12-01</TxnDate><RefNumber>10245-1</RefNumber>"
        "<ShipAddress><Addr1>Acme Promo</Addr1><City>Boston</City></ShipAddress>"
        "<TermsRef><FullName>Net 15</FullName></TermsRef><ExpectedDate>2026-12-03</ExpectedDate>"
        "<ShipMethodRef><FullName>UPS Ground</FullName></ShipMethodRef><Memo>m</Memo>"
        "<VendorMsg>Ship blind, no invoice in the box.</VendorMsg>"
        "<PurchaseOrderLineAdd><ItemRef><FullName>Mug</FullName></ItemRef><Quantity>2</Quantity><Rate>1.50</Rate></PurchaseOrderLineAdd>"
        "</PurchaseOrderAdd></PurchaseOrderAddRq>",
        '<BillAddRq requestID="b"><BillAdd><VendorRef><FullName>Hit Promo</FullName></VendorRef>'
        "<TxnDate>2026-12-02</TxnDate><DueDate>2026-12-20</DueDate><RefNumber>INV-77</RefNumber>"
        "<TermsRef><FullName>Net 30</FullName></TermsRef><Memo>m</Memo>"
        "<ItemLineAdd><ItemRef><FullName>Mug</FullName></ItemRef><Quantity>2</Quantity><Cost>1.50</Cost>"
        "<ClassRef><FullName>West</FullName></ClassRef></ItemLineAdd>"
        "</BillAdd></BillAddRq>",
    )
    assert [status_of(po_rs), status_of(bill_rs)] == [0, 0], bill_rs.get("statusMessage")
    (po,) = books.documents("PurchaseOrder")
    assert po["ExpectedDate"] == "2026-12-03"
    assert po["ShipMethodRef"]["FullName"] == "UPS Ground"
    assert po["VendorMsg"] == "Ship blind, no invoice in the box."
    assert po["ClassRef"]["FullName"] == "West"
    assert po["DueDate"] == "2026-12-16"
    (bill,) = books.documents("Bill")
    assert bill["DueDate"] == "2026-12-20"  # a due date sent wins over the terms
    assert bill["TermsRef"]["FullName"] == "Net 30"
    assert bill["ItemLineRet"][0]["ClassRef"]["FullName"] == "West"
    (rs,) = send(
        books,
        '<PurchaseOrderAddRq requestID="po2"><PurchaseOrderAdd><VendorRef><FullName>Hit Promo</FullName></VendorRef>'
        f"<VendorMsg>{'v' * 100}</VendorMsg>"
        "<PurchaseOrderLineAdd><ItemRef><FullName>Mug</FullName></ItemRef><Quantity>1</Quantity></PurchaseOrderLineAdd>"
        "</PurchaseOrderAdd></PurchaseOrderAddRq>",
    )
    assert status_of(rs) == 3070  # VendorMsg ≤ 99


def test_the_detail_lists_take_adds_and_queries_with_quickbooks_name_rules(books: CompanyFile) -> None:
    responses = send(
        books,
        '<StandardTermsAddRq requestID="t"><StandardTermsAdd><Name>Net 60</Name><StdDueDays>60</StdDueDays></StandardTermsAdd></StandardTermsAddRq>',
        '<ClassAddRq requestID="c"><ClassAdd><Name>East</Name></ClassAdd></ClassAddRq>',
        '<ShipMethodAddRq requestID="s"><ShipMethodAdd><Name>FedEx</Name></ShipMethodAdd></ShipMethodAddRq>',
        '<CustomerMsgAddRq requestID="m"><CustomerMsgAdd><Name>Thanks!</Name></CustomerMsgAdd></CustomerMsgAddRq>',
        '<SalesRepAddRq requestID="r"><SalesRepAdd><Initial>AB</Initial><SalesRepEntityRef><FullName>Hit Promo</FullName></SalesRepEntityRef></SalesRepAdd></SalesRepAddRq>',
        '<TermsQueryRq requestID="tq"><FullName>net 60</FullName></TermsQueryRq>',
        '<SalesRepQueryRq requestID="rq"/>',
        on_error="continueOnError",
    )
    assert [status_of(r) for r in responses] == [0] * 7
    assert text(responses[5], "StandardTermsRet/StdDueDays") == "60"
    reps = {
        text(ret, "Initial"): text(ret, "SalesRepEntityRef/FullName")
        for ret in responses[6].findall("SalesRepRet")
    }
    assert reps == {"JD": "Jane Doe", "AB": "Hit Promo"}
    # names are unique per list, whatever the case (3100); a ship method name is at most 15 characters
    responses = send(
        books,
        '<ShipMethodAddRq requestID="s"><ShipMethodAdd><Name>fedex</Name></ShipMethodAdd></ShipMethodAddRq>',
        '<SalesRepAddRq requestID="r"><SalesRepAdd><Initial>jd</Initial><SalesRepEntityRef><FullName>Hit Promo</FullName></SalesRepEntityRef></SalesRepAdd></SalesRepAddRq>',
        '<ShipMethodAddRq requestID="s2"><ShipMethodAdd><Name>Overnight Courier</Name></ShipMethodAdd></ShipMethodAddRq>',
        '<SalesRepAddRq requestID="r2"><SalesRepAdd><Initial>ABCDEF</Initial><SalesRepEntityRef><FullName>Hit Promo</FullName></SalesRepEntityRef></SalesRepAdd></SalesRepAddRq>',
        on_error="continueOnError",
    )
    assert [status_of(r) for r in responses] == [3100, 3100, 3070, 3070]


def test_the_class_tracking_preference_is_reported(clock: object) -> None:
    on = CompanyFile(clock=clock, class_tracking=True)  # type: ignore[arg-type]
    off = CompanyFile(clock=clock)  # type: ignore[arg-type]
    assert "<IsUsingClassTracking>true</IsUsingClassTracking>" in on.hcp_response()
    assert "<IsUsingClassTracking>false</IsUsingClassTracking>" in off.hcp_response()
    restored = CompanyFile.from_json(on.to_json())
    assert restored.class_tracking is True


@pytest.mark.parametrize(
    ("txn_date", "due"),
    [
        ("2026-12-01", "2026-12-10"),  # the 10th of the month
        ("2026-12-03", "2027-01-10"),  # within 8 days of the 10th: the next month's
        ("2026-12-15", "2027-01-10"),  # after the 10th: the next month's
    ],
)
def test_date_driven_terms_set_the_due_date_on_their_day_of_month(
    books: CompanyFile, txn_date: str, due: str
) -> None:
    (terms,) = send(
        books,
        '<DateDrivenTermsAddRq requestID="t"><DateDrivenTermsAdd><Name>10th Prox</Name>'
        "<DayOfMonthDue>10</DayOfMonthDue><DueNextMonthDays>8</DueNextMonthDays>"
        "</DateDrivenTermsAdd></DateDrivenTermsAddRq>",
    )
    assert status_of(terms) == 0
    (rs,) = send(
        books,
        _invoice(f"<TxnDate>{txn_date}</TxnDate><TermsRef><FullName>10th Prox</FullName></TermsRef>"),
    )
    assert status_of(rs) == 0, rs.get("statusMessage")
    assert text(rs, "InvoiceRet/DueDate") == due
    (listed,) = send(books, '<TermsQueryRq requestID="q"><FullName>10th prox</FullName></TermsQueryRq>')
    assert text(listed, "DateDrivenTermsRet/DayOfMonthDue") == "10"
