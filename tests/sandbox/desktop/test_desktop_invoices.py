"""Invoices and payments computed the way QuickBooks does – the A7102 example to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qb_sandbox.desktop import CompanyFile
from tests.sandbox.desktop.qbd_messages import (
    customer_add,
    discount_add,
    each,
    invoice_line,
    money,
    non_inventory_add,
    send,
    status_of,
    subtotal_add,
    text,
)


@pytest.fixture
def promo(company: CompanyFile) -> CompanyFile:
    """The demo company with the A7102 customer and items set up."""
    responses = send(
        company,
        customer_add("Acme Promo"),
        non_inventory_add("A7102", "2.30"),
        subtotal_add(),
        discount_add("Discount 5%", "<DiscountRatePercent>5</DiscountRatePercent>"),
        discount_add("Discount", "", request_id="d2"),
    )
    assert all(status_of(r) == 0 for r in responses)
    return company


def a7102_invoice(discount_line: str, macro: str = "Inv1") -> str:
    return (
        f'<InvoiceAddRq requestID="inv"><InvoiceAdd defMacro="TxnID:{macro}">'
        "<CustomerRef><FullName>Acme Promo</FullName></CustomerRef><RefNumber>A7102</RefNumber>"
        + invoice_line("A7102", "<Quantity>100</Quantity><Rate>2.30</Rate>")
        + invoice_line("Subtotal")
        + discount_line
        + "</InvoiceAdd></InvoiceAddRq>"
    )


def payment(amount: str, invoice_macro: str = "Inv1") -> str:
    return (
        '<ReceivePaymentAddRq requestID="pay"><ReceivePaymentAdd>'
        f"<CustomerRef><FullName>Acme Promo</FullName></CustomerRef><TotalAmount>{amount}</TotalAmount>"
        f'<AppliedToTxnAdd><TxnID useMacro="TxnID:{invoice_macro}"/><PaymentAmount>{amount}</PaymentAmount></AppliedToTxnAdd>'
        "</ReceivePaymentAdd></ReceivePaymentAddRq>"
    )


@pytest.mark.parametrize(
    "discount_line",
    [
        pytest.param(invoice_line("Discount 5%"), id="percent-from-item"),
        pytest.param(invoice_line("Discount", "<RatePercent>5</RatePercent>"), id="percent-on-line"),
        pytest.param(invoice_line("Discount", "<Amount>11.50</Amount>"), id="amount-11.50"),
        pytest.param(invoice_line("Discount", "<Rate>11.50</Rate>"), id="rate-11.50"),
    ],
)
def test_a7102_invoice_totals_218_50(promo: CompanyFile, discount_line: str) -> None:
    (rs,) = send(promo, a7102_invoice(discount_line))
    invoice = rs.find("InvoiceRet")
    assert invoice is not None

    lines = list(each(invoice, "InvoiceLineRet"))
    assert [money(line, "Amount") for line in lines] == [
        Decimal("230.00"),
        Decimal("230.00"),
        Decimal("-11.50"),
    ]
    assert text(lines[0], "Quantity") == "100" and money(lines[0], "Rate") == Decimal("2.30")
    assert money(invoice, "Subtotal") == Decimal("218.50")  # the subtotal line is not counted twice
    assert money(invoice, "SalesTaxTotal") == Decimal("0.00")
    assert money(invoice, "BalanceRemaining") == Decimal("218.50")
    assert text(invoice, "IsPaid") == "false"
    (stored,) = promo.find("Invoice", RefNumber="A7102")
    assert (stored["TotalAmount"], stored["DiscountTotal"]) == ("218.50", "-11.50")


def test_payment_applied_by_macro_in_the_same_message_set(promo: CompanyFile) -> None:
    invoice_rs, payment_rs = send(promo, a7102_invoice(invoice_line("Discount 5%")), payment("100.00"))

    assert status_of(payment_rs) == 0
    applied = payment_rs.find("ReceivePaymentRet/AppliedToTxnRet")
    assert applied is not None
    assert text(applied, "TxnID") == text(invoice_rs, "InvoiceRet/TxnID")
    assert money(applied, "BalanceRemaining") == Decimal("118.50")
    (invoice,) = promo.documents("Invoice")
    assert (invoice["AppliedAmount"], invoice["BalanceRemaining"], invoice["IsPaid"]) == (
        "-100.00",
        "118.50",
        "false",
    )
    assert invoice["LinkedTxn"][0]["TxnType"] == "ReceivePayment"
    (customer,) = promo.find("Customer", Name="Acme Promo")
    assert customer["Balance"] == "118.50"


def test_paying_the_rest_marks_the_invoice_paid(promo: CompanyFile) -> None:
    send(promo, a7102_invoice(invoice_line("Discount 5%")), payment("100.00"))
    (invoice,) = promo.documents("Invoice")
    rest = (
        "<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>Acme Promo</FullName></CustomerRef>"
        f"<TotalAmount>118.50</TotalAmount><AppliedToTxnAdd><TxnID>{invoice['TxnID']}</TxnID>"
        "<PaymentAmount>118.50</PaymentAmount></AppliedToTxnAdd></ReceivePaymentAdd></ReceivePaymentAddRq>"
    )

    (rs,) = send(promo, rest)
    (again,) = send(promo, rest)

    assert status_of(rs) == 0
    assert promo.documents("Invoice")[0]["IsPaid"] == "true"
    assert promo.documents("Invoice")[0]["BalanceRemaining"] == "0.00"
    assert status_of(again) == 3120  # a paid invoice "cannot be found" for a new payment


def test_paying_more_than_is_due_is_refused(promo: CompanyFile) -> None:
    _, rs = send(promo, a7102_invoice(invoice_line("Discount 5%")), payment("300.00"))

    assert status_of(rs) == 3210
    assert "You cannot pay more than the amount due." in rs.get("statusMessage", "")
    assert promo.documents("ReceivePayment") == []
    assert promo.documents("Invoice")[0]["BalanceRemaining"] == "218.50"


def test_an_undefined_macro_fails_that_request(promo: CompanyFile) -> None:
    (rs,) = send(promo, payment("10.00", invoice_macro="Nope"))

    assert status_of(rs) == 9100
    assert promo.documents("ReceivePayment") == []


def test_sales_tax_is_charged_on_taxable_lines_after_the_discount(promo: CompanyFile) -> None:
    invoice = (
        "<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Acme Promo</FullName></CustomerRef>"
        "<ItemSalesTaxRef><FullName>State Sales Tax</FullName></ItemSalesTaxRef>"
        + invoice_line(
            "A7102", "<Quantity>100</Quantity><SalesTaxCodeRef><FullName>Tax</FullName></SalesTaxCodeRef>"
        )
        + invoice_line(
            "A7102", "<Quantity>10</Quantity><SalesTaxCodeRef><FullName>Non</FullName></SalesTaxCodeRef>"
        )
        + invoice_line("Subtotal")
        + invoice_line(
            "Discount", "<Amount>-23.00</Amount><SalesTaxCodeRef><FullName>Tax</FullName></SalesTaxCodeRef>"
        )
        + "</InvoiceAdd></InvoiceAddRq>"
    )

    (rs,) = send(promo, invoice)

    ret = rs.find("InvoiceRet")
    assert ret is not None
    # Items priced from the item (2.30); taxable base 230.00 − 23.00 = 207.00; 8.25% → 17.0775 → 17.08.
    assert money(ret, "Subtotal") == Decimal("230.00")
    assert text(ret, "SalesTaxPercentage") == "8.25"
    assert money(ret, "SalesTaxTotal") == Decimal("17.08")
    assert money(ret, "BalanceRemaining") == Decimal("247.08")


def test_a_non_taxable_customer_pays_no_tax(promo: CompanyFile) -> None:
    invoice = (
        "<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Acme Promo</FullName></CustomerRef>"
        "<CustomerSalesTaxCodeRef><FullName>Non</FullName></CustomerSalesTaxCodeRef>"
        + invoice_line(
            "A7102", "<Quantity>10</Quantity><SalesTaxCodeRef><FullName>Tax</FullName></SalesTaxCodeRef>"
        )
        + "</InvoiceAdd></InvoiceAddRq>"
    )

    (rs,) = send(promo, invoice)

    assert money(rs, "InvoiceRet/SalesTaxTotal") == Decimal("0.00")
    assert money(rs, "InvoiceRet/BalanceRemaining") == Decimal("23.00")


def test_unknown_item_on_a_line_is_3140_and_nothing_is_saved(promo: CompanyFile) -> None:
    invoice = (
        "<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Acme Promo</FullName></CustomerRef>"
        + invoice_line("A7102", "<Quantity>1</Quantity>")
        + invoice_line("B9999", "<Quantity>1</Quantity>")
        + "</InvoiceAdd></InvoiceAddRq>"
    )

    (rs,) = send(promo, invoice)

    assert status_of(rs) == 3140
    assert rs.get("statusMessage", "").startswith(
        'There is an invalid reference to QuickBooks Item "B9999" in the Invoice line.'
    )
    assert promo.documents("Invoice") == []


def test_unknown_customer_is_3140(promo: CompanyFile) -> None:
    (rs,) = send(promo, a7102_invoice(invoice_line("Discount 5%")).replace("Acme Promo", "Nobody"))

    assert status_of(rs) == 3140
    assert 'QuickBooks Customer "Nobody" in the Invoice' in rs.get("statusMessage", "")


def test_invoice_numbers_continue_from_the_last_one(promo: CompanyFile) -> None:
    first = a7102_invoice(invoice_line("Discount 5%"))
    second = first.replace("<RefNumber>A7102</RefNumber>", "").replace("Inv1", "Inv2")

    send(promo, first, second)

    assert [i["RefNumber"] for i in promo.documents("Invoice")] == ["A7102", "A7103"]


def test_invoice_mod_recomputes_and_checks_the_edit_sequence(promo: CompanyFile) -> None:
    (added,) = send(promo, a7102_invoice(invoice_line("Discount 5%")))
    txn_id, seq = text(added, "InvoiceRet/TxnID"), text(added, "InvoiceRet/EditSequence")
    first_line = next(each(added, "InvoiceRet/InvoiceLineRet"))
    other_lines = list(each(added, "InvoiceRet/InvoiceLineRet"))[1:]
    keep = "".join(
        f"<InvoiceLineMod><TxnLineID>{text(line, 'TxnLineID')}</TxnLineID></InvoiceLineMod>"
        for line in other_lines
    )

    def mod(edit_sequence: str) -> str:
        return (
            f"<InvoiceModRq><InvoiceMod><TxnID>{txn_id}</TxnID><EditSequence>{edit_sequence}</EditSequence>"
            f"<InvoiceLineMod><TxnLineID>{text(first_line, 'TxnLineID')}</TxnLineID><Quantity>200</Quantity></InvoiceLineMod>"
            f"{keep}</InvoiceMod></InvoiceModRq>"
        )

    (changed,) = send(promo, mod(seq))
    (stale,) = send(promo, mod(seq))

    assert status_of(changed) == 0
    # 200 × 2.30 = 460.00; subtotal 460.00; 5% discount −23.00 → 437.00
    assert [money(line, "Amount") for line in each(changed, "InvoiceRet/InvoiceLineRet")] == [
        Decimal("460.00"),
        Decimal("460.00"),
        Decimal("-23.00"),
    ]
    assert money(changed, "InvoiceRet/Subtotal") == Decimal("437.00")
    assert status_of(stale) == 3200


def test_invoice_query_leaves_out_lines_unless_asked(promo: CompanyFile) -> None:
    send(promo, a7102_invoice(invoice_line("Discount 5%")))

    (bare,) = send(promo, "<InvoiceQueryRq><RefNumber>A7102</RefNumber></InvoiceQueryRq>")
    (full,) = send(
        promo,
        "<InvoiceQueryRq><RefNumber>A7102</RefNumber><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>",
    )
    (unpaid,) = send(
        promo,
        "<InvoiceQueryRq><EntityFilter><FullName>Acme Promo</FullName></EntityFilter><PaidStatus>NotPaidOnly</PaidStatus></InvoiceQueryRq>",
    )

    assert list(each(bare, "InvoiceRet/InvoiceLineRet")) == []
    assert len(list(each(full, "InvoiceRet/InvoiceLineRet"))) == 3
    assert [text(i, "RefNumber") for i in each(unpaid, "InvoiceRet")] == ["A7102"]


def test_an_application_without_an_amount_is_3150(promo: CompanyFile) -> None:
    send(promo, a7102_invoice(invoice_line("Discount 5%")))
    (invoice,) = promo.documents("Invoice")
    empty = (
        "<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>Acme Promo</FullName></CustomerRef>"
        f"<TotalAmount>10.00</TotalAmount><AppliedToTxnAdd><TxnID>{invoice['TxnID']}</TxnID></AppliedToTxnAdd>"
        "</ReceivePaymentAdd></ReceivePaymentAddRq>"
    )

    (rs,) = send(promo, empty)

    assert status_of(rs) == 3150
    assert promo.documents("ReceivePayment") == []
