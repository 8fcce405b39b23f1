"""Document details on QuickBooks Online (docs/quickbooks-online.md §7): the demo's two-supplier order
with a customer PO, Net 45 terms (added: the company does not have them) and the pen supplier's Net 15
(linked: it does), a drop-ship address per supplier, an in-hands date, a sales rep (a custom field), a
class and a location, through the real send worker into the Intuit sandbox: every field lands where a
bookkeeper looks; a re-send with changed details changes them in place; a too-long PO number arrives
cut, and the job says so."""

from __future__ import annotations

from typing import Any

from espqb.db import Database
from espqb.orders import SendRequest
from espqb_devtools.demo.orders import two_supplier_request
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from tests.qbo.client.support import FakeTime, new_sandbox
from tests.qbo.sending.harness import SendHarness, send_harness

PENS, MUGS = "S20417", "S30552"


def detailed_order(**changes: Any) -> SendRequest:
    body = two_supplier_request().model_dump(mode="json")
    body["order"].update(
        {
            "terms": "Net 45",
            "sales_rep": "Jane Doe",
            "class_name": "West",
            "location": "Boston",
            "customer_message": "Thank you for your business.",
            "tracking_number": "1Z999AA10123456784",
            "ship_date": "2024-06-20",
            "due_date": "2024-07-03",
            "in_hands_date": "2024-06-24",
            "customer_po_number": "NR-2024-0612",
            "ship_method": "UPS Ground",
        }
    )
    body["order"]["suppliers"][0]["terms"] = "Net 15"
    body["order"].update(changes)
    return SendRequest.model_validate(body)


def details_sandbox(time: FakeTime) -> IntuitSandbox:
    """Class tracking per transaction, locations on, the custom fields "P.O. Number" and "Sales Rep";
    Net 15 and the location Boston exist, Net 45 and the class West do not."""
    sandbox = new_sandbox(time)
    company = sandbox.company(DEMO_REALM_ID)
    company.set_details_preferences(
        class_tracking="per_transaction", track_locations=True, custom_fields=("P.O. Number", "Sales Rep")
    )
    company.create("Term", {"Name": "Net 15", "DueDays": 15})
    company.create("Department", {"Name": "Boston"})
    return sandbox


def _name(document: dict[str, Any], field: str) -> str | None:
    return (document.get(field) or {}).get("name")


def _fields(document: dict[str, Any]) -> dict[str, str | None]:
    return {f["Name"]: f.get("StringValue") for f in document.get("CustomField") or []}


def _by_vendor(world: SendHarness, kind: str) -> dict[str, dict[str, Any]]:
    return {str(_name(doc, "VendorRef")): doc for doc in world.books(kind)}


async def test_the_two_supplier_order_lands_with_every_detail_and_a_resend_changes_them_in_place(
    db: Database,
) -> None:
    time = FakeTime()
    async with send_harness(db, sandbox=details_sandbox(time), time=time) as world:
        job = await world.send(detailed_order())
        assert job.status == "succeeded", job.last_error

        terms = {t["Name"]: t for t in world.books("Term")}
        assert terms["Net 45"]["DueDays"] == 45 and terms["Net 45"]["Type"] == "STANDARD"
        assert [c["Name"] for c in world.books("Class")] == ["West"]
        assert [d["Name"] for d in world.books("Department")] == ["Boston"]  # linked, not added again
        steps = await world.steps(job.id)
        assert steps["terms:net 45"].summary is not None
        assert steps["terms:net 45"].summary.startswith("Terms “Net 45” created in QuickBooks Online")
        assert (steps["terms:net 15"].action, steps["location:boston"].action) == ("link", "link")
        assert steps["terms:net 45"].qb_id == terms["Net 45"]["Id"]
        assert steps["class:west"].qb_id == world.books("Class")[0]["Id"]
        assert steps["location:boston"].qb_id == world.books("Department")[0]["Id"]
        # List entries are not kept as mappings: the company's lists, as read, are what the plan links.
        mapped = await world.mappings()
        assert not [key for key in mapped if key[0] in ("terms", "class", "location")]

        (invoice,) = world.books("Invoice")
        assert _fields(invoice) == {"P.O. Number": "NR-2024-0612", "Sales Rep": "Jane Doe"}
        assert "NR-2024-0612" not in (invoice.get("CustomerMemo") or {}).get("value", "")  # its own box
        assert _name(invoice, "SalesTermRef") == "Net 45"
        assert invoice["DueDate"] == "2024-07-03"  # the order's due date wins over the terms
        assert invoice["ShipDate"] == "2024-06-20"
        assert invoice["ShipMethodRef"]["value"] == "UPS Ground"
        assert invoice["TrackingNum"] == "1Z999AA10123456784"
        assert invoice["CustomerMemo"] == {"value": "Thank you for your business."}
        assert (_name(invoice, "ClassRef"), _name(invoice, "DepartmentRef")) == ("West", "Boston")

        pos, bills = _by_vendor(world, "PurchaseOrder"), _by_vendor(world, "Bill")
        pens_po, mugs_po = pos["Lakeshore Pen Works"], pos["Red Rock Drinkware"]
        assert (pens_po["ShipAddr"]["City"], mugs_po["ShipAddr"]["City"]) == ("Duluth", "Superior")
        for po in (pens_po, mugs_po):
            assert po["ExpectedDate"] == "2024-06-24"  # the in-hands date
            assert po["ShipMethodRef"]["value"] == "UPS Ground"
            assert (_name(po, "ClassRef"), _name(po, "DepartmentRef")) == ("West", "Boston")
        assert pens_po["Memo"].startswith("P455: 1 colour, barrel, PMS 2945 C")  # the message to the vendor
        assert mugs_po["Memo"] == "M11: 2 colours, wrap, PMS 2945 C and Cool Gray 7"
        assert _name(pens_po, "SalesTermRef") == "Net 15"

        pens_bill = bills["Lakeshore Pen Works"]
        assert pens_bill["DocNumber"] == "LPW-55310"
        assert pens_bill["DueDate"] == "2024-07-12"
        assert _name(pens_bill, "SalesTermRef") == "Net 15"
        assert _name(pens_bill, "DepartmentRef") == "Boston"
        assert {_name(line["ItemBasedExpenseLineDetail"], "ClassRef") for line in pens_bill["Line"]} == {
            "West"
        }

        # A re-send: new terms, message and ship date; the tracking number and sales rep dropped.
        again = await world.send(
            detailed_order(
                terms="Net 15",
                customer_message="Thanks again!",
                ship_date="2024-06-21",
                tracking_number=None,
                customer_po_number="NR-2024-0613",
            )
        )
        assert again.status == "succeeded", again.last_error
        (updated,) = world.books("Invoice")
        assert updated["Id"] == invoice["Id"] and int(updated["SyncToken"]) > int(invoice["SyncToken"])
        assert _name(updated, "SalesTermRef") == "Net 15"
        assert updated["ShipDate"] == "2024-06-21"
        assert updated["CustomerMemo"] == {"value": "Thanks again!"}
        assert not updated.get("TrackingNum")  # cleared, not left stale
        assert _fields(updated)["P.O. Number"] == "NR-2024-0613"
        assert [t["Name"] for t in world.books("Term")].count("Net 15") == 1


