"""Sending the help article's A7102 example through the real worker into the Intuit sandbox: what
lands in the books, what is recorded, and how few calls it takes."""

from __future__ import annotations

from decimal import Decimal

from espqb.db import Database
from espqb.mappings.repository import payment_key, supplier_doc_key
from espqb.orders import A7102_SUPPLIER_ID, a7102_request
from espqb.orders.choices import SendChoices, SupplierChoices
from espqb.orders.request import SendRequest
from qb_sandbox.intuit import check_entity
from tests.qbo.sending.harness import send_harness

ORDER = "10245"
SUPPLIER = A7102_SUPPLIER_ID


def _another_order(number: str) -> SendRequest:
    """The same customer, supplier and product on a new order: everything but the documents is mapped."""
    base = a7102_request()
    return SendRequest(
        order=base.order.model_copy(update={"order_number": number}),
        choices=SendChoices(
            send_invoice=True,
            tax="item",
            suppliers={SUPPLIER: SupplierChoices(send_bill=True, send_purchase_order=True)},
        ),
    )


async def test_the_a7102_example_lands_in_the_books_to_the_cent(db: Database) -> None:
    async with send_harness(db) as world:
        job = await world.send(a7102_request())

        assert job.status == "succeeded", job.last_error
        assert job.warnings == []
        (customer,) = [c for c in world.books("Customer") if c["DisplayName"] == "Lakeside Dental Group"]
        (item,) = [i for i in world.books("Item") if i["Name"] == "A7102"]
        (invoice,) = world.books("Invoice")
        (payment,) = world.books("Payment")
        (po,) = world.books("PurchaseOrder")
        (bill,) = world.books("Bill")

        assert invoice["CustomerRef"]["value"] == customer["Id"]
        assert invoice["DocNumber"] == ORDER
        assert invoice["TotalAmt"] == Decimal("218.50")
        discount = [line for line in invoice["Line"] if line["DetailType"] == "DiscountLineDetail"]
        assert [line["Amount"] for line in discount] == [Decimal("11.50")]
        assert invoice["Balance"] == Decimal("118.50")
        assert payment["TotalAmt"] == Decimal("100.00")
        assert payment["Line"][0]["LinkedTxn"] == [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]
        assert item["Type"] == "NonInventory"
        assert po["TotalAmt"] == bill["TotalAmt"] == Decimal("115.00")
        assert bill["LinkedTxn"] == [{"TxnId": po["Id"], "TxnType": "PurchaseOrder"}]
        assert po["POStatus"] == "Closed"  # fully received by the bill


async def test_a_first_send_takes_three_calls_and_records_every_step(db: Database) -> None:
    async with send_harness(db) as world:
        before = world.calls
        job = await world.send(a7102_request())

        assert world.calls - before == 3  # list records, then invoice + PO, then payment + bill
        steps = await world.steps(job.id)
        assert {key: (s.action, s.status) for key, s in steps.items()} == {
            "customer": ("create", "succeeded"),
            f"vendor:{SUPPLIER}": ("create", "succeeded"),
            f"item:{SUPPLIER}/A7102": ("create", "succeeded"),
            "invoice": ("create", "succeeded"),
            "payment:P1": ("create", "succeeded"),
            f"purchase_order:{SUPPLIER}": ("create", "succeeded"),
            f"bill:{SUPPLIER}": ("create", "succeeded"),
        }
        assert steps["invoice"].summary is not None and "218.50" in steps["invoice"].summary
        mapped = await world.mappings()
        invoice = world.books("Invoice")[0]
        assert mapped[("invoice", ORDER)].qb_id == invoice["Id"]
        assert (
            mapped[("invoice", ORDER)].qb_version == invoice["SyncToken"]
            or mapped[("invoice", ORDER)].qb_version
        )
        assert mapped[("payment", payment_key(ORDER, "P1"))].qb_id == world.books("Payment")[0]["Id"]
        assert mapped[("bill", supplier_doc_key(ORDER, SUPPLIER))].qb_id == world.books("Bill")[0]["Id"]
        assert mapped[("customer", "C1001")].qb_name == "Lakeside Dental Group"
        assert mapped[("item", f"{SUPPLIER}/A7102")].origin == "created"


async def test_an_order_for_a_known_customer_supplier_and_product_takes_two_calls(db: Database) -> None:
    async with send_harness(db) as world:
        await world.send(a7102_request())
        before = world.calls
        job = await world.send(_another_order("10246"))

        assert job.status == "succeeded", job.last_error
        assert world.calls - before == 2
        assert len(world.books("Customer")) == 3  # two seeded, one ours: nothing created twice
        assert len(world.books("Item")) == 2  # the seeded Services item and A7102
        assert sorted(i["DocNumber"] for i in world.books("Invoice")) == ["10245", "10246"]
        steps = await world.steps(job.id)
        assert steps["customer"].action == "link" and steps["customer"].status == "succeeded"


async def test_sending_the_same_order_again_updates_its_documents_in_place(db: Database) -> None:
    async with send_harness(db) as world:
        first = await world.send(a7102_request())
        second = await world.send(a7102_request())

        assert first.id != second.id
        assert second.status == "succeeded", second.last_error
        assert len(world.books("Invoice")) == len(world.books("Payment")) == len(world.books("Bill")) == 1
        steps = await world.steps(second.id)
        assert steps["invoice"].action == "update"
        # Applying the payment moved the invoice's SyncToken on; the update re-read it (5010) and won.
        (invoice,) = world.books("Invoice")
        assert invoice["Balance"] == Decimal("118.50")


async def test_what_qbo_returns_uses_intuits_field_names_too(db: Database) -> None:
    async with send_harness(db) as world:
        await world.send(a7102_request())
        for kind in ("Customer", "Vendor", "Item", "Invoice", "Payment", "PurchaseOrder", "Bill"):
            for entity in world.books(kind):
                assert check_entity(kind, entity) == [], (kind, entity.get("Id"))
