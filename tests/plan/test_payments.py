"""ESP payments are applied to the invoice: partial and full; more than the total is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from espqb.orders import OrderSnapshot
from espqb.plan import PaymentOp, PlanError
from tests.plan.factories import line, order, plan


def _a7102(*payments: tuple[str, str]) -> OrderSnapshot:
    return order(
        [line("A7102", 100, "2.30", cost="1.15")],
        total="218.50",
        discount={"amount": "11.50"},
        payments=[
            {"id": pid, "date": "2024-06-04", "amount": amount, "method": "Visa"} for pid, amount in payments
        ],
    )


@pytest.mark.parametrize(
    ("payments", "applied", "balance"),
    [
        ([], "0.00", "218.50"),
        ([("P1", "100.00")], "100.00", "118.50"),
        ([("P1", "100.00"), ("P2", "118.50")], "218.50", "0.00"),
        ([("P1", "0.01"), ("P2", "0.02"), ("P3", "218.47")], "218.50", "0.00"),
    ],
)
def test_partial_and_full_payments(payments: list[tuple[str, str]], applied: str, balance: str) -> None:
    p = plan(_a7102(*payments))
    assert (str(p.totals.payments_applied), str(p.totals.balance_due)) == (applied, balance)
    ops = [op for op in p.operations if isinstance(op, PaymentOp)]
    assert [(op.key, str(op.amount), op.invoice_key) for op in ops] == [
        (f"payment:{pid}", amount, "invoice") for pid, amount in payments
    ]
    # Payments come after the invoice they are applied to.
    assert all(p.operation_keys().index(op.key) > p.operation_keys().index("invoice") for op in ops)


def test_an_overpayment_is_refused_with_the_figures() -> None:
    with pytest.raises(PlanError) as caught:
        plan(_a7102(("P1", "100.00"), ("P2", "120.00")))
    (problem,) = caught.value.problems
    assert problem.path == "order.payments"
    assert "add up to 220.00" in problem.message
    assert "order total 218.50" in problem.message
    assert "overpaid by 1.50" in problem.message


def test_payments_wait_for_the_invoice() -> None:
    p = plan(_a7102(("P1", "100.00")), {"send_invoice": False, "suppliers": {"S1": {"send_bill": True}}})
    assert not any(k.startswith("payment:") for k in p.operation_keys())
    assert p.totals.payments_applied == Decimal("0.00")
    assert p.notes == ("1 payment(s) were not sent because the invoice is not being sent.",)


def test_payment_reference_fits_desktop() -> None:
    snapshot = order(
        [line("A", 1, "50.00")],
        total="50.00",
        payments=[
            {"id": "P1", "date": "2024-06-04", "amount": "50", "reference": "AUTH-0000-1111-2222-3333-4444"}
        ],
    )
    qbd = plan(snapshot, target="qbd").operation("payment:P1")
    qbo = plan(snapshot, target="qbo").operation("payment:P1")
    assert isinstance(qbd, PaymentOp) and isinstance(qbo, PaymentOp)
    # Desktop RefNumber holds 20 characters, QBO 21: the end of the reference is kept.
    assert qbd.reference == "-1111-2222-3333-4444"
    assert qbo.reference == "0-1111-2222-3333-4444"
