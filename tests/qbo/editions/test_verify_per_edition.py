"""Verify-after-write per edition: totals are ESP's on every edition; outside the US the tax QuickBooks
computed from the line codes is compared with ESP's; a bill's total includes the purchase tax."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qbo_gateway.sender.verify import differences
from tests.plan.factories import SETTINGS, line, order, plan
from tests.qbo.editions.companies import CANADA

BOTH = {"suppliers": {"S1": {"vendor": {"create": True}, "send_bill": True, "send_purchase_order": True}}}


def _hst_order(tax: str = "13.00") -> Any:
    return order(
        [line("T1", 10, "10.00", "6.00")],
        str(Decimal("100.00") + Decimal(tax)),
        tax={"amount": tax, "rate_percent": "13"},
        currency="CAD",
    )


def test_a_canadian_invoice_with_esps_total_and_tax_verifies() -> None:
    invoice = plan(_hst_order(), {**BOTH, "tax": "quickbooks_default"}, company=CANADA).operation("invoice")
    stored = {
        "TotalAmt": "113.00",
        "Balance": "113.00",
        "DocNumber": "5001",
        "TxnTaxDetail": {"TotalTax": "13.00"},
    }
    assert differences(invoice, stored, applied_before=Decimal(0)) == []


def test_a_canadian_invoice_whose_computed_tax_differs_is_a_warning() -> None:
    invoice = plan(_hst_order(), {**BOTH, "tax": "quickbooks_default"}, company=CANADA).operation("invoice")
    stored = {"TotalAmt": "113.01", "DocNumber": "5001", "TxnTaxDetail": {"TotalTax": "13.01"}}
    warnings = differences(invoice, stored)
    assert (
        "Invoice 5001 tax: QuickBooks Online shows 13.01 where ESP has 13.00 (it computes the tax from the lines' tax codes)."
        in warnings
    )
    assert any(w.startswith("Invoice 5001 total") for w in warnings)


def test_an_untaxed_invoice_outside_the_us_may_come_back_without_tax_detail() -> None:
    untaxed = order([line("T1", 10, "10.00", "6.00")], "100.00", currency="CAD")
    invoice = plan(untaxed, {**BOTH, "tax": "quickbooks_default"}, company=CANADA).operation("invoice")
    assert differences(invoice, {"TotalAmt": "100.00", "DocNumber": "5001"}) == []


def test_a_bill_verifies_against_its_total_with_the_purchase_tax() -> None:
    settings = SETTINGS.model_copy(
        update={"tax_default": SETTINGS.tax_default.model_copy(update={"purchase_code": "HST ON"})}
    )
    bill = plan(
        _hst_order(), {**BOTH, "tax": "quickbooks_default"}, company=CANADA, settings=settings
    ).operation("bill:S1")
    assert bill.total == Decimal("67.80")
    assert differences(bill, {"TotalAmt": "67.80"}) == []
    assert differences(bill, {"TotalAmt": "60.00"}) != []
