"""Create, read, update and the faults Intuit answers with, for the name lists and the rules around them."""

from __future__ import annotations

import httpx
import pytest

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox
from tests.sandbox.intuit.intuit_helpers import QboApi, fault_codes

INCOME_ACCOUNT = {"value": "1"}
COGS_ACCOUNT = {"value": "3"}


async def test_create_then_read_returns_id_synctoken_metadata_and_the_envelope(qbo: QboApi) -> None:
    created = await qbo.post(
        "customer",
        {"DisplayName": "Coastal Screen Print", "PrimaryEmailAddr": {"Address": "ap@coastal.example"}},
    )
    assert created.status_code == 200
    body = created.json()
    assert set(body) == {"Customer", "time"}
    customer = body["Customer"]
    assert customer["SyncToken"] == "0"
    assert customer["MetaData"]["CreateTime"] == customer["MetaData"]["LastUpdatedTime"]
    read = (await qbo.read("customer", customer["Id"])).json()["Customer"]
    assert read == customer


async def test_display_name_is_built_from_the_name_parts_when_missing(qbo: QboApi) -> None:
    customer = await qbo.created("customer", {"GivenName": "Ada", "FamilyName": "Lovelace"}, "Customer")
    assert customer["DisplayName"] == "Ada Lovelace"
    assert customer["FullyQualifiedName"] == "Ada Lovelace"


async def test_customers_and_vendors_share_one_name_namespace(qbo: QboApi) -> None:
    await qbo.created("vendor", {"DisplayName": "Gemline"}, "Vendor")
    clash = await qbo.post("customer", {"DisplayName": "gemline"})
    assert clash.status_code == 400
    error = clash.json()["Fault"]["Error"][0]
    assert error["code"] == "6240"
    assert error["Message"] == "Duplicate Name Exists Error"
    assert clash.json()["Fault"]["type"] == "ValidationFault"


async def test_item_names_are_unique_and_need_an_income_account(qbo: QboApi) -> None:
    item = {"Name": "A7102", "Type": "NonInventory", "IncomeAccountRef": INCOME_ACCOUNT}
    await qbo.created("item", item, "Item")
    assert fault_codes(await qbo.post("item", item)) == ["6240"]
    missing = await qbo.post("item", {"Name": "A7103", "Type": "Service"})
    assert fault_codes(missing) == ["2020"]
    assert missing.json()["Fault"]["Error"][0]["element"] == "IncomeAccountRef"


async def test_item_with_purchase_information_needs_an_expense_account(qbo: QboApi) -> None:
    body = {"Name": "Mug", "Type": "NonInventory", "IncomeAccountRef": INCOME_ACCOUNT, "PurchaseCost": 1.25}
    assert fault_codes(await qbo.post("item", body)) == ["2020"]
    item = await qbo.created("item", {**body, "ExpenseAccountRef": COGS_ACCOUNT}, "Item")
    assert item["ExpenseAccountRef"] == {"value": "3", "name": "Cost of Goods Sold"}


async def test_account_needs_a_type_and_gets_its_classification(qbo: QboApi) -> None:
    assert fault_codes(await qbo.post("account", {"Name": "Freight In"})) == ["6010"]
    account = await qbo.created(
        "account", {"Name": "Freight In", "AccountType": "Cost of Goods Sold"}, "Account"
    )
    assert account["Classification"] == "Expense"


async def test_sparse_update_changes_only_what_is_sent_and_bumps_synctoken(qbo: QboApi) -> None:
    customer = await qbo.created(
        "customer", {"DisplayName": "Harbor Events", "CompanyName": "Harbor Events LLC"}, "Customer"
    )
    response = await qbo.post(
        "customer",
        {
            "Id": customer["Id"],
            "SyncToken": customer["SyncToken"],
            "sparse": True,
            "Notes": "Net 30 approved",
        },
    )
    assert response.status_code == 200
    updated = response.json()["Customer"]
    assert updated["SyncToken"] == "1"
    assert updated["Notes"] == "Net 30 approved"
    assert updated["CompanyName"] == "Harbor Events LLC"


async def test_full_update_resets_fields_that_are_left_out(qbo: QboApi) -> None:
    customer = await qbo.created(
        "customer", {"DisplayName": "Harbor Events", "CompanyName": "Harbor Events LLC"}, "Customer"
    )
    updated = (
        await qbo.post("customer", {"Id": customer["Id"], "SyncToken": "0", "DisplayName": "Harbor Events"})
    ).json()
    assert "CompanyName" not in updated["Customer"]


