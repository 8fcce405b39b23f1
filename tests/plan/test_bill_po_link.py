"""A bill sent with its supplier's purchase order is linked to it; a bill alone is not."""

from __future__ import annotations

from espqb.orders.choices import CreateNew, QuickBooksRef, SendChoices, SupplierChoices
from espqb.orders.examples import A7102_SUPPLIER_ID, a7102_example
from espqb.plan import BillOp, KnownMappings, build_plan
from espqb.plan.inputs import DefaultAccounts, PlanSettings

SETTINGS = PlanSettings(
    default_accounts=DefaultAccounts(
        income=QuickBooksRef(name="Sales"),
        cogs=QuickBooksRef(name="Cost of Goods Sold"),
        ap=QuickBooksRef(name="Accounts Payable"),
    )
)


def _bill(send_po: bool, target: str) -> BillOp:
    choices = SendChoices(
        customer=CreateNew(create=True),
        suppliers={
            A7102_SUPPLIER_ID: SupplierChoices(
                vendor=CreateNew(create=True), send_bill=True, send_purchase_order=send_po
            )
        },
    )
    plan = build_plan(a7102_example(), choices, SETTINGS, KnownMappings(), target)  # type: ignore[arg-type]
    bill = plan.operation(f"bill:{A7102_SUPPLIER_ID}")
    assert isinstance(bill, BillOp)
    return bill


def test_bill_links_to_the_po_sent_with_it() -> None:
    for target in ("qbo", "qbd"):
        bill = _bill(True, target)
        assert bill.purchase_order_key == f"purchase_order:{A7102_SUPPLIER_ID}"
        assert bill.purchase_order_key in bill.references()


def test_bill_alone_has_no_po_link() -> None:
    assert _bill(False, "qbo").purchase_order_key is None
