"""Editions: the same order planned for a US company with and without automated sales tax, and for
Canadian, UK and Australian companies (a tax code on every line); currencies the company cannot take.

ESP's figures stay the truth: every plan either carries ESP's total to the cent or is refused with
the figures QuickBooks would compute.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from espqb.orders import OrderSnapshot
from espqb.orders.examples import a7102_example
from espqb.plan import (
    BillOp,
    CustomerOp,
    InvoiceOp,
    ItemLine,
    PlanError,
    PurchaseOrderOp,
    QuickBooksCompany,
    Target,
    TaxCodeRef,
    TaxDefault,
    TaxLine,
    VendorOp,
)
from tests.plan.factories import SETTINGS, line, order, plan
from tests.support.tax_codes import code

CANADA = QuickBooksCompany(
    name="Maple Promo",
    country="CA",
    home_currency="CAD",
    tax_codes=(
        code("4", "HST ON", "13"),
        code("5", "GST", "5"),
        code("6", "GST/PST BC", "5", "7", purchase=("5",)),
        code("7", "Zero-rated", "0"),
        code("8", "Exempt"),
    ),
)
UK = QuickBooksCompany(
    country="GB",
    home_currency="GBP",
    tax_codes=(code("10", "20.0% S", "20"), code("11", "5.0% R", "5"), code("12", "No VAT")),
)
AUSTRALIA = QuickBooksCompany(
    country="AU", home_currency="AUD", tax_codes=(code("20", "GST", "10"), code("21", "GST free", "0"))
)
US_AST = QuickBooksCompany(automated_sales_tax=True, tax_codes=(code("3", "California", "7.75"),))
US_MANUAL = QuickBooksCompany(tax_codes=(code("2", "Demo County", "8.25"),))
US_DESKTOP = QuickBooksCompany(
    product="qbd",
    tax_codes=(code("80000001-1", "San Diego", "8.25"), code("80000002-1", "Out of State")),
    default_sales_tax_item="San Diego",
    default_taxable_code="Tax",
    default_non_taxable_code="Non",
)


def _hst_order(tax: str = "28.41", **extra: Any) -> OrderSnapshot:
    # 218.50 of taxable goods at 13 % HST = 28.405 → 28.41.
    return order(
        [
            line("A", 100, "1.85", cost="1.00", taxable=True),
            line("B", 1, "33.50", cost="20.00", taxable=True),
        ],
        total=str(Decimal("218.50") + Decimal(tax)),
        tax={"amount": tax, "rate_percent": "13", "name": "HST ON"},
        currency=extra.pop("currency", "CAD"),
        **extra,
    )


def _invoice(p: Any) -> InvoiceOp:
    op = p.operation("invoice")
    assert isinstance(op, InvoiceOp)
    return op


# ---------------------------------------------------------------------------------- per-line codes


@pytest.mark.parametrize("target", ["qbo", "qbd"])
def test_a_canadian_hst_order_puts_the_hst_code_on_every_taxed_line(target: Target) -> None:
    company = CANADA.model_copy(update={"product": target})
    p = plan(_hst_order(), {"tax": "quickbooks_default"}, target=target, company=company)
    invoice = _invoice(p)
    codes = {ln.tax_code for ln in invoice.lines if isinstance(ln, ItemLine)}
    assert codes == {TaxCodeRef(id="4", name="HST ON")}
    assert invoice.tax.global_calculation == "TaxExcluded"
    assert not invoice.tax.override_total  # QuickBooks computes it from the codes...
    assert invoice.tax.expected == Decimal("28.41")  # ...and gets ESP's figure
    assert invoice.total == p.totals.invoice_total == Decimal("246.91")


@pytest.mark.parametrize("target", ["qbo", "qbd"])
def test_a_tax_quickbooks_would_compute_differently_is_refused_with_both_figures(target: Target) -> None:
    company = CANADA.model_copy(update={"product": target})
    with pytest.raises(PlanError) as raised:
        plan(_hst_order(tax="28.40"), {"tax": "quickbooks_default"}, target=target, company=company)
    (problem,) = raised.value.problems
    assert problem.path == "order.tax.amount"
    assert "13 %" in problem.message and "218.50 = 28.41" in problem.message
    assert "the order's tax is 28.40" in problem.message
    assert "Add Total Tax as an Item" in problem.message


def test_tax_as_an_item_in_canada_puts_every_line_on_the_no_taxcode() -> None:
    p = plan(_hst_order(tax="28.40"), {"tax": "item"}, company=CANADA)
    invoice = _invoice(p)
    zero = TaxCodeRef(id="7", name="Zero-rated")
    assert {ln.tax_code for ln in invoice.lines if isinstance(ln, ItemLine | TaxLine)} == {zero}
    (tax_line,) = [ln for ln in invoice.lines if isinstance(ln, TaxLine)]
    assert tax_line.amount == Decimal("28.40")  # ESP's figure, whatever QuickBooks would compute
    assert invoice.total == Decimal("246.90")


def test_a_chosen_code_wins_and_two_rates_are_rounded_each_once() -> None:
    # 218.50 × 5 % = 10.925 → 10.93 and × 7 % = 15.295 → 15.30: 26.23 (not 12 % of 218.50 = 26.22).
    p = plan(
        _hst_order(tax="26.23"),
        {"tax": {"code": "GST/PST BC"}},
        company=CANADA,
    )
    assert _invoice(p).tax.expected == Decimal("26.23")
    with pytest.raises(PlanError, match=re.escape("= 26.23, but the order's tax is 26.22")):
        plan(_hst_order(tax="26.22"), {"tax": {"code": "GST/PST BC"}}, company=CANADA)


def test_the_sales_code_is_matched_by_rate_when_the_name_differs() -> None:
    snapshot = order(
        [line("A", 10, "10.00", taxable=True), line("B", 1, "5.00", taxable=False)],
        total="115.00",
        tax={"amount": "10.00", "rate_percent": "10", "name": "Sales tax"},
        currency="AUD",
    )
    invoice = _invoice(plan(snapshot, {"tax": "quickbooks_default"}, company=AUSTRALIA))
    codes = [ln.tax_code for ln in invoice.lines if isinstance(ln, ItemLine)]
    assert codes == [TaxCodeRef(id="20", name="GST"), TaxCodeRef(id="21", name="GST free")]


def test_the_settings_choose_the_codes_when_nothing_matches() -> None:
    snapshot = order(
        [line("A", 10, "10.00", taxable=True)], total="120.00", tax={"amount": "20.00"}, currency="GBP"
    )
    with pytest.raises(PlanError) as raised:
        plan(snapshot, {"tax": "quickbooks_default"}, company=UK)
    assert raised.value.problems[0].path == "settings.tax_default.sales_code"
    settings = SETTINGS.model_copy(
        update={"tax_default": TaxDefault(sales_code="20.0% S", no_tax_code="No VAT")}
    )
    invoice = _invoice(plan(snapshot, {"tax": "quickbooks_default"}, settings=settings, company=UK))
    assert invoice.tax.expected == Decimal("20.00") and invoice.total == Decimal("120.00")


def test_an_order_without_tax_puts_every_line_on_the_no_taxcode() -> None:
    p = plan(
        a7102_example(),
        {"tax": "quickbooks_default"},
        company=CANADA.model_copy(update={"home_currency": "USD"}),
    )
    invoice = _invoice(p)
    assert {ln.tax_code for ln in invoice.lines if isinstance(ln, ItemLine)} == {
        TaxCodeRef(id="7", name="Zero-rated")
    }
    assert invoice.total == Decimal("218.50")


def test_bills_and_purchase_orders_default_to_the_zero_rated_code_and_equal_esps_cost() -> None:
    choices = {"suppliers": {"S1": {"send_bill": True, "send_purchase_order": True}}}
    p = plan(_hst_order(), choices, company=CANADA)
    bill, po = p.operation("bill:S1"), p.operation("purchase_order:S1")
    assert isinstance(bill, BillOp) and isinstance(po, PurchaseOrderOp)
    for doc in (bill, po):
        assert {ln.tax_code for ln in doc.lines} == {TaxCodeRef(id="7", name="Zero-rated")}
        assert doc.tax_amount == Decimal("0.00") and doc.total == Decimal("120.00")
        assert doc.global_calculation == "TaxExcluded"


def test_a_purchase_code_in_the_settings_adds_the_purchase_tax_quickbooks_computes() -> None:
    settings = SETTINGS.model_copy(update={"tax_default": TaxDefault(purchase_code="HST ON")})
    p = plan(_hst_order(), {"suppliers": {"S1": {"send_bill": True}}}, settings=settings, company=CANADA)
    bill = p.operation("bill:S1")
    assert isinstance(bill, BillOp)
    assert bill.tax_amount == Decimal("15.60") and bill.total == Decimal("135.60")  # 13 % of 120.00


def test_a_company_without_a_no_tax_code_is_refused_with_where_to_choose_one() -> None:
    bare = CANADA.model_copy(update={"tax_codes": (code("4", "HST ON", "13"),)})
    with pytest.raises(PlanError) as raised:
        plan(_hst_order(), {"tax": "item"}, company=bare)
    assert [p.path for p in raised.value.problems] == [
        "settings.tax_default.no_tax_code",
        "settings.tax_default.purchase_code",  # the bill's lines need one too
    ]


# ---------------------------------------------------------------------------------- United States


@pytest.mark.parametrize("company", [US_AST, US_MANUAL], ids=["automated", "manual"])
def test_a_us_override_always_names_a_tax_code_with_the_total(company: QuickBooksCompany) -> None:
    snapshot = order(
        [line("A", 100, "1.50", taxable=True)],
        total="161.63",
        tax={"amount": "11.63", "rate_percent": "7.75"},
    )
    invoice = _invoice(plan(snapshot, {"tax": "quickbooks_default"}, company=company))
    assert invoice.tax.override_total and invoice.tax.amount == Decimal("11.63")
    # Automated sales tax ignores a TotalTax that comes without TxnTaxCodeRef.
    assert invoice.tax.code_ref == TaxCodeRef(id=company.tax_codes[0].id, name=company.tax_codes[0].name)
    assert invoice.tax.regime == company.regime
    assert [ln.tax_code for ln in invoice.lines if isinstance(ln, ItemLine)] == [None]


def test_a_us_company_without_any_tax_code_cannot_take_esps_tax_except_as_an_item() -> None:
    snapshot = order([line("A", 100, "1.50", taxable=True)], total="161.63", tax={"amount": "11.63"})
    with pytest.raises(PlanError, match="Add Total Tax as an Item"):
        plan(snapshot, {"tax": "quickbooks_default"}, company=QuickBooksCompany(automated_sales_tax=True))
    invoice = _invoice(plan(snapshot, {"tax": "item"}, company=QuickBooksCompany(automated_sales_tax=True)))
    assert invoice.total == Decimal("161.63")


def test_a_us_order_without_tax_sends_every_line_non_taxable() -> None:
    snapshot = order([line("A", 100, "1.50", taxable=True)], total="150.00")
    invoice = _invoice(plan(snapshot, {"tax": "quickbooks_default"}, company=US_AST))
    # Automated sales tax would otherwise tax the line on its own.
    assert [ln.taxable for ln in invoice.lines if isinstance(ln, ItemLine)] == [False]
    assert not invoice.tax.override_total


def test_desktop_us_checks_the_sales_tax_items_rate_against_esps_tax() -> None:
    # 150.00 taxable at 8.25 % = 12.375 → 12.38.
    good = order([line("A", 100, "1.50", taxable=True)], total="162.38", tax={"amount": "12.38"})
    invoice = _invoice(plan(good, {"tax": "quickbooks_default"}, target="qbd", company=US_DESKTOP))
    assert invoice.tax.expected == Decimal("12.38")
    assert invoice.tax.code_ref == TaxCodeRef(id="80000001-1", name="San Diego")
    bad = order([line("A", 100, "1.50", taxable=True)], total="161.63", tax={"amount": "11.63"})
    with pytest.raises(PlanError, match=re.escape("150.00 = 12.38, but the order's tax is 11.63")):
        plan(bad, {"tax": "quickbooks_default"}, target="qbd", company=US_DESKTOP)


# ---------------------------------------------------------------------------------------- currency


def test_an_order_in_a_currency_the_company_does_not_keep_is_refused() -> None:
    snapshot = a7102_example().model_copy(update={"currency": "EUR"})
    with pytest.raises(PlanError) as raised:
        plan(snapshot, company=US_MANUAL.model_copy(update={"name": "Demo Promotions"}))
    (problem,) = raised.value.problems
    assert problem.path == "order.currency"
    assert "EUR" in problem.message and "USD without multi-currency" in problem.message


def test_a_multi_currency_company_creates_the_customer_and_vendor_in_the_orders_currency() -> None:
    company = US_MANUAL.model_copy(
        update={
            "product": "qbd",
            "multi_currency": True,
            "currencies": ("CAD",),
            "currency_names": {"CAD": "Canadian Dollar"},
        }
    )
    snapshot = a7102_example().model_copy(update={"currency": "CAD", "exchange_rate": Decimal("0.7312")})
    p = plan(
        snapshot,
        {"suppliers": {s.esp_id: {"send_bill": True} for s in snapshot.suppliers}},
        target="qbd",
        company=company,
    )
    customer = p.operation("customer")
    assert isinstance(customer, CustomerOp)
    assert customer.currency is not None and (customer.currency.code, customer.currency.name) == (
        "CAD",
        "Canadian Dollar",
    )
    assert all(op.currency is not None for op in p.operations if isinstance(op, VendorOp))
    assert _invoice(p).exchange_rate == Decimal("0.7312")
    with pytest.raises(PlanError, match="has not added"):
        plan(snapshot.model_copy(update={"currency": "EUR"}), company=company)


def test_the_home_currency_sends_no_exchange_rate_and_names_no_currency() -> None:
    snapshot = a7102_example().model_copy(update={"exchange_rate": Decimal("1.5")})
    company = US_MANUAL.model_copy(update={"multi_currency": True, "currencies": ("CAD",)})
    p = plan(snapshot, company=company)
    assert _invoice(p).exchange_rate is None
    customer = p.operation("customer")
    assert isinstance(customer, CustomerOp) and customer.currency is None


def test_a_foreign_currency_document_leaves_the_receivable_and_payable_accounts_to_quickbooks() -> None:
    company = US_MANUAL.model_copy(update={"multi_currency": True, "currencies": ("CAD",)})
    snapshot = a7102_example().model_copy(update={"currency": "CAD"})
    settings = SETTINGS  # chooses Accounts Receivable / Accounts Payable, home-currency accounts
    p = plan(
        snapshot,
        {"suppliers": {s.esp_id: {"send_bill": True} for s in snapshot.suppliers}},
        settings=settings,
        company=company,
    )
    invoice = _invoice(p)
    assert invoice.ar_account is None
    assert all(op.ap_account is None for op in p.operations if isinstance(op, BillOp))
    assert any("its own CAD receivable and payable accounts" in note for note in p.notes)
    home = plan(a7102_example(), settings=settings, company=company)
    assert _invoice(home).ar_account is not None and not any("receivable" in n for n in home.notes)
