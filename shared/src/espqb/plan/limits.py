"""Field lengths each QuickBooks product accepts, so the plan never hands an encoder a value it must cut."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["LIMITS", "PRODUCT_NAMES", "Target", "TargetLimits"]

Target = Literal["qbo", "qbd"]


@dataclass(frozen=True, slots=True)
class TargetLimits:
    party_name: int
    item_name: int
    sku: int
    company_name: int
    first_name: int
    last_name: int
    phone: int
    address_line: int
    city: int
    state: int
    postal_code: int
    country: int
    invoice_number: int
    purchase_order_number: int
    bill_number: int
    payment_reference: int
    memo: int
    line_description: int
    # Document details (docs/web-connector.md §3.17, docs/quickbooks-online.md §7).
    po_number: int  # Desktop InvoiceAdd/PONumber; QBO a sales-form custom field's StringValue
    ship_method: int  # Desktop ShipMethod Name; QBO ShipMethodRef (a string)
    tracking_number: int  # Desktop has no field: `Other`; QBO TrackingNum
    customer_message: int  # Desktop CustomerMsg Name; QBO CustomerMemo
    vendor_message: int  # Desktop PurchaseOrderAdd/VendorMsg; QBO PurchaseOrder Memo
    # Reference-list names (espqb.plan.lists): Desktop StandardTermsAdd / ClassAdd Name 31 and a sales
    # rep's Initial 5 (qbxmlops130.xml); QBO Term Name 31, Class and Department Name 100 (Intuit's API
    # reference); QBO has no sales rep list, the name goes to a custom field (31, as the PO number).
    terms_name: int
    class_name: int
    location_name: int
    sales_rep: int


# How messages name each product.
PRODUCT_NAMES: dict[Target, str] = {"qbo": "QuickBooks Online", "qbd": "QuickBooks Desktop"}

LIMITS: dict[Target, TargetLimits] = {
    # QuickBooks Desktop (US), docs/web-connector.md §3.4: names 41, item names 31, InvoiceAdd and
    # PurchaseOrderAdd RefNumber 11, BillAdd and ReceivePaymentAdd RefNumber 20, Memo and line Desc
    # 4095, address lines 41 / City 31 / State 21 / PostalCode 13 / Country 31, First/Last 25,
    # Phone 21; ManufacturerPartNumber 31 (qbxmlops130.xml, ItemNonInventoryAdd).
    "qbd": TargetLimits(
        party_name=41,
        item_name=31,
        sku=31,
        company_name=41,
        first_name=25,
        last_name=25,
        phone=21,
        address_line=41,
        city=31,
        state=21,
        postal_code=13,
        country=31,
        invoice_number=11,
        purchase_order_number=11,
        bill_number=20,
        payment_reference=20,
        memo=4095,
        line_description=4095,
        po_number=25,
        ship_method=15,
        tracking_number=29,
        customer_message=101,
        vendor_message=99,
        terms_name=31,
        class_name=31,
        location_name=31,
        sales_rep=5,
    ),
    # QuickBooks Online, docs/quickbooks-online.md §2.3: item Name and Sku 100, DocNumber 21; GivenName 25 and
    # FamilyName 15 (IntuitNamesTypes.xsd); memo / description 4000 and address sizes from the QBOE
    # annotations in qbxmlops130.xml. DisplayName and CompanyName have no length in our sources:
    # 100 is a conservative choice [derived]; the phone length keeps Desktop's 21 [derived].
    "qbo": TargetLimits(
        party_name=100,
        item_name=100,
        sku=100,
        company_name=100,
        first_name=25,
        last_name=15,
        phone=21,
        address_line=500,
        city=255,
        state=255,
        postal_code=30,
        country=255,
        invoice_number=21,
        purchase_order_number=21,
        bill_number=21,
        payment_reference=21,
        memo=4000,
        line_description=4000,
        # Custom field values, ShipMethodRef and TrackingNum have no documented length (§7.5, §7.11):
        # 31, QuickBooks' own name length, is the conservative choice [derived].
        po_number=31,
        ship_method=31,
        tracking_number=31,
        customer_message=1000,
        vendor_message=4000,
        terms_name=31,
        class_name=100,
        location_name=100,
        sales_rep=31,
    ),
}