async def test_stale_synctoken_is_5010(qbo: QboApi) -> None:
    customer = await qbo.created("customer", {"DisplayName": "Lakeside"}, "Customer")
    await qbo.post("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "first"})
    stale = await qbo.post(
        "customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "second"}
    )
    assert stale.status_code == 400
    assert fault_codes(stale) == ["5010"]
    assert stale.json()["Fault"]["Error"][0]["Message"] == "Stale Object Error"


async def test_reading_a_missing_id_is_610(qbo: QboApi) -> None:
    response = await qbo.read("invoice", "999")
    assert response.status_code == 400
    assert fault_codes(response) == ["610"]


async def test_reference_to_nothing_is_2500_and_to_an_inactive_name_is_610(qbo: QboApi) -> None:
    line = {
        "Amount": 10,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
    }
    nowhere = await qbo.post("invoice", {"CustomerRef": {"value": "404"}, "Line": [line]})
    assert fault_codes(nowhere) == ["2500"]
    assert nowhere.json()["Fault"]["Error"][0]["element"] == "CustomerRef"

    customer = await qbo.created("customer", {"DisplayName": "Gone Fishing"}, "Customer")
    await qbo.post("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    inactive = await qbo.post("invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})
    assert fault_codes(inactive) == ["610"]


async def test_missing_required_field_is_2020(qbo: QboApi) -> None:
    response = await qbo.post("invoice", {"Line": []})
    assert fault_codes(response) == ["2020"]
    assert response.json()["Fault"]["Error"][0]["element"] == "CustomerRef"


async def test_unknown_json_field_is_refused_with_its_path(qbo: QboApi) -> None:
    response = await qbo.post(
        "customer", {"DisplayName": "Typo Co", "PrimaryEmailAddr": {"Adress": "x@example.com"}}
    )
    assert response.status_code == 400
    error = response.json()["Fault"]["Error"][0]
    assert error["code"] == "2010"
    assert error["element"] == "PrimaryEmailAddr.Adress"
    assert "did you mean 'Address'" in error["Detail"]


async def test_value_outside_an_enumeration_is_2170(qbo: QboApi) -> None:
    response = await qbo.post("account", {"Name": "Odd", "AccountType": "Spending"})
    assert fault_codes(response) == ["2170"]


async def test_bare_id_for_a_reference_is_refused(qbo: QboApi) -> None:
    response = await qbo.post("item", {"Name": "Cap", "Type": "Service", "IncomeAccountRef": "1"})
    assert fault_codes(response) == ["2010"]


@pytest.mark.parametrize(("minorversion", "code"), [(None, "2020"), ("70", "2010"), ("abc", "2010")])
async def test_every_call_must_send_minorversion_75_or_later(
    http: httpx.AsyncClient, qbo: QboApi, sandbox: IntuitSandbox, minorversion: str | None, code: str
) -> None:
    params = {} if minorversion is None else {"minorversion": minorversion}
    response = await http.get(f"{qbo.base}/customer/1", headers=qbo.headers(), params=params)
    assert response.status_code == 400
    assert fault_codes(response) == [code]
    assert sandbox.counters.minor_versions == [minorversion]


async def test_requestid_replays_the_first_response_instead_of_writing_twice(
    qbo: QboApi, sandbox: IntuitSandbox
) -> None:
    body = {"DisplayName": "Idempotent Inc"}
    first = await qbo.post("customer", body, requestid="order-7102-customer")
    again = await qbo.post("customer", body, requestid="order-7102-customer")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    names = [c["DisplayName"] for c in sandbox.entities(DEMO_REALM_ID, "Customer")]
    assert names.count("Idempotent Inc") == 1
    assert sandbox.counters.request_ids == ["order-7102-customer", "order-7102-customer"]


async def test_a_new_requestid_writes_again(qbo: QboApi) -> None:
    await qbo.post("customer", {"DisplayName": "Twice Ltd"}, requestid="a")
    second = await qbo.post("customer", {"DisplayName": "Twice Ltd"}, requestid="b")
    assert fault_codes(second) == ["6240"]


async def test_uris_are_case_sensitive(qbo: QboApi) -> None:
    response = await qbo.post("Customer", {"DisplayName": "Case Matters"})
    assert response.status_code == 400
    assert fault_codes(response) == ["500"]


async def test_name_lists_cannot_be_deleted(qbo: QboApi) -> None:
    customer = await qbo.created("customer", {"DisplayName": "Keep Me"}, "Customer")
    response = await qbo.post("customer", {"Id": customer["Id"], "SyncToken": "0"}, operation="delete")
    assert fault_codes(response) == ["500"]


async def test_invalid_json_is_a_validation_fault(http: httpx.AsyncClient, qbo: QboApi) -> None:
    response = await http.post(
        f"{qbo.base}/customer",
        content=b"{not json",
        headers={**qbo.headers(), "Content-Type": "application/json"},
        params=qbo.params(),
    )
    assert response.status_code == 400
    assert fault_codes(response) == ["2010"]


async def test_company_info_is_addressed_by_the_realm_id(qbo: QboApi) -> None:
    info = (await qbo.read("companyinfo", DEMO_REALM_ID)).json()["CompanyInfo"]
    assert info["Id"] == "1"
    assert info["Country"] == "US"


async def test_every_response_carries_an_intuit_tid(qbo: QboApi) -> None:
    response = await qbo.read("customer", "1")
    assert response.headers["intuit_tid"]
