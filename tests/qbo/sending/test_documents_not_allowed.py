"""QuickBooks Online: a bill the Details tab does not allow, left to the defaults in the dialog, is
not written, and the job says so (never a silent drop)."""

from __future__ import annotations

from espqb.db import Database
from espqb.integration import service as integration_service
from espqb.orders import a7102_request
from espqb.orders.choices import SupplierChoices
from espqb.orders.request import SendRequest
from tests.qbo.sending.harness import COMPANY, company_settings, send_harness

NOTE = (
    "No bill was sent for Hit Promotional Products: the Details tab of your company's QuickBooks "
    "integration does not allow sending bills."
)


def _bill_left_to_the_defaults() -> SendRequest:
    base = a7102_request()
    suppliers = {
        supplier_id: SupplierChoices(vendor=chosen.vendor, send_purchase_order=True)
        for supplier_id, chosen in base.choices.suppliers.items()
    }
    return SendRequest(order=base.order, choices=base.choices.model_copy(update={"suppliers": suppliers}))


async def test_a_bill_left_out_by_the_settings_is_said_on_the_job(db: Database) -> None:
    async with send_harness(db) as world:
        async with db.transaction() as session:
            no_bills = company_settings(world.sandbox).model_copy(update={"allow_bills": False})
            await integration_service.update_settings(session, COMPANY, no_bills, "alice")

        job = await world.send(_bill_left_to_the_defaults())

        assert job.status == "succeeded", job.last_error
        assert world.books("Bill") == []
        assert len(world.books("PurchaseOrder")) == 1
        assert NOTE in job.warnings
