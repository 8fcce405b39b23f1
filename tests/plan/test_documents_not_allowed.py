"""A document the dialog left to the defaults, which the Details tab does not allow, is not sent, and
the plan says so in words the job shows (never a silent drop)."""

from __future__ import annotations

from espqb.orders import OrderSnapshot
from tests.plan.factories import SETTINGS, line, order, plan

NO_BILLS = SETTINGS.model_copy(update={"allow_bills": False, "send_bill_by_default": True})


def _order() -> OrderSnapshot:
    return order(
        [line("A7102", 100, "2.30", cost="1.15", supplier_id="S1")],
        total="230.00",
        suppliers=[{"esp_id": "S1", "name": "Hit Promotional Products"}],
    )


def test_a_bill_the_settings_do_not_allow_is_left_out_with_a_note() -> None:
    p = plan(_order(), {}, settings=NO_BILLS)

    assert not [k for k in p.operation_keys() if k.startswith("bill:")]
    assert p.notes == (
        "No bill was sent for Hit Promotional Products: the Details tab of your company's QuickBooks "
        "integration does not allow sending bills.",
    )


def test_a_bill_switched_off_in_the_dialog_needs_no_note() -> None:
    p = plan(_order(), {"suppliers": {"S1": {"send_bill": False}}}, settings=NO_BILLS)
    assert p.notes == ()


def test_bills_allowed_are_sent_without_a_note() -> None:
    p = plan(_order(), {}, settings=SETTINGS.model_copy(update={"send_bill_by_default": True}))
    assert [k for k in p.operation_keys() if k.startswith("bill:")] == ["bill:S1"]
    assert p.notes == ()
