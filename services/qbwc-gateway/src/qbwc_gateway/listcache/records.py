"""A ``…Ret`` from a list query → the row the cache keeps (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..responses import Ret
from ..responses.xml_reader import as_list

# Per list type, the extra fields the lookups show (kept in the row's JSON ``data``).
_DETAILS: dict[str, tuple[str, ...]] = {
    "Account": ("AccountNumber", "SpecialAccountType"),
    "Customer": ("CompanyName", "Phone", "Email"),
    "Vendor": ("CompanyName", "Phone", "Email"),
    "ItemNonInventory": ("ManufacturerPartNumber",),
    "ItemSalesTax": ("TaxRate", "ItemDesc"),
    "ItemSalesTaxGroup": ("ItemDesc",),
    "SalesTaxCode": ("IsTaxable", "Desc"),
    "Currency": ("CurrencyCode", "ExchangeRate"),
    "StandardTerms": ("StdDueDays",),
}
# Per list type, the references kept as {"ListID", "FullName"} (a list of them when repeated): what
# the company's tax codes are built from (``listcache.company``, docs/web-connector.md §3.12).
_REFS: dict[str, tuple[str, ...]] = {
    "SalesTaxCode": ("ItemSalesTaxRef", "ItemPurchaseTaxRef"),
    "SalesRep": ("SalesRepEntityRef",),  # the person the rep stands for
}
_REF_LISTS: dict[str, tuple[str, ...]] = {"ItemSalesTaxGroup": ("ItemSalesTaxRef",)}
# The subtype the lookups filter by (``?type=``): the account type, the payment method type.
_SUBTYPE: dict[str, str] = {"Account": "AccountType", "PaymentMethod": "PaymentMethodType"}

ITEM_TYPES = (
    "ItemService",
    "ItemNonInventory",
    "ItemOtherCharge",
    "ItemInventory",
    "ItemInventoryAssembly",
    "ItemFixedAsset",
    "ItemSubtotal",
    "ItemDiscount",
    "ItemPayment",
    "ItemSalesTax",
    "ItemSalesTaxGroup",
    "ItemGroup",
)
NAME_LIST_TYPES = ("Customer", "Vendor")  # QuickBooks' shared name list (docs/web-connector.md §3.4)


@dataclass(frozen=True, slots=True)
class CachedEntry:
    list_type: str  # the Ret name without "Ret": Customer, ItemNonInventory, StandardTerms, …
    list_id: str
    full_name: str
    edit_sequence: str | None
    is_active: bool
    subtype: str | None
    time_modified: datetime | None
    data: dict[str, Any] = field(default_factory=dict)


def parse_qb_datetime(text: str | None) -> datetime | None:
    """QuickBooks' DATETIMETYPE (with its offset) as aware UTC; None when absent or unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _ref(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    found = {k: str(value[k]) for k in ("ListID", "FullName") if isinstance(value.get(k), str) and value[k]}
    return found or None


def cached_entry(ret: Ret) -> CachedEntry | None:
    """None for a Ret that is not a list record (no ListID)."""
    list_id = ret.text("ListID")
    if list_id is None:
        return None
    list_type = ret.kind.removesuffix("Ret")
    # CurrencyRet has only a Name; SalesRepRet only its Initial (the name SalesRepRef uses).
    name = ret.text("FullName") or ret.text("Name") or ret.text("Initial") or ""
    details: dict[str, Any] = {
        key: ret.text(key) for key in _DETAILS.get(list_type, ()) if ret.text(key) is not None
    }
    for key in _REFS.get(list_type, ()):
        found = _ref(ret.data.get(key))
        if found is not None:
            details[key] = found
    for key in _REF_LISTS.get(list_type, ()):
        refs = [r for r in (_ref(value) for value in as_list(ret.data.get(key))) if r is not None]
        if refs:
            details[key] = refs
    subtype_field = _SUBTYPE.get(list_type)
    return CachedEntry(
        list_type=list_type,
        list_id=list_id,
        full_name=name,
        edit_sequence=ret.text("EditSequence"),
        is_active=(ret.text("IsActive") or "true") == "true",
        subtype=ret.text(subtype_field) if subtype_field else None,
        time_modified=parse_qb_datetime(ret.text("TimeModified")),
        data=details,
    )
