"""Rules of the name lists: Customer, Vendor, Item, Account.

- Customers, vendors and employees share one ``DisplayName`` namespace, item names are unique among
  items, account names among accounts; a clash is 6240 Duplicate Name Exists (docs/quickbooks-online.md §2.3).
  Names compare without regard to case, and inactive names still count.
- A missing ``DisplayName`` is built from the name parts or the company name (IntuitNamesTypes.xsd:
  "If not provided, this is populated from FullName").
- Items: ``Service`` and ``NonInventory`` only; ``IncomeAccountRef`` is required, ``ExpenseAccountRef``
  too once purchase information is given (Finance.xsd ``Item``, docs/quickbooks-online.md §2.3); names up to
  100 characters.
- Accounts: ``AccountType`` or ``AccountSubType`` is required (6010), ``Classification`` follows the type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import faults
from .currency_rules import name_currency
from .rules import AfterWrite, EntityRules, Prepare, is_true, require

if TYPE_CHECKING:
    from .books import Record
    from .company import Company

# Customers, vendors and employees share one DisplayName namespace (docs/quickbooks-online.md §2.3).
PERSON_NAMES = "Customer|Vendor|Employee.DisplayName"
ITEM_NAMES = "Item.Name"
_NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
_DISPLAY_NAME_MAX = 500
_ITEM_NAME_MAX = 100
_ACCOUNT_NAME_MAX = 100


def _check_length(element: str, value: str, maximum: int) -> None:
    if len(value) > maximum:
        raise faults.invalid_string_length(element, maximum, len(value))


def _active(body: dict[str, Any]) -> bool:
    return "Active" not in body or is_true(body["Active"])


# -- customers and vendors ----------------------------------------------------------------------------


def _display_name(body: dict[str, Any]) -> str:
    explicit = str(body.get("DisplayName") or "").strip()
    if explicit:
        return explicit
    parts = " ".join(str(body[p]).strip() for p in _NAME_PARTS if body.get(p))
    derived = parts or str(body.get("CompanyName") or "").strip()
    if not derived:
        raise faults.required_param_missing("DisplayName")
    return derived


def _check_unique(company: Company, namespace: str, name: str, kind: str, existing: Record | None) -> None:
    owner = company.unique_names.owner(namespace, name)
    if owner is not None and (existing is None or owner != (existing.kind, existing.id)):
        raise faults.duplicate_name(kind=kind)


def _claim_name(namespace_of: Callable[[dict[str, Any]], str], field: str) -> AfterWrite:
    """After a write: the entity now holds its (possibly new) name in the unique-name index."""

    def after_write(company: Company, record: Record, previous: dict[str, Any] | None) -> None:
        if previous is not None:
            company.unique_names.release(namespace_of(previous), str(previous[field]), record.kind, record.id)
        company.unique_names.claim(namespace_of(record.body), str(record.body[field]), record.kind, record.id)

    return after_write


def _prepare_person(kind: str) -> Prepare:
    def prepare(
        company: Company, body: dict[str, Any], existing: Record | None, internal: dict[str, Any]
    ) -> dict[str, Any]:
        name = _display_name(body)
        _check_length("DisplayName", name, _DISPLAY_NAME_MAX)
        _check_unique(company, PERSON_NAMES, name, kind, existing)
        out = dict(body)
        out["DisplayName"] = name
        out["PrintOnCheckName"] = str(body.get("PrintOnCheckName") or body.get("CompanyName") or name)
        out["Active"] = _active(body)
        out["CurrencyRef"] = name_currency(company, body, existing)
        if kind == "Customer":
            _customer_hierarchy(company, out, name)
        else:
            out.setdefault("Vendor1099", False)
        return out

    return prepare


def _customer_hierarchy(company: Company, out: dict[str, Any], name: str) -> None:
    """Sub-customers: ``ParentRef`` + ``Job``; FullyQualifiedName is Parent:Child (IntuitNamesTypes.xsd)."""
    parent_ref = out.get("ParentRef")
    if parent_ref:
        parent = company.resolve_ref("Customer", parent_ref, "ParentRef")
        parent_body = company.books.get("Customer", parent["value"])
        assert parent_body is not None
        out["ParentRef"] = parent
        out["Job"] = is_true(out.get("Job", True))
        out["Level"] = int(parent_body.body.get("Level", 0)) + 1
        out["FullyQualifiedName"] = f"{parent_body.body.get('FullyQualifiedName', parent['name'])}:{name}"
        out.setdefault("BillWithParent", False)
    else:
        out["Job"] = False
        out["BillWithParent"] = False
        out.pop("Level", None)
        out["FullyQualifiedName"] = name


CUSTOMER = EntityRules(
    prepare=_prepare_person("Customer"),
    read_only=frozenset({"FullyQualifiedName", "Level", "Balance", "BalanceWithJobs"}),
    after_write=_claim_name(lambda body: PERSON_NAMES, "DisplayName"),
)
VENDOR = EntityRules(
    prepare=_prepare_person("Vendor"),
    read_only=frozenset({"Balance"}),
    after_write=_claim_name(lambda body: PERSON_NAMES, "DisplayName"),
)


# -- items ---------------------------------------------------------------------------------------------

_SUPPORTED_ITEM_TYPES = ("Service", "NonInventory")
_PURCHASE_FIELDS = ("PurchaseDesc", "PurchaseCost", "PurchaseTaxIncluded", "PrefVendorRef")


def _prepare_item(
    company: Company, body: dict[str, Any], existing: Record | None, internal: dict[str, Any]
) -> dict[str, Any]:
    name = str(require(body, "Name")).strip()
    _check_length("Name", name, _ITEM_NAME_MAX)
    _check_unique(company, ITEM_NAMES, name, "Item", existing)
    item_type = require(body, "Type")
    if item_type not in _SUPPORTED_ITEM_TYPES:
        raise faults.business_validation(
            f"This sandbox supports Item Type Service and NonInventory, not {item_type}.", "Type"
        )
    out = dict(body)
    out["Name"] = name
    out["FullyQualifiedName"] = name
    out["Active"] = _active(body)
    out["Taxable"] = is_true(body.get("Taxable", False))
    out["TrackQtyOnHand"] = False
    out["IncomeAccountRef"] = company.resolve_ref("Account", body.get("IncomeAccountRef"), "IncomeAccountRef")
    if body.get("ExpenseAccountRef") is not None or any(body.get(f) is not None for f in _PURCHASE_FIELDS):
        out["ExpenseAccountRef"] = company.resolve_ref(
            "Account", body.get("ExpenseAccountRef"), "ExpenseAccountRef"
        )
    if body.get("PrefVendorRef") is not None:
        out["PrefVendorRef"] = company.resolve_ref("Vendor", body["PrefVendorRef"], "PrefVendorRef")
    return out


ITEM = EntityRules(
    prepare=_prepare_item,
    read_only=frozenset({"FullyQualifiedName", "Level", "QtyOnHand"}),
    after_write=_claim_name(lambda body: ITEM_NAMES, "Name"),
)


# -- accounts ------------------------------------------------------------------------------------------

# AccountType -> (Classification, default AccountSubType)
ACCOUNT_TYPES: dict[str, tuple[str, str]] = {
    "Bank": ("Asset", "Checking"),
    "Accounts Receivable": ("Asset", "AccountsReceivable"),
    "Other Current Asset": ("Asset", "OtherCurrentAssets"),
    "Fixed Asset": ("Asset", "OtherFixedAssets"),
    "Other Asset": ("Asset", "OtherLongTermAssets"),
    "Accounts Payable": ("Liability", "AccountsPayable"),
    "Credit Card": ("Liability", "CreditCard"),
    "Other Current Liability": ("Liability", "OtherCurrentLiabilities"),
    "Long Term Liability": ("Liability", "OtherLongTermLiabilities"),
    "Equity": ("Equity", "OwnersEquity"),
    "Income": ("Revenue", "SalesOfProductIncome"),
    "Other Income": ("Revenue", "OtherMiscellaneousIncome"),
    "Cost of Goods Sold": ("Expense", "SuppliesMaterialsCogs"),
    "Expense": ("Expense", "OtherMiscellaneousServiceCost"),
    "Other Expense": ("Expense", "OtherMiscellaneousExpense"),
}
_SUBTYPE_TYPES: dict[str, str] = {
    **{subtype: account_type for account_type, (_, subtype) in ACCOUNT_TYPES.items()},
    "Savings": "Bank",
    "UndepositedFunds": "Other Current Asset",
    "ServiceFeeIncome": "Income",
    "DiscountsRefundsGiven": "Income",
    "SalesTaxPayable": "Other Current Liability",
    "SuppliesMaterials": "Expense",
}


def _account_namespace(body: dict[str, Any]) -> str:
    """Account names are unique among the accounts under the same parent."""
    parent = body.get("ParentRef")
    parent_id = parent.get("value") if isinstance(parent, dict) else None
    return f"Account.Name under {parent_id or 'the top level'}"


def _prepare_account(
    company: Company, body: dict[str, Any], existing: Record | None, internal: dict[str, Any]
) -> dict[str, Any]:
    name = str(require(body, "Name")).strip()
    _check_length("Name", name, _ACCOUNT_NAME_MAX)
    parent = body.get("ParentRef")
    parent_id = parent.get("value") if isinstance(parent, dict) else None
    _check_unique(company, _account_namespace(body), name, "Account", existing)
    account_type = body.get("AccountType")
    subtype = body.get("AccountSubType")
    if not account_type and not subtype:
        raise faults.business_validation(
            "Either an Account.AccountType or an Account.AccountSubType must be specified",
            "AccountType",
            "6010",
        )
    if not account_type:
        account_type = _SUBTYPE_TYPES.get(str(subtype))
        if account_type is None:
            raise faults.business_validation(f"AccountSubType {subtype} needs an AccountType", "AccountType")
    classification, default_subtype = ACCOUNT_TYPES.get(str(account_type), ("Expense", ""))
    out = dict(body)
    out["Name"] = name
    out["AccountType"] = account_type
    out["AccountSubType"] = subtype or default_subtype
    out["Classification"] = classification
    out["Active"] = _active(body)
    out.setdefault("CurrencyRef", company.currency_ref())
    if parent_id:
        resolved = company.resolve_ref("Account", parent, "ParentRef")
        out["ParentRef"] = resolved
        out["SubAccount"] = True
        out["FullyQualifiedName"] = f"{resolved.get('name', '')}:{name}"
    else:
        out["SubAccount"] = False
        out["FullyQualifiedName"] = name
    out.setdefault("CurrentBalance", 0)
    out.setdefault("CurrentBalanceWithSubAccounts", 0)
    return out


ACCOUNT = EntityRules(
    prepare=_prepare_account,
    read_only=frozenset({"FullyQualifiedName", "Classification", "SubAccount"}),
    after_write=_claim_name(_account_namespace, "Name"),
)
