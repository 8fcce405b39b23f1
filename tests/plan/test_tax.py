"""Tax: as an item carrying ESP's amount, QuickBooks' default, or an explicit tax code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from espqb.orders import OrderSnapshot, QuickBooksRef
from espqb.plan import AccountRef, InvoiceOp, ItemLine, ItemOp, Plan, Target, TaxDefault, TaxLine
from tests.plan.factories import SETTINGS, line, order, plan


def _taxed_order(tax: str = "10.88") -> OrderSnapshot:
    # 150.00 taxable + 21.00 not taxable; ESP's tax: 7.25 % of 150.00 = 10.875 → 10.88.
    return order(
        [line("A", 100, "1.50", taxable=True), line("B", 7, "3.00", taxable=False)],
        total=str(Decimal("171.00") + Decimal(tax)),
        tax={"amount": tax, "rate_percent": "7.25", "name": "MN Sales Tax"},
    )


def _invoice(p: Plan) -> InvoiceOp:
    op = p.operation("invoice")
    assert isinstance(op, InvoiceOp)
    return op


@pytest.mark.parametrize("target", ["qbo", "qbd"])
def test_tax_as_an_item_carries_esps_amount_and_untaxes_the_lines(target: Target) -> None:
    p = plan(_taxed_order(), {"tax": "item"}, target=target)
    invoice = _invoice(p)
    tax_line = invoice.lines[-1]
    assert isinstance(tax_line, TaxLine)
    assert (tax_line.amount, tax_line.rate_percent, tax_line.description) == (
        Decimal("10.88"),
        Decimal("7.25"),
        "MN Sales Tax",
    )
    # No line is taxable for QuickBooks, so it cannot add tax on top of ESP's (double-tax trap).
    assert {ln.taxable for ln in invoice.lines if isinstance(ln, ItemLine)} == {False}
    assert invoice.tax.mode == "item" and not invoice.tax.override_total
    tax_item = p.operation(tax_line.item_key)
    assert tax_item.name == "Total Tax" and tax_item.taxable is False  # type: ignore[union-attr]
    assert p.totals.invoice_total == Decimal("181.88")
    assert p.totals.taxable_subtotal == Decimal("150.00")


@pytest.mark.parametrize(
    ("choice", "mode", "code"),
    [("quickbooks_default", "quickbooks_default", None), ({"code": "MN-STATE"}, "code", "MN-STATE")],
)
def test_qbo_overrides_the_total_tax_with_esps_amount(choice: Any, mode: str, code: str | None) -> None:
    p = plan(_taxed_order(), {"tax": choice}, target="qbo")
    invoice = _invoice(p)
    assert not any(isinstance(ln, TaxLine) for ln in invoice.lines)
    assert (invoice.tax.mode, invoice.tax.code, invoice.tax.amount) == (mode, code, Decimal("10.88"))
    assert invoice.tax.override_total  # otherwise US automated sales tax recomputes it
    assert [ln.taxable for ln in invoice.lines if isinstance(ln, ItemLine)] == [True, False]
    assert invoice.total == Decimal("181.88")
    assert p.notes == ()


def test_desktop_default_tax_is_computed_by_quickbooks_and_the_user_is_told() -> None:
    p = plan(_taxed_order(), {"tax": "quickbooks_default"}, target="qbd")
    invoice = _invoice(p)
    assert not invoice.tax.override_total
    assert [ln.taxable for ln in invoice.lines if isinstance(ln, ItemLine)] == [True, False]
    (note,) = p.notes
    assert "ESP's tax is 10.88" in note


def test_the_tax_option_defaults_to_the_settings() -> None:
    settings = SETTINGS.model_copy(update={"tax_default": TaxDefault(option="code", code="CITY")})
    invoice = _invoice(plan(_taxed_order(), settings=settings))
    assert (invoice.tax.mode, invoice.tax.code) == ("code", "CITY")


def test_no_tax_line_when_there_is_no_tax() -> None:
    p = plan(_taxed_order(tax="0.00"), {"tax": "item"}, target="qbd")
    assert not any(isinstance(ln, TaxLine) for ln in _invoice(p).lines)
    assert "item:special:tax" not in p.operation_keys()


def test_the_tax_item_posts_to_the_tax_account_when_one_is_set() -> None:
    accounts = SETTINGS.default_accounts.model_copy(update={"tax": QuickBooksRef(name="Sales Tax Payable")})
    settings = SETTINGS.model_copy(update={"default_accounts": accounts})
    with_account = plan(_taxed_order(), {"tax": "item"}, settings=settings).operation("item:special:tax")
    without = plan(_taxed_order(), {"tax": "item"}).operation("item:special:tax")
    assert isinstance(with_account, ItemOp) and isinstance(without, ItemOp)
    assert with_account.income_account == AccountRef(id=None, name="Sales Tax Payable")
    assert without.income_account == AccountRef(id="79", name="Sales")
