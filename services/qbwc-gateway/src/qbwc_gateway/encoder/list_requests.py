"""Customer, vendor and item adds, and the queries that find a list entry by name.

Element order follows ``qbxmlops130.xsd`` (CustomerAdd, VendorAdd, ItemNonInventoryAdd,
ItemOtherChargeAdd, ItemSubtotalAdd, ItemDiscountAdd); lengths were cut by the plan
(docs/web-connector.md §3.4).

Edition-specific elements (docs/web-connector.md §3.11) stay out: no ``ItemSalesTaxRef``,
``SalesTaxCountry`` or tax-agency fields on names, no ``IsTaxIncluded`` or purchase tax code on items.
Only ``CurrencyRef``, which every edition takes, is sent: on a customer or vendor created in a foreign
currency of a multi-currency file (a name's currency cannot be changed afterwards, so never on a Mod).
"""

from __future__ import annotations

from espqb.plan import AccountRef, Address, CustomerOp, ItemOp, ListEntryOp, VendorOp
from espqb.plan.company import ListKind
from espqb.plan.model import CurrencyRef

from .prefs import CompanyFilePrefs
from .xml_build import Element, Ref, child, opt, ref, request

LIST_QUERY_BY_KIND = {"customer": "CustomerQueryRq", "vendor": "VendorQueryRq", "item": "ItemQueryRq"}
# QuickBooks Desktop's names of the common currencies (its currency list, docs/web-connector.md §3.13),
# for a plan that names a currency by its ISO code only.
CURRENCY_NAMES = {
    "USD": "US Dollar",
    "CAD": "Canadian Dollar",
    "GBP": "British Pound Sterling",
    "EUR": "Euro",
    "AUD": "Australian Dollar",
}


def currency(value: CurrencyRef | None) -> Ref | None:
    """A currency by the name QuickBooks lists it under: ``CurrencyRef`` takes a name, not a code."""
    if value is None:
        return None
    return Ref(full_name=value.name or CURRENCY_NAMES.get(value.code.upper(), value.code))


def account(value: AccountRef | None) -> Ref | None:
    """An account chosen in the dialog or the settings: by ListID when known, else by full name."""
    if value is None or not (value.id or value.name):
        return None
    return Ref(list_id=value.id) if value.id else Ref(full_name=value.name)


def address(parent: Element, tag: str, value: Address | None) -> None:
    if value is None:
        return
    lines = [value.line1, value.line2, value.line3, value.city, value.state, value.postal_code, value.country]
    if not any(lines):
        return
    element = child(parent, tag)
    opt(element, "Addr1", value.line1)
    opt(element, "Addr2", value.line2)
    opt(element, "Addr3", value.line3)
    opt(element, "City", value.city)
    opt(element, "State", value.state)
    opt(element, "PostalCode", value.postal_code)
    opt(element, "Country", value.country)


def customer_add(op: CustomerOp, request_id: str) -> Element:
    if not op.name:
        raise ValueError(f"{op.key}: a customer to create needs a name")
    rq = request("CustomerAddRq", request_id)
    add = child(rq, "CustomerAdd")
    child(add, "Name", op.name)
    opt(add, "CompanyName", op.company_name)
    opt(add, "FirstName", op.first_name)
    opt(add, "LastName", op.last_name)
    address(add, "BillAddress", op.billing_address)
    address(add, "ShipAddress", op.shipping_address)
    opt(add, "Phone", op.phone)
    opt(add, "Email", op.email)
    ref(add, "CurrencyRef", currency(op.currency))  # last in CustomerAdd
    return rq


def vendor_add(op: VendorOp, request_id: str) -> Element:
    if not op.name:
        raise ValueError(f"{op.key}: a vendor to create needs a name")
    rq = request("VendorAddRq", request_id)
    add = child(rq, "VendorAdd")
    child(add, "Name", op.name)
    opt(add, "CompanyName", op.company_name)
    address(add, "VendorAddress", op.address)
    opt(add, "Phone", op.phone)
    opt(add, "Email", op.email)
    # The ASI number identifies the supplier in the promotional-products trade; Desktop has no field
    # for it (AccountNumber is *our* account with the vendor), so it goes into the vendor's notes.
    opt(add, "Notes", f"ASI {op.asi_number}" if op.asi_number else None)
    ref(add, "CurrencyRef", currency(op.currency))  # last in VendorAdd
    return rq


def _sales_or_purchase(parent: Element, op: ItemOp) -> None:
    # An item that is also bought carries both accounts (SalesAndPurchase); one only sold carries
    # its income account (SalesOrPurchase). No price: every line states its own.
    if op.expense_account is not None:
        both = child(parent, "SalesAndPurchase")
        opt(both, "SalesDesc", op.description)
        ref(both, "IncomeAccountRef", account(op.income_account))
        opt(both, "PurchaseDesc", op.description)
        ref(both, "ExpenseAccountRef", account(op.expense_account))
    else:
        single = child(parent, "SalesOrPurchase")
        opt(single, "Desc", op.description)
        ref(single, "AccountRef", account(op.income_account))


