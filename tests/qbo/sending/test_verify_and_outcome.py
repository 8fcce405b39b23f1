"""Checking what QuickBooks Online stored against the plan, and summing an attempt up as the job's
outcome: differences become warnings a bookkeeper can act on."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from espqb.db.models import StepStatus
from espqb.orders import a7102_request
from espqb.plan import Plan
from qbo_gateway.sender.outcome import job_outcome
from qbo_gateway.sender.results import StepResult
from qbo_gateway.sender.verify import differences
from tests.plan.factories import line, order, plan


def _a7102() -> Plan:
    request = a7102_request()
    return plan(request.order, request.choices, target="qbo")


def test_an_invoice_as_planned_raises_no_warning() -> None:
    invoice = _a7102().operation("invoice")
    stored: dict[str, Any] = {
        "TotalAmt": Decimal("218.50"),
        "Balance": Decimal("218.50"),
        "DocNumber": "10245",
    }
    assert differences(invoice, stored, applied_before=Decimal(0)) == []


def test_a_different_total_and_number_are_reported() -> None:
    invoice = _a7102().operation("invoice")
    stored: dict[str, Any] = {
        "TotalAmt": Decimal("236.48"),
        "Balance": Decimal("236.48"),
        "DocNumber": "1001",
    }
    warnings = differences(invoice, stored, applied_before=Decimal(0))
    assert "Invoice 10245 total: QuickBooks Online shows 236.48 where ESP has 218.50." in warnings
    assert any("numbered it 1001" in w for w in warnings)


def test_tax_recomputed_by_quickbooks_is_reported() -> None:
    p = plan(
        order([line("T1", 10, "10.00", "4.00")], "108.25", tax={"amount": "8.25"}),
        {"tax": "quickbooks_default"},
    )
    stored: dict[str, Any] = {"TotalAmt": Decimal("108.25"), "TxnTaxDetail": {"TotalTax": Decimal("7.75")}}
    (warning,) = differences(p.operation("invoice"), stored)
    assert "shows 7.75 where ESP has 8.25" in warning


def test_a_bill_whose_purchase_order_link_was_dropped_is_reported() -> None:
    bill = _a7102().operation("bill:S61125")
    linked: dict[str, Any] = {
        "TotalAmt": Decimal("115.00"),
        "LinkedTxn": [{"TxnId": "7", "TxnType": "PurchaseOrder"}],
    }
    dropped: dict[str, Any] = {"TotalAmt": Decimal("115.00")}
    assert differences(bill, linked, purchase_order_id="7") == []
    (warning,) = differences(bill, dropped, purchase_order_id="7")
    assert "did not link it to its purchase order" in warning


def test_a_payment_not_fully_applied_is_reported() -> None:
    payment = _a7102().operation("payment:P1")
    stored: dict[str, Any] = {
        "TotalAmt": Decimal("100.00"),
        "UnappliedAmt": Decimal("100.00"),
        "Line": [],
    }
    warnings = differences(payment, stored, invoice_id="12")
    assert any("100.00 was not applied" in w for w in warnings)
    assert any("did not apply it to the invoice" in w for w in warnings)


def _step(
    key: str, kind: str, status: StepStatus, *, wrote: bool = True, error: str | None = None
) -> StepResult:
    return StepResult(
        key,
        kind,
        "create",
        status,
        qb_id="1" if status is StepStatus.SUCCEEDED else None,
        wrote=wrote,
        error=error,
    )


def test_every_step_written_is_a_success_with_its_warnings() -> None:
    steps = [
        _step("invoice", "invoice", StepStatus.SUCCEEDED),
        _step("bill:S61125", "bill", StepStatus.SUCCEEDED),
    ]
    steps[1].warnings.append("Bill 10245: not linked")
    outcome = job_outcome(steps, replace(_a7102(), notes=("A note from the plan",)))
    assert outcome.kind == "succeeded"
    assert outcome.summary == "Sent to QuickBooks Online: invoice 10245 and bill 10245."
    assert outcome.warnings == ("A note from the plan", "Bill 10245: not linked")


def test_a_failed_document_next_to_written_ones_is_a_partial_success() -> None:
    steps = [
        _step("invoice", "invoice", StepStatus.FAILED, error="Duplicate Document Number"),
        _step("bill:S61125", "bill", StepStatus.SUCCEEDED),
    ]
    outcome = job_outcome(steps, _a7102())
    assert outcome.kind == "partially_succeeded"
    assert outcome.error == "Duplicate Document Number"


def test_nothing_written_is_a_failure() -> None:
    steps = [
        _step("customer", "customer", StepStatus.SUCCEEDED, wrote=False),
        _step("invoice", "invoice", StepStatus.FAILED, error="Refused"),
    ]
    assert job_outcome(steps, _a7102()).kind == "failed"
