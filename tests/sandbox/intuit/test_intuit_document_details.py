"""The Intuit sandbox's document details (docs/quickbooks-online.md §7, §7.12): Term, Class and
Department with their name rules; the company's custom fields, class tracking and locations in
Preferences; invoices, purchase orders and bills keeping the details, checking their references and
lengths, and what a sparse update keeps or clears."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from tests.sandbox.intuit.intuit_helpers import QboApi, fault_codes

CUSTOMER = {"value": "1"}  # "Acme Promotions", seeded
VENDOR = {"value": "1"}  # "Demo Supplier Co", seeded


@pytest.fixture
def books(sandbox: IntuitSandbox) -> Any:
    company = sandbox.company(DEMO_REALM_ID)
    company.set_details_preferences(
        class_tracking="per_transaction", track_locations=True, custom_fields=("P.O. Number", "Sales Rep")
    )
    return company


@pytest.fixture
async def item_id(qbo: QboApi) -> str:
    body = {
        "Name": "P455",
        "Type": "NonInventory",
        "IncomeAccountRef": {"value": "1"},
        "ExpenseAccountRef": {"value": "1"},
    }
    return str((await qbo.created("item", body, "Item"))["Id"])


def _invoice(item_id: str, **fields: Any) -> dict[str, Any]:
    line = {
        "Amount": 10.0,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": item_id}, "Qty": 1, "UnitPrice": 10.0},
    }
    return {"CustomerRef": CUSTOMER, "Line": [line], **fields}


def _purchase(item_id: str, **fields: Any) -> dict[str, Any]:
    line = {
        "Amount": 5.0,
        "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item_id}, "Qty": 1, "UnitPrice": 5.0},
    }
    return {"VendorRef": VENDOR, "Line": [line], **fields}


async def _lists(qbo: QboApi) -> tuple[str, str, str]:
    term = await qbo.created("term", {"Name": "Net 30", "DueDays": 30, "Type": "STANDARD"}, "Term")
    klass = await qbo.created("class", {"Name": "West"}, "Class")
    department = await qbo.created("department", {"Name": "Boston"}, "Department")
    return term["Id"], klass["Id"], department["Id"]


async def test_terms_classes_and_locations_are_created_queried_and_unique(qbo: QboApi, books: Any) -> None:
    term = await qbo.created("term", {"Name": "Net 30", "DueDays": 30}, "Term")
    assert (term["Type"], term["DueDays"], term["Active"]) == ("STANDARD", 30, True)
    date_driven = await qbo.created("term", {"Name": "15th", "DayOfMonthDue": 15}, "Term")
    assert date_driven["Type"] == "DATE_DRIVEN"
    assert fault_codes(await qbo.post("term", {"Name": "NET 30", "DueDays": 45})) == ["6240"]
    assert fault_codes(await qbo.post("term", {"Name": "x" * 32, "DueDays": 1})) == ["2050"]
    assert fault_codes(await qbo.post("term", {"Name": "Soon"})) == ["2020"]

    west = await qbo.created("class", {"Name": "West"}, "Class")
    coast = await qbo.created("class", {"Name": "Coast", "ParentRef": {"value": west["Id"]}}, "Class")
    assert (coast["FullyQualifiedName"], coast["SubClass"]) == ("West:Coast", True)
    assert fault_codes(await qbo.post("class", {"Name": "west"})) == ["6240"]
    assert fault_codes(await qbo.post("department", {"Name": "y" * 101})) == ["2050"]

    found = (await qbo.query("SELECT * FROM Term WHERE Name = 'Net 30'")).json()["QueryResponse"]["Term"]
    assert [t["Id"] for t in found] == [term["Id"]]
    by_path = await qbo.query("SELECT * FROM Class WHERE FullyQualifiedName = 'West:Coast'")
    assert [c["Id"] for c in by_path.json()["QueryResponse"]["Class"]] == [coast["Id"]]


async def test_preferences_say_which_custom_fields_class_tracking_and_locations_the_company_uses(
    qbo: QboApi, books: Any
) -> None:
    prefs = (await qbo.query("SELECT * FROM Preferences")).json()["QueryResponse"]["Preferences"][0]
    accounting = prefs["AccountingInfoPrefs"]
    assert (accounting["ClassTrackingPerTxn"], accounting["ClassTrackingPerTxnLine"]) == (True, False)
    assert (accounting["TrackDepartments"], accounting["DepartmentTerminology"]) == (True, "Location")
    groups = prefs["SalesFormsPrefs"]["CustomField"]
    pairs = {f["Name"]: f.get("StringValue", f.get("BooleanValue")) for g in groups for f in g["CustomField"]}
    assert pairs == {
        "SalesFormsPrefs.UseSalesCustom1": True,
        "SalesFormsPrefs.UseSalesCustom2": True,
        "SalesFormsPrefs.SalesCustomName1": "P.O. Number",
        "SalesFormsPrefs.SalesCustomName2": "Sales Rep",
    }


async def test_an_invoice_keeps_its_details_with_the_names_qbo_fills_in(
    qbo: QboApi, books: Any, item_id: str
) -> None:
    term, klass, department = await _lists(qbo)
    invoice = await qbo.created(
        "invoice",
        _invoice(
            item_id,
            CustomField=[
                {"DefinitionId": "1", "Type": "StringType", "StringValue": "NR-2024-0612"},
                {"DefinitionId": "3", "Type": "StringType", "StringValue": "no such field"},
            ],
            SalesTermRef={"value": term},
            ClassRef={"value": klass},
            DepartmentRef={"value": department},
            DueDate="2024-07-03",
            ShipDate="2024-06-20",
            ShipMethodRef={"value": "UPS Ground"},
            TrackingNum="1Z999",
            CustomerMemo={"value": "Thank you"},
        ),
        "Invoice",
    )
    assert invoice["CustomField"] == [
        {"DefinitionId": "1", "Name": "P.O. Number", "Type": "StringType", "StringValue": "NR-2024-0612"}
    ]
    assert (
        invoice["SalesTermRef"]["name"],
        invoice["ClassRef"]["name"],
        invoice["DepartmentRef"]["name"],
    ) == (
        "Net 30",
        "West",
        "Boston",
    )
    assert (invoice["DueDate"], invoice["ShipDate"], invoice["TrackingNum"]) == (
        "2024-07-03",
        "2024-06-20",
        "1Z999",
    )

    # A sparse update keeps what it does not send and empties what it sends empty.
    update = {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"], "sparse": True, "TrackingNum": ""}
    updated = (await qbo.post("invoice", update)).json()["Invoice"]
    assert updated["TrackingNum"] == "" and updated["ShipDate"] == "2024-06-20"
    assert updated["SalesTermRef"]["value"] == term and updated["CustomerMemo"] == {"value": "Thank you"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("SalesTermRef", {"value": "99"}),
        ("ClassRef", {"value": "99"}),
        ("DepartmentRef", {"value": "99"}),
    ],
)
async def test_a_reference_to_an_entry_that_does_not_exist_is_2500(
    qbo: QboApi, books: Any, item_id: str, field: str, value: Any
) -> None:
    assert fault_codes(await qbo.post("invoice", _invoice(item_id, **{field: value}))) == ["2500"]


@pytest.mark.parametrize(
    "fields",
    [
        {"TrackingNum": "1" * 32},
        {"CustomerMemo": {"value": "m" * 1001}},
        {"PrivateNote": "n" * 4001},
        {"CustomField": [{"DefinitionId": "1", "Type": "StringType", "StringValue": "p" * 32}]},
    ],
)
async def test_text_longer_than_qbo_holds_is_2050(qbo: QboApi, books: Any, item_id: str, fields: Any) -> None:
    assert fault_codes(await qbo.post("invoice", _invoice(item_id, **fields))) == ["2050"]


async def test_class_and_location_are_dropped_where_the_company_does_not_track_them(
    qbo: QboApi, sandbox: IntuitSandbox, books: Any, item_id: str
) -> None:
    _, klass, department = await _lists(qbo)
    books.set_details_preferences(class_tracking="off", track_locations=False)
    invoice = await qbo.created(
        "invoice",
        _invoice(item_id, ClassRef={"value": klass}, DepartmentRef={"value": department}),
        "Invoice",
    )
    assert "ClassRef" not in invoice and "DepartmentRef" not in invoice


async def test_purchase_orders_and_bills_keep_their_details_and_line_classes(
    qbo: QboApi, books: Any, item_id: str
) -> None:
    term, klass, department = await _lists(qbo)
    po = await qbo.created(
        "purchaseorder",
        _purchase(
            item_id,
            ExpectedDate="2024-06-24",
            ShipMethodRef={"value": "UPS Ground"},
            Memo="1 colour, barrel",
            SalesTermRef={"value": term},
            ClassRef={"value": klass},
            DepartmentRef={"value": department},
        ),
        "PurchaseOrder",
    )
    assert (po["ExpectedDate"], po["Memo"], po["ClassRef"]["name"]) == (
        "2024-06-24",
        "1 colour, barrel",
        "West",
    )
    body = _purchase(
        item_id, DueDate="2024-07-12", SalesTermRef={"value": term}, DepartmentRef={"value": department}
    )
    body["Line"][0]["ItemBasedExpenseLineDetail"]["ClassRef"] = {"value": klass}
    bill = await qbo.created("bill", body, "Bill")
    assert (bill["DueDate"], bill["SalesTermRef"]["name"], bill["DepartmentRef"]["name"]) == (
        "2024-07-12",
        "Net 30",
        "Boston",
    )
    assert bill["Line"][0]["ItemBasedExpenseLineDetail"]["ClassRef"]["name"] == "West"


async def test_a_company_made_through_the_control_endpoint_has_its_details_settings(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    response = await http.post(
        "/_sandbox/realms",
        json={
            "name": "Details Co",
            "class_tracking": "per_line",
            "track_locations": True,
            "custom_fields": ["PO #"],
            "terms": {"Net 30": 30},
            "classes": ["West"],
            "locations": ["Boston"],
        },
    )
    assert response.status_code == 201, response.text
    company = sandbox.company(response.json()["realm_id"])
    assert company.class_tracking == "per_line" and company.custom_field_names() == {"1": "PO #"}
    assert [t["Name"] for t in sandbox.entities(company.realm_id, "Term")] == ["Net 30"]
    assert [d["Name"] for d in sandbox.entities(company.realm_id, "Department")] == ["Boston"]
