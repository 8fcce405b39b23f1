"""Document details on QuickBooks Desktop (docs/web-connector.md §3.17): the two-supplier order with a
customer PO, terms, a drop-ship address per supplier, an in-hands date, a sales rep, a ship method, a class,
a customer message and a tracking number lands with every field, through whole Web Connector updates
(the real qbwc-gateway, the zeep Web Connector, a simulated company file); a re-send changes them in
place; a PO number too long for QuickBooks arrives cut, and the job says so."""

from __future__ import annotations

from typing import Any

from espqb_devtools.demo.orders import two_supplier_request
from qb_sandbox.desktop import CompanyFile
from qb_sandbox.webconnector import SessionOutcome
from tests.qbwc.harness import Office, OffsetClock, office

PENS_VENDOR = "Lakeshore Pen Works"
MUGS_VENDOR = "Red Rock Drinkware"


def detailed_order(**changes: Any) -> dict[str, Any]:
    """The demo's two-supplier order (customer PO, due date, in-hands date, UPS Ground, a drop-ship
    address per supplier, the pen supplier's invoice) with terms, a sales rep, a class, a customer
    message and a tracking number; the pen supplier on Net 15."""
    body = two_supplier_request().model_dump(mode="json")
    body["order"].update(
        {
            "terms": "Net 45",
            "sales_rep": "JD",
            "class_name": "West",
            "customer_message": "Thank you for your business.",
            "tracking_number": "1Z999AA10123456784",
            "ship_date": "2024-06-20",
            "due_date": "2024-07-03",
            "customer_po_number": "NR-2024-0612",
            "in_hands_date": "2024-06-24",
            "ship_method": "UPS Ground",
        }
    )
    body["order"]["suppliers"][0]["terms"] = "Net 15"
    body["order"]["suppliers"][1]["terms"] = None
    body["order"].update(changes)
    return body


def books(clock: OffsetClock) -> CompanyFile:
    """A company file with class tracking on, the sales rep JD and the class West; Net 15 and Net 30 are
    among its terms (Net 45 is not)."""
    company = CompanyFile(seed_demo=True, clock=clock, class_tracking=True)
    company.add_sales_rep("JD", "Jane Doe")
    company.add_class("West")
    return company


async def sent(desk: Office, body: dict[str, Any]) -> dict[str, Any]:
    job = await desk.send(body)
    report = await desk.update()
    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    return await desk.job(job["id"])


def ref(document: dict[str, Any], name: str) -> str | None:
    return (document.get(name) or {}).get("FullName")


def by_vendor(company: CompanyFile, kind: str) -> dict[str, dict[str, Any]]:
    return {ref(doc, "VendorRef") or "": doc for doc in company.documents(kind)}