def item_add(op: ItemOp, request_id: str, prefs: CompanyFilePrefs) -> Element:
    match op.item_type:
        case "non_inventory":
            rq = request("ItemNonInventoryAddRq", request_id)
            add = child(rq, "ItemNonInventoryAdd")
            child(add, "Name", op.name)
            opt(add, "ManufacturerPartNumber", op.sku)
            ref(add, "SalesTaxCodeRef", prefs.tax_code(op.taxable))
            _sales_or_purchase(add, op)
        case "other_charge":
            rq = request("ItemOtherChargeAddRq", request_id)
            add = child(rq, "ItemOtherChargeAdd")
            child(add, "Name", op.name)
            ref(add, "SalesTaxCodeRef", prefs.tax_code(op.taxable))
            _sales_or_purchase(add, op)
        case "subtotal":
            rq = request("ItemSubtotalAddRq", request_id)
            add = child(rq, "ItemSubtotalAdd")
            child(add, "Name", op.name)
            opt(add, "ItemDesc", op.description)
        case "discount":
            rq = request("ItemDiscountAddRq", request_id)
            add = child(rq, "ItemDiscountAdd")
            child(add, "Name", op.name)
            opt(add, "ItemDesc", op.description)
            # A taxable discount item lowers the taxable amount (docs/web-connector.md §3.5).
            ref(add, "SalesTaxCodeRef", prefs.tax_code(op.taxable))
            ref(add, "AccountRef", account(op.income_account))
    return rq


def find_by_name(kind: str, name: str, request_id: str) -> Element:
    """``CustomerQueryRq``/``VendorQueryRq``/``ItemQueryRq`` for one full name (all item types)."""
    rq = request(LIST_QUERY_BY_KIND[kind], request_id)
    child(rq, "FullName", name)
    return rq


# ----------------------------------------------------------- the lists a document's details name
# (docs/web-connector.md §3.17-§3.18): terms, classes, ship methods, customer messages and sales reps.
# TermsQueryRq answers standard and date-driven terms alike; a sales rep is found by its initials.
LIST_ENTRY_QUERIES: dict[ListKind, str] = {
    "terms": "TermsQueryRq",
    "class": "ClassQueryRq",
    "ship_method": "ShipMethodQueryRq",
    "customer_message": "CustomerMsgQueryRq",
    "sales_rep": "SalesRepQueryRq",
}


ADDABLE: frozenset[ListKind] = frozenset({"terms", "class", "ship_method", "customer_message"})


def writable(op: ListEntryOp) -> bool:
    """Whether the gateway can send ``op``: a list Desktop has, and an add only to a list it may add to."""
    if op.list_kind not in LIST_ENTRY_QUERIES:
        return False
    linked = op.existing is not None and bool(op.existing.quickbooks_id)
    return op.action != "create" or linked or op.list_kind in ADDABLE


def list_entry_add(op: ListEntryOp, request_id: str) -> Element:
    """``StandardTermsAdd`` (Name, StdDueDays), ``ClassAdd``, ``ShipMethodAdd`` or ``CustomerMsgAdd``
    (Name): the entry the plan found missing. Sales reps are never added (each stands for a person of
    the name list, ``espqb.plan.model.ListEntryOp``); Desktop has no location list."""
    match op.list_kind:
        case "terms":
            rq = request("StandardTermsAddRq", request_id)
            add = child(rq, "StandardTermsAdd")
            child(add, "Name", op.name)
            if op.due_days is not None:
                child(add, "StdDueDays", str(op.due_days))
        case "class":
            rq = request("ClassAddRq", request_id)
            child(child(rq, "ClassAdd"), "Name", op.name)
        case "ship_method":
            rq = request("ShipMethodAddRq", request_id)
            child(child(rq, "ShipMethodAdd"), "Name", op.name)
        case "customer_message":
            rq = request("CustomerMsgAddRq", request_id)
            child(child(rq, "CustomerMsgAdd"), "Name", op.name)
        case _:
            raise ValueError(f"{op.key}: QuickBooks Desktop lists of kind {op.list_kind!r} are not added")
    return rq


def find_list_entry(list_kind: ListKind, name: str, request_id: str) -> Element:
    """The entry of that list with that full name (a sales rep's initials)."""
    query = LIST_ENTRY_QUERIES.get(list_kind)
    if query is None:
        raise ValueError(f"QuickBooks Desktop has no {list_kind} list")
    rq = request(query, request_id)
    child(rq, "FullName", name)
    return rq
