"""The company reader's document-detail part (docs/quickbooks-online.md §7.8, §7.11): the sales-form
custom fields named for the PO number and the sales rep, class tracking, locations, and the Term /
Class / Department lists — read from the Intuit sandbox as connecting reads them."""

from __future__ import annotations

from typing import Any

import pytest

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from qbo_gateway.company.profile import company_from_qbo, custom_field_for, custom_fields
from qbo_gateway.company.reading import read_company
from tests.qbo.client.support import FakeTime, SandboxTokens, new_sandbox, sandbox_client


def _prefs(*labels: str, used: tuple[bool, ...] | None = None) -> dict[str, Any]:
    used = used or (True,) * len(labels)
    return {
        "SalesFormsPrefs": {
            "CustomField": [
                {
                    "CustomField": [
                        {
                            "Name": f"SalesFormsPrefs.UseSalesCustom{n}",
                            "Type": "BooleanType",
                            "BooleanValue": on,
                        }
                        for n, on in enumerate(used, start=1)
                    ]
                },
                {
                    "CustomField": [
                        {
                            "Name": f"SalesFormsPrefs.SalesCustomName{n}",
                            "Type": "StringType",
                            "StringValue": label,
                        }
                        for n, label in enumerate(labels, start=1)
                    ]
                },
            ]
        }
    }


async def _read(sandbox: IntuitSandbox, time: FakeTime) -> Any:
    client = sandbox_client(sandbox, SandboxTokens(sandbox), time=time)
    return await read_company(client.company("acme"))


@pytest.mark.parametrize("label", ["P.O. Number", "PO Number", "PO #", "Purchase Order", "po no."])
def test_a_field_named_for_the_po_number_is_found(label: str) -> None:
    assert custom_field_for(custom_fields(_prefs("Crew #", label)), "po_number") == "2"


@pytest.mark.parametrize("label", ["Sales Rep", "Rep", "Salesperson"])
def test_a_field_named_for_the_sales_rep_is_found(label: str) -> None:
    assert custom_field_for(custom_fields(_prefs(label)), "sales_rep") == "1"


def test_fields_that_are_off_or_named_otherwise_are_not_used() -> None:
    fields = custom_fields(_prefs("P.O. Number", "Crew #", "Reporter", used=(False, True, True)))
    assert fields == {"2": "Crew #", "3": "Reporter"}
    assert custom_field_for(fields, "po_number") is None and custom_field_for(fields, "sales_rep") is None


def test_lists_are_left_unread_when_the_terms_were_not_read() -> None:
    company = company_from_qbo({"Country": "US"}, {}, [], [])
    assert not company.lists_read and company.class_tracking == "off" and company.terms == ()


async def test_reading_the_company_gets_its_fields_tracking_and_active_lists() -> None:
    time = FakeTime()
    sandbox = new_sandbox(time)
    books = sandbox.company(DEMO_REALM_ID)
    books.set_details_preferences(
        class_tracking="per_line",
        track_locations=True,
        location_label="Store",
        custom_fields=("P.O. Number", "", "Sales Rep"),
    )
    books.create("Term", {"Name": "Net 30", "DueDays": 30})
    books.create("Term", {"Name": "15th of the month", "DayOfMonthDue": 15})
    old = books.create("Term", {"Name": "Net 90", "DueDays": 90})
    books.update("Term", {**old, "Active": False, "sparse": True})
    west = books.create("Class", {"Name": "West"})
    books.create("Class", {"Name": "Coast", "ParentRef": {"value": west["Id"]}})
    books.create("Department", {"Name": "Boston"})
    company = await _read(sandbox, time)
    assert (company.po_number_field, company.sales_rep_field) == ("1", "3")
    assert company.lists_read and company.class_tracking == "per_line"
    assert company.tracks_locations and company.location_label == "Store"
    assert {(t.name, t.due_days) for t in company.terms} == {("Net 30", 30), ("15th of the month", None)}
    assert [c.name for c in company.classes] == ["West", "West:Coast"]
    assert [(d.id, d.name) for d in company.locations] == [("1", "Boston")]


async def test_classes_and_locations_are_not_read_when_the_company_does_not_use_them() -> None:
    time = FakeTime()
    sandbox = new_sandbox(time)
    books = sandbox.company(DEMO_REALM_ID)
    books.create("Class", {"Name": "West"})
    books.create("Department", {"Name": "Boston"})
    company = await _read(sandbox, time)
    assert company.lists_read and company.classes == () and company.locations == ()
    assert company.class_tracking == "off" and not company.tracks_locations
