"""Lookups answer one shape on both products: the same record, read from QuickBooks Online's REST
API or from the lists the Web Connector read, gives the same `type` and the same `details` keys."""

from __future__ import annotations

from typing import Any

import pytest

from espqb.db.models import QbdListEntry
from espqb.lookups.provider import LookupItem, LookupKind
from qbo_gateway.lookups import as_lookup_item as online_item
from qbo_gateway.lookups import statement
from qbwc_gateway.listcache.lookups import as_lookup_item as desktop_item
from qbwc_gateway.listcache.lookups import desktop_type_filter

SAME_RECORD: list[tuple[LookupKind, dict[str, Any], QbdListEntry]] = [
    (
        "customers",
        {
            "Id": "58",
            "DisplayName": "Lakeside Dental Group",
            "CompanyName": "Lakeside Dental Group",
            "PrimaryEmailAddr": {"Address": "ap@lakeside.example"},
            "PrimaryPhone": {"FreeFormNumber": "555-0100"},
            "SyncToken": "0",
        },
        QbdListEntry(
            list_type="Customer",
            list_id="80000012-1",
            full_name="Lakeside Dental Group",
            is_active=True,
            data={
                "CompanyName": "Lakeside Dental Group",
                "Email": "ap@lakeside.example",
                "Phone": "555-0100",
            },
        ),
    ),
    (
        "accounts",
        {"Id": "80", "Name": "Cost of Goods Sold", "AccountType": "Cost of Goods Sold", "AcctNum": "5000"},
        QbdListEntry(
            list_type="Account",
            list_id="80000020-1",
            full_name="Cost of Goods Sold",
            is_active=True,
            subtype="CostOfGoodsSold",
            data={"AccountNumber": "5000"},
        ),
    ),
    (
        "items",
        {"Id": "12", "Name": "A7102", "Type": "NonInventory", "Sku": "A7102"},
        QbdListEntry(
            list_type="ItemNonInventory",
            list_id="80000030-1",
            full_name="A7102",
            is_active=True,
            data={"ManufacturerPartNumber": "A7102"},
        ),
    ),
]


@pytest.mark.parametrize(("kind", "online", "desktop"), SAME_RECORD, ids=[k for k, _o, _d in SAME_RECORD])
def test_one_record_reads_the_same_on_both_products(
    kind: LookupKind, online: dict[str, Any], desktop: QbdListEntry
) -> None:
    def shape(item: LookupItem) -> dict[str, Any]:
        return item.model_dump(exclude={"id"})

    assert shape(online_item(kind, online)) == shape(desktop_item(kind, desktop, None))


def test_a_type_filter_takes_either_products_spelling() -> None:
    assert "AccountType = 'Cost of Goods Sold'" in statement("accounts", None, "CostOfGoodsSold")
    assert "Type = 'NonInventory'" in statement("items", None, "ItemNonInventory")
    assert desktop_type_filter("accounts", "Cost of Goods Sold") == "CostOfGoodsSold"
    assert desktop_type_filter("items", "NonInventory") == "ItemNonInventory"