async def test_the_two_supplier_order_lands_with_every_detail_and_a_resend_changes_them_in_place(
    database_url: str,
) -> None:
    clock = OffsetClock()
    async with office(database_url, company=books(clock)) as desk:
        report = await desk.read_lists()
        assert report.outcome is SessionOutcome.COMPLETED, report.last_error
        first = await sent(desk, detailed_order())
        [invoice] = desk.company.documents("Invoice")
        orders, bills = by_vendor(desk.company, "PurchaseOrder"), by_vendor(desk.company, "Bill")
        terms = {t["Name"]: t.get("StdDueDays") for t in desk.company.documents("StandardTerms")}
        ship_methods = [m["Name"] for m in desk.company.documents("ShipMethod")]

        second = await sent(
            desk,
            detailed_order(
                customer_po_number="NR-2024-0699",
                ship_method="FedEx Ground",
                tracking_number=None,
                in_hands_date="2024-06-26",
                terms="Net 30",
            ),
        )
        [changed] = desk.company.documents("Invoice")
        changed_orders = by_vendor(desk.company, "PurchaseOrder")
        ship_methods_after = sorted(m["Name"] for m in desk.company.documents("ShipMethod"))

    assert first["status"] == "succeeded", first
    steps = {step["key"]: step for step in first["steps"]}
    assert steps["terms:net 45"]["summary"].startswith(
        "Terms “Net 45” created in QuickBooks Desktop (ListID "
    )
    assert steps["sales_rep:jd"]["summary"].startswith("Linked to the QuickBooks Desktop sales rep “JD”")
    assert all(step["status"] == "succeeded" for step in first["steps"])
    # Net 45 was missing: added with its days; Net 15 (the pen supplier's) and the rest were linked.
    assert terms["Net 45"] == "45" and terms["Net 15"] == "15"
    assert ship_methods == ["UPS Ground"]
    # The invoice: every detail in its field.
    assert invoice["PONumber"] == "NR-2024-0612"
    assert ref(invoice, "TermsRef") == "Net 45"
    assert invoice["DueDate"] == "2024-07-03"  # the order's due date wins over the terms
    assert ref(invoice, "SalesRepRef") == "JD"
    assert invoice["ShipDate"] == "2024-06-20"
    assert ref(invoice, "ShipMethodRef") == "UPS Ground"
    assert ref(invoice, "ClassRef") == "West"
    assert ref(invoice, "CustomerMsgRef") == "Thank you for your business."
    assert invoice["Other"] == "1Z999AA10123456784"  # the tracking number: Desktop has no field for it
    # Each purchase order: shipped where its supplier ships, expected on the in-hands date, decoration notes.
    pens, mugs = orders[PENS_VENDOR], orders[MUGS_VENDOR]
    assert (
        pens["ShipAddress"]["Addr1"] == "350 Harbor Drive" and mugs["ShipAddress"]["Addr1"] == "12 Kiln Road"
    )
    assert pens["ExpectedDate"] == mugs["ExpectedDate"] == "2024-06-24"
    assert ref(pens, "ShipMethodRef") == ref(mugs, "ShipMethodRef") == "UPS Ground"
    assert ref(pens, "ClassRef") == "West"
    assert ref(pens, "TermsRef") == "Net 15"
    assert pens["VendorMsg"].startswith("P455: 1 colour, barrel")
    assert mugs["VendorMsg"].startswith("M11: 2 colours")
    # The pen supplier's bill: its invoice number and due date, terms, the class on every line.
    pen_bill = bills[PENS_VENDOR]
    assert (pen_bill["RefNumber"], pen_bill["DueDate"]) == ("LPW-55310", "2024-07-12")
    assert ref(pen_bill, "TermsRef") == "Net 15"
    assert {ref(line, "ClassRef") for line in pen_bill["ItemLineRet"]} == {"West"}

    # The re-send changed the same documents in place.
    assert second["status"] == "succeeded", second
    assert changed["TxnID"] == invoice["TxnID"]
    assert changed["PONumber"] == "NR-2024-0699"
    assert ref(changed, "ShipMethodRef") == "FedEx Ground"
    assert ref(changed, "TermsRef") == "Net 30"
    assert "Other" not in changed  # the tracking number was taken off the order: cleared
    assert ref(changed, "SalesRepRef") == "JD"
    assert changed_orders[PENS_VENDOR]["TxnID"] == pens["TxnID"]
    assert changed_orders[PENS_VENDOR]["ExpectedDate"] == "2024-06-26"
    assert ref(changed_orders[PENS_VENDOR], "ShipMethodRef") == "FedEx Ground"
    assert ship_methods_after == ["FedEx Ground", "UPS Ground"]


async def test_a_po_number_too_long_for_quickbooks_arrives_cut_and_the_job_says_so(database_url: str) -> None:
    clock = OffsetClock()
    long_po = "NR-2024-0612-OPEN-HOUSE-DULUTH"  # 30 characters; Desktop's PONumber holds 25
    async with office(database_url, company=books(clock)) as desk:
        await desk.read_lists()
        finished = await sent(desk, detailed_order(customer_po_number=long_po))
        [invoice] = desk.company.documents("Invoice")

    assert finished["status"] == "succeeded", finished
    assert invoice["PONumber"] == long_po[:25]
    assert any(
        "customer PO number" in warning and f"cut to “{long_po[:25]}”" in warning
        for warning in finished["warnings"]
    ), finished["warnings"]


async def test_terms_added_in_quickbooks_after_the_lists_were_read_are_linked_not_added_twice(
    database_url: str,
) -> None:
    """The plan, made with the lists as last read, adds Net 45; QuickBooks answers that the name is taken
    (3100): the gateway finds that entry by name, links it and sends the invoice naming it. Class tracking
    is off in this file: the class is not written."""
    clock = OffsetClock()
    company = books(clock)
    company.class_tracking = False
    async with office(database_url, company=company) as desk:
        await desk.read_lists()
        net_45 = desk.company.add_terms("Net 45", 45)  # a bookkeeper adds it meanwhile
        job = await desk.send(detailed_order())
        for _ in range(3):
            report = await desk.update()
            assert report.outcome is SessionOutcome.COMPLETED, report.last_error
            finished = await desk.job(job["id"])
            if finished["status"] not in ("queued", "running", "waiting"):
                break
        [invoice] = desk.company.documents("Invoice")
        terms = [t["Name"] for t in desk.company.documents("StandardTerms")]

    assert finished["status"] == "succeeded", finished
    assert terms.count("Net 45") == 1
    assert invoice["TermsRef"] == {"ListID": net_45, "FullName": "Net 45"}
    assert "ClassRef" not in invoice
