"""Bills and purchase orders: one per supplier, at unit cost, to the chosen accounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from espqb.orders import OrderSnapshot
from espqb.plan import AccountRef, BillOp, ItemOp, PlanError, PlanSettings, PurchaseOrderOp, VendorOp
from tests.plan.factories import SETTINGS, line, order, plan


def _two_supplier_order() -> OrderSnapshot:
    return order(
        [
            line("A7102", 100, "2.30", cost="1.15", supplier_id="S1"),
            line("BG100", 50, "4.10", cost="2.333", supplier_id="S2"),
            line("A7102-R", 25, "2.30", cost="1.15", supplier_id="S1"),
        ],
        total="552.50",
        charges=[
            {"kind": "setup", "unit_price": "50.00", "unit_cost": "40.00", "supplier_id": "S2"},
            {"kind": "shipping", "unit_price": "10.00"},
        ],
        suppliers=[
            {"esp_id": "S1", "name": "Hit Promotional Products"},
            {"esp_id": "S2", "name": "Bag Makers"},
        ],
    )


BOTH = {"send_bill": True, "send_purchase_order": True}


def test_two_suppliers_each_get_a_bill_and_a_purchase_order() -> None:
    p = plan(_two_supplier_order(), {"suppliers": {"S1": BOTH, "S2": {**BOTH, "cogs_account": {"id": "81"}}}})
    assert [k for k in p.operation_keys() if not k.startswith("item:")] == [
        "customer",
        "vendor:S1",
        "vendor:S2",
        "invoice",
        "purchase_order:S1",
        "bill:S1",
        "purchase_order:S2",
        "bill:S2",
    ]
    po1, bill1 = p.operation("purchase_order:S1"), p.operation("bill:S1")
    po2, bill2 = p.operation("purchase_order:S2"), p.operation("bill:S2")
    assert isinstance(po1, PurchaseOrderOp) and isinstance(bill1, BillOp)
    assert isinstance(po2, PurchaseOrderOp) and isinstance(bill2, BillOp)

    # S1: 100 × 1.15 + 25 × 1.15; S2: 50 × 2.333 = 116.65 and the 40.00 setup it bills.
    assert [(ln.source, str(ln.unit_cost), str(ln.amount)) for ln in bill1.lines] == [
        ("order.lines[0]", "1.15", "115.00"),
        ("order.lines[2]", "1.15", "28.75"),
    ]
    assert [(ln.item_key, str(ln.amount)) for ln in bill2.lines] == [
        ("item:S2/BG100", "116.65"),
        ("item:charge:setup", "40.00"),
    ]
    assert (po1.total, bill1.total, po2.total, bill2.total) == (
        Decimal("143.75"),
        Decimal("143.75"),
        Decimal("156.65"),
        Decimal("156.65"),
    )
    assert p.totals.supplier("S1").bill_total == Decimal("143.75")
    assert p.totals.supplier("S2").po_total == Decimal("156.65")

    # Accounts: S2's own COGS choice, S1 the default; AP from the settings.
    assert {ln.expense_account for ln in bill1.lines} == {AccountRef(id="80", name="Cost of Goods Sold")}
    assert {ln.expense_account for ln in bill2.lines} == {AccountRef(id="81", name=None)}
    assert bill1.ap_account == AccountRef(id=None, name="Accounts Payable")
    # Two purchase orders from one order get distinct numbers; bills keep the order number.
    assert (po1.doc_number, po2.doc_number, bill1.doc_number, bill2.doc_number) == (
        "5001-1",
        "5001-2",
        "5001",
        "5001",
    )
    # The shipping charge has no supplier: it is on the invoice only.
    assert not any(ln.item_key == "item:charge:shipping" for ln in (*bill1.lines, *bill2.lines))


def test_items_that_are_bought_carry_the_expense_account() -> None:
    p = plan(_two_supplier_order(), {"suppliers": {"S1": {"send_bill": True}, "S2": {"send_bill": False}}})
    product_s1, product_s2 = p.operation("item:S1/A7102"), p.operation("item:S2/BG100")
    assert isinstance(product_s1, ItemOp) and isinstance(product_s2, ItemOp)
    assert product_s1.expense_account == AccountRef(id="80", name="Cost of Goods Sold")
    assert product_s2.expense_account is None  # sold, not bought through this integration
    assert product_s1.income_account == AccountRef(id="79", name="Sales")
    assert "vendor:S2" not in p.operation_keys()


def test_customers_billable_puts_the_customer_on_every_purchase_line() -> None:
    settings = SETTINGS.model_copy(update={"set_customers_billable": True})
    p = plan(_two_supplier_order(), {"send_invoice": False, "suppliers": {"S1": BOTH}}, settings=settings)
    bill = p.operation("bill:S1")
    assert isinstance(bill, BillOp)
    assert {(ln.customer_key, ln.billable) for ln in bill.lines} == {("customer", True)}
    # The customer is written even without an invoice, because the lines name it.
    assert p.operation_keys()[0] == "customer"
    assert "invoice" not in p.operation_keys()


def test_without_customers_billable_purchase_lines_name_no_customer() -> None:
    p = plan(_two_supplier_order(), {"suppliers": {"S1": BOTH}})
    bill = p.operation("bill:S1")
    assert isinstance(bill, BillOp)
    assert {(ln.customer_key, ln.billable) for ln in bill.lines} == {(None, False)}


def test_an_existing_vendor_is_used_as_is() -> None:
    p = plan(
        _two_supplier_order(), {"suppliers": {"S1": {"vendor": {"quickbooks_id": "V-77"}, "send_bill": True}}}
    )
    vendor = p.operation("vendor:S1")
    assert isinstance(vendor, VendorOp)
    assert vendor.action == "link"
    assert vendor.existing is not None and vendor.existing.quickbooks_id == "V-77"
    assert vendor.name is None  # nothing about it is rewritten


def test_defaults_come_from_settings() -> None:
    settings = SETTINGS.model_copy(
        update={"send_bill_by_default": False, "send_purchase_order_by_default": True}
    )
    p = plan(_two_supplier_order(), settings=settings)
    assert [k for k in p.operation_keys() if k.startswith(("bill:", "purchase_order:"))] == [
        "purchase_order:S1",
        "purchase_order:S2",
    ]


def test_all_problems_are_reported_together() -> None:
    settings = PlanSettings(allow_purchase_orders=False)  # and no accounts at all
    snapshot = _two_supplier_order().model_copy(update={"total": Decimal("600.00")})
    with pytest.raises(PlanError) as caught:
        plan(
            snapshot,
            {"suppliers": {"S1": BOTH, "S9": {"send_bill": True}}},
            settings=settings,
        )
    problems = {p.path: p.message for p in caught.value.problems}
    assert set(problems) == {
        "order.total",
        "choices.suppliers.S9",
        "choices.suppliers.S1.send_purchase_order",
        "choices.suppliers.S1.cogs_account",
        "choices.suppliers.S2.cogs_account",
        "choices.income_account",
    }
    assert (
        problems["choices.suppliers.S9"]
        == "The dialog has choices for supplier S9, which is not on this order."
    )
    assert "do not allow sending purchase orders" in problems["choices.suppliers.S1.send_purchase_order"]
    assert "Hit Promotional Products" in problems["choices.suppliers.S1.cogs_account"]
    assert "“A7102”" in problems["choices.income_account"]


def test_a_supplier_with_nothing_on_the_order_gets_no_documents() -> None:
    snapshot = order(
        [line("A", 1, "5.00", supplier_id="S1")],
        total="5.00",
        suppliers=[{"esp_id": "S1", "name": "One"}, {"esp_id": "S2", "name": "Idle"}],
    )
    p = plan(snapshot, {"suppliers": {"S2": BOTH}})
    assert not any(k.endswith(":S2") for k in p.operation_keys())
    assert p.totals.supplier("S2").bill_total is None


def test_nothing_to_send_is_a_problem() -> None:
    with pytest.raises(PlanError) as caught:
        plan(
            _two_supplier_order(),
            {"send_invoice": False, "suppliers": {"S1": {"send_bill": False}, "S2": {"send_bill": False}}},
        )
    assert [p.path for p in caught.value.problems] == ["choices"]
