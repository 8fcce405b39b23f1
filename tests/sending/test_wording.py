"""Step sentences: the same event reads the same on both products; only the product's name and its
id label differ, and a link never says "created"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from espqb.orders import a7102_request
from espqb.plan import CustomerOp, InvoiceOp, Plan, Target
from espqb.sending import wording
from espqb.sending.wording import PRODUCTS, QUICKBOOKS_DESKTOP, QUICKBOOKS_ONLINE
from tests.plan.factories import plan


def _plan(target: Target) -> Plan:
    request = a7102_request()
    return plan(request.order, request.choices, target=target)


def test_a_created_invoice_reads_the_same_on_both_products() -> None:
    online, desktop = _plan("qbo").operation("invoice"), _plan("qbd").operation("invoice")
    assert isinstance(online, InvoiceOp) and isinstance(desktop, InvoiceOp)
    assert (
        wording.created(QUICKBOOKS_ONLINE, online, "123")
        == f"Invoice {online.doc_number} for 218.50 created in QuickBooks Online (Id 123)"
    )
    assert (
        wording.created(QUICKBOOKS_DESKTOP, desktop, "1A2-99")
        == f"Invoice {desktop.doc_number} for 218.50 created in QuickBooks Desktop (TxnID 1A2-99)"
    )


def test_quickbooks_own_number_is_the_one_said() -> None:
    invoice = _plan("qbo").operation("invoice")
    assert wording.updated(QUICKBOOKS_ONLINE, invoice, "7", number="1001").startswith(
        "Invoice 1001 for 218.50 updated"
    )


@pytest.mark.parametrize("target", ["qbo", "qbd"])
def test_list_records_name_kind_name_and_id(target: Target) -> None:
    product = PRODUCTS[target]
    customer = _plan(target).operation("customer")
    assert isinstance(customer, CustomerOp)
    label = "Id" if target == "qbo" else "ListID"
    created = wording.created(product, customer, "80", name="Acme (Customer)")
    linked = wording.linked(product, customer, "80", name="Acme")
    found = wording.found_by_name(product, customer, "80", name="Acme")
    assert created == f"Customer “Acme (Customer)” created in {product.name} ({label} 80)"
    assert linked == f"Linked to the {product.name} customer “Acme” ({label} 80)"
    assert (
        found
        == f"Linked to the existing {product.name} customer “Acme” ({label} 80): the name was already in use"
    )
    assert "created" not in linked and "created" not in found


def test_payments_and_notes() -> None:
    payment = next(op for op in _plan("qbd").operations if op.kind == "payment")
    assert wording.created(QUICKBOOKS_ONLINE, payment, "5").startswith("Payment of ")
    assert "applied to the invoice in QuickBooks Online (Id 5)" in wording.created(
        QUICKBOOKS_ONLINE, payment, "5"
    )
    assert wording.left_unchanged(QUICKBOOKS_DESKTOP, payment, "9-1").endswith(
        "already in QuickBooks Desktop (TxnID 9-1); left as it is"
    )
    sentence = wording.with_notes(
        "Invoice 1 for 2.00 created in QuickBooks Online (Id 3)",
        wording.figures_differ(QUICKBOOKS_ONLINE, Decimal("2.10"), Decimal("2.00")),
        None,
        wording.stays_with_owner("C1"),
    )
    assert sentence == (
        "Invoice 1 for 2.00 created in QuickBooks Online (Id 3); QuickBooks Online shows 2.10 where ESP "
        "planned 2.00; it stays linked to ESP record C1, so later sends do not use it unless chosen again"
    )
    assert wording.figures_differ(QUICKBOOKS_DESKTOP, None, Decimal(1)) == (
        "QuickBooks Desktop shows no total where ESP planned 1.00"
    )


def test_a_skipped_step_names_what_could_not_be_written() -> None:
    customer = _plan("qbo").operation("customer")
    assert wording.not_written_because(customer) == (
        f"Not written because the {wording.describe(customer)} could not be written."
    )


def test_an_unanswered_write_and_a_missing_name_read_the_same_on_both_products() -> None:
    for product in (QUICKBOOKS_ONLINE, QUICKBOOKS_DESKTOP):
        customer = _plan("qbo").operation("customer")
        assert wording.sent_without_answer(product) == (
            f"Sent to {product.name}; no answer yet, so it is sent again as the same request."
        )
        assert wording.no_record_named(product, customer, "Acme") == (
            f"{product.name} has no customer named “Acme” to link to."
        )


def test_the_jobs_summary_names_the_documents_written() -> None:
    ops = _plan("qbd").operations
    documents = [op for op in ops if op.kind in ("invoice", "payment")]
    assert wording.sent(QUICKBOOKS_DESKTOP, documents) == (
        "Sent to QuickBooks Desktop: invoice 10245 and payment P1 of 100.00."
    )
    assert wording.sent(QUICKBOOKS_ONLINE, []) == "Everything was already in QuickBooks Online."


def test_a_figure_quickbooks_stored_otherwise_is_one_warning_on_both_products() -> None:
    for product in (QUICKBOOKS_ONLINE, QUICKBOOKS_DESKTOP):
        assert wording.figure_differs(
            product, "Invoice 10245 total", Decimal("236.53"), Decimal("218.50")
        ) == (f"Invoice 10245 total: {product.name} shows 236.53 where ESP has 218.50.")
    assert wording.figure_differs(QUICKBOOKS_ONLINE, "Bill 7 total", None, Decimal(1), why="a reason") == (
        "Bill 7 total: QuickBooks Online shows nothing where ESP has 1.00 (a reason)."
    )