async def test_a_po_number_too_long_for_the_custom_field_arrives_cut_and_the_job_says_so(
    db: Database,
) -> None:
    time = FakeTime()
    long_po = "PO-2024-NORTHSHORE-REALTY-OPEN-HOUSE-0612"
    async with send_harness(db, sandbox=details_sandbox(time), time=time) as world:
        job = await world.send(detailed_order(customer_po_number=long_po))
        assert job.status == "succeeded", job.last_error
        (invoice,) = world.books("Invoice")
        cut = _fields(invoice)["P.O. Number"]
        assert cut is not None and len(cut) == 31 and long_po.startswith(cut)
        assert any("customer PO number" in w and "cut" in w for w in job.warnings), job.warnings


async def test_without_a_po_custom_field_the_po_number_heads_the_invoice_message(db: Database) -> None:
    time = FakeTime()
    sandbox = details_sandbox(time)
    sandbox.company(DEMO_REALM_ID).set_details_preferences(custom_fields=("Crew #",))
    async with send_harness(db, sandbox=sandbox, time=time) as world:
        job = await world.send(detailed_order(sales_rep=None))
        assert job.status == "succeeded", job.last_error
        (invoice,) = world.books("Invoice")
        assert "CustomField" not in invoice
        assert invoice["CustomerMemo"]["value"].startswith("PO NR-2024-0612 — Thank you")


async def test_terms_added_in_quickbooks_after_the_company_was_read_are_linked_not_added_twice(
    db: Database,
) -> None:
    time = FakeTime()
    sandbox = details_sandbox(time)
    async with send_harness(db, sandbox=sandbox, time=time) as world:
        net_45 = sandbox.company(DEMO_REALM_ID).create("Term", {"Name": "Net 45", "DueDays": 45})
        job = await world.send(detailed_order())
        assert job.status == "succeeded", job.last_error
        assert [t["Name"] for t in world.books("Term")].count("Net 45") == 1
        (invoice,) = world.books("Invoice")
        assert invoice["SalesTermRef"]["value"] == net_45["Id"]


async def test_terms_inactive_in_quickbooks_are_not_added_twice_and_the_step_says_why(db: Database) -> None:
    time = FakeTime()
    sandbox = details_sandbox(time)
    books = sandbox.company(DEMO_REALM_ID)
    net_45 = books.create("Term", {"Name": "Net 45", "DueDays": 45})
    books.update("Term", {**net_45, "Active": False, "sparse": True})
    async with send_harness(db, sandbox=sandbox, time=time) as world:
        job = await world.send(detailed_order())
        steps = await world.steps(job.id)
        assert steps["terms:net 45"].status == "failed"
        assert "inactive" in (steps["terms:net 45"].error or "") and f"Id {net_45['Id']}" in (
            steps["terms:net 45"].error or ""
        )
        assert steps["invoice"].status == "skipped"  # it names the terms: not written without them
        terms = [(t["Name"], t["Active"]) for t in world.books("Term")]
        assert terms == [("Net 15", True), ("Net 45", False)]  # no second Net 45
