"""Which lists and transactions the simulated company file supports, and how they relate.

Name spaces matter: customers, vendors, employees and other names share one name list, so a
vendor may not take a customer's name (docs/web-connector.md §3.4 "Uniqueness"); all item types share
the item list; accounts, classes, tax codes, terms and payment methods each have their own.
QuickBooks compares names without regard to case.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ListKind:
    name: str  # "Customer" → CustomerAdd / CustomerRet / CustomerQueryRq
    namespace: str
    display: str  # how QuickBooks names the list in messages
    has_full_name: bool  # the …Ret carries FullName (hierarchical lists)
    hierarchical: bool  # the …Add accepts ParentRef
    modifiable: bool = True
    defaults: dict[str, str] = field(default_factory=dict)
    # The element that names an entry: "Name", except a sales rep's "Initial" (SalesRepAdd, OPS130).
    name_field: str = "Name"

    @property
    def ret(self) -> str:
        return f"{self.name}Ret"


ITEM_KIND_NAMES = (
    "ItemService",
    "ItemNonInventory",
    "ItemOtherCharge",
    "ItemSubtotal",
    "ItemDiscount",
    "ItemSalesTax",
)
ENTITY_KIND_NAMES = ("Customer", "Vendor", "OtherName")

_ACTIVE = {"IsActive": "true"}

LIST_KINDS: dict[str, ListKind] = {
    kind.name: kind
    for kind in (
        ListKind(
            "Customer",
            "entity",
            "Customer",
            True,
            True,
            defaults={
                **_ACTIVE,
                "Sublevel": "0",
                "Balance": "0.00",
                "TotalBalance": "0.00",
                "JobStatus": "None",
            },
        ),
        ListKind("Vendor", "entity", "Vendor", False, False, defaults={**_ACTIVE, "Balance": "0.00"}),
        ListKind("OtherName", "entity", "OtherName", False, False, defaults=dict(_ACTIVE)),
        ListKind(
            "Account",
            "account",
            "Account",
            True,
            True,
            defaults={**_ACTIVE, "Sublevel": "0", "Balance": "0.00", "TotalBalance": "0.00"},
        ),
        ListKind("ItemService", "item", "Item", True, True, defaults={**_ACTIVE, "Sublevel": "0"}),
        ListKind("ItemNonInventory", "item", "Item", True, True, defaults={**_ACTIVE, "Sublevel": "0"}),
        ListKind("ItemOtherCharge", "item", "Item", True, True, defaults={**_ACTIVE, "Sublevel": "0"}),
        ListKind("ItemSubtotal", "item", "Item", False, False, defaults=dict(_ACTIVE)),
        ListKind("ItemDiscount", "item", "Item", True, True, defaults={**_ACTIVE, "Sublevel": "0"}),
        ListKind("ItemSalesTax", "item", "Item", False, False, defaults={**_ACTIVE, "TaxRate": "0.00"}),
        ListKind("SalesTaxCode", "salestaxcode", "SalesTaxCode", False, False, defaults=dict(_ACTIVE)),
        ListKind("StandardTerms", "terms", "Terms", False, False, modifiable=False, defaults=dict(_ACTIVE)),
        # Standard and date-driven terms share one list and one name space (TermsQueryRq answers both,
        # docs/web-connector.md §3.18).
        ListKind("DateDrivenTerms", "terms", "Terms", False, False, modifiable=False, defaults=dict(_ACTIVE)),
        # The lists a document's details name (docs/web-connector.md §3.17-§3.18): ship methods (Name ≤15),
        # customer messages (Name ≤101) and sales reps, named by their initials (Initial ≤5) and standing
        # for an employee, vendor or other name (SalesRepEntityRef, required).
        ListKind(
            "ShipMethod", "shipmethod", "ShipMethod", False, False, modifiable=False, defaults=dict(_ACTIVE)
        ),
        ListKind(
            "CustomerMsg",
            "customermsg",
            "CustomerMsg",
            False,
            False,
            modifiable=False,
            defaults=dict(_ACTIVE),
        ),
        ListKind(
            "SalesRep", "salesrep", "SalesRep", False, False, defaults=dict(_ACTIVE), name_field="Initial"
        ),
        ListKind("Class", "class", "Class", True, True, defaults={**_ACTIVE, "Sublevel": "0"}),
        ListKind(
            "PaymentMethod",
            "paymentmethod",
            "PaymentMethod",
            False,
            False,
            modifiable=False,
            defaults={**_ACTIVE, "PaymentMethodType": "Other"},
        ),
        # The currency list exists once multi-currency is on (docs/web-connector.md §3.13, .currencies).
        ListKind(
            "Currency",
            "currency",
            "Currency",
            False,
            False,
            defaults={**_ACTIVE, "IsUserDefinedCurrency": "true"},
        ),
    )
}

# List queries that span several kinds: ItemQuery returns every item type, TermsQuery
# returns standard (and date-driven) terms.
MULTI_KIND_QUERIES: dict[str, tuple[str, ...]] = {
    "ItemQueryRq": ITEM_KIND_NAMES,
    "TermsQueryRq": ("StandardTerms", "DateDrivenTerms"),
}


@dataclass(frozen=True)
class TxnKind:
    name: str
    entity_ref: str  # the name a transaction query's EntityFilter matches: CustomerRef / VendorRef


TXN_KINDS: dict[str, TxnKind] = {
    kind.name: kind
    for kind in (
        TxnKind("Invoice", "CustomerRef"),
        TxnKind("ReceivePayment", "CustomerRef"),
        TxnKind("PurchaseOrder", "VendorRef"),
        TxnKind("Bill", "VendorRef"),
    )
}


@dataclass(frozen=True)
class RefTarget:
    kinds: tuple[str, ...]
    display: str


_ACCOUNT = RefTarget(("Account",), "Account")
_ITEM = RefTarget(ITEM_KIND_NAMES, "Item")

# Which list a "…Ref" element points into. A Ref not listed here points at a list the
# simulator does not keep (CustomerType, VendorType, Template…): in a fresh company file
# those lists hold nothing we know of, so a reference to them is reported as invalid (3140).
REF_TARGETS: dict[str, RefTarget] = {
    "CustomerRef": RefTarget(("Customer",), "Customer"),
    "VendorRef": RefTarget(("Vendor",), "Vendor"),
    "PrefVendorRef": RefTarget(("Vendor",), "Vendor"),
    "TaxVendorRef": RefTarget(("Vendor",), "Vendor"),
    "ShipToEntityRef": RefTarget(ENTITY_KIND_NAMES, "Entity"),
    "ItemRef": _ITEM,
    "ItemSalesTaxRef": RefTarget(("ItemSalesTax",), "Item"),
    "DefaultItemSalesTaxRef": RefTarget(("ItemSalesTax",), "Item"),
    "SalesTaxCodeRef": RefTarget(("SalesTaxCode",), "SalesTaxCode"),
    "CustomerSalesTaxCodeRef": RefTarget(("SalesTaxCode",), "SalesTaxCode"),
    "PurchaseTaxCodeRef": RefTarget(("SalesTaxCode",), "SalesTaxCode"),
    "ItemPurchaseTaxRef": RefTarget(("ItemSalesTax",), "Item"),
    "CurrencyRef": RefTarget(("Currency",), "Currency"),
    "AccountRef": _ACCOUNT,
    "ARAccountRef": _ACCOUNT,
    "APAccountRef": _ACCOUNT,
    "IncomeAccountRef": _ACCOUNT,
    "ExpenseAccountRef": _ACCOUNT,
    "COGSAccountRef": _ACCOUNT,
    "AssetAccountRef": _ACCOUNT,
    "DepositToAccountRef": _ACCOUNT,
    "OverrideItemAccountRef": _ACCOUNT,
    "DiscountAccountRef": _ACCOUNT,
    "ClassRef": RefTarget(("Class",), "Class"),
    "DiscountClassRef": RefTarget(("Class",), "Class"),
    "TermsRef": RefTarget(("StandardTerms", "DateDrivenTerms"), "Terms"),
    "ShipMethodRef": RefTarget(("ShipMethod",), "ShipMethod"),
    "CustomerMsgRef": RefTarget(("CustomerMsg",), "CustomerMsg"),
    "SalesRepRef": RefTarget(("SalesRep",), "SalesRep"),
    # A sales rep stands for a person of the name list: an employee, a vendor or an other name
    # (SalesRepAdd, OPS130; this file keeps no employees).
    "SalesRepEntityRef": RefTarget(("Vendor", "OtherName"), "Entity"),
    "PaymentMethodRef": RefTarget(("PaymentMethod",), "PaymentMethod"),
    "PreferredPaymentMethodRef": RefTarget(("PaymentMethod",), "PaymentMethod"),
}


def ref_target(ref_name: str, parent_kind: str | None) -> RefTarget:
    """Target of a Ref element; ``ParentRef`` points into the kind being written."""
    if ref_name == "ParentRef" and parent_kind is not None:
        return RefTarget((parent_kind,), LIST_KINDS[parent_kind].display)
    known = REF_TARGETS.get(ref_name)
    if known is not None:
        return known
    return RefTarget((), ref_name.removesuffix("Ref"))
