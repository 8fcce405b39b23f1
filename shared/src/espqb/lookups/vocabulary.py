"""One shape for lookups on both products: the same `type` words and the same `details` keys, whether
the answer came from QuickBooks Online's REST API or from the lists the Web Connector read.

``type``
  * accounts: QuickBooks Online's account types ("Income", "Cost of Goods Sold", "Accounts
    Receivable"…); Desktop's ``AccountType`` values ("CostOfGoodsSold") are spelled the same way.
  * items: the item's kind in one word each: ``Service``, ``NonInventory``, ``Inventory``,
    ``OtherCharge``, ``Subtotal``, ``Discount``, ``Payment``, ``SalesTax``, ``SalesTaxGroup``,
    ``Group``, ``InventoryAssembly``, ``FixedAsset``, ``Category`` (QBO's ``Type``; Desktop's item list
    type without its ``Item`` prefix).
  * tax codes: ``Code`` (a QBO TaxCode, a Desktop sales tax code such as Tax/Non or H/E), and on
    Desktop ``SalesTax`` / ``SalesTaxGroup`` for the US sales tax items and groups that compute tax.
  * customers, vendors and the company's lists: null.

``details`` (only the keys QuickBooks gave a value)
  * customers, vendors: ``company_name``, ``email``, ``phone``.
  * accounts: ``number``, ``sub_type`` (QBO's AccountSubType), ``special`` (Desktop's
    SpecialAccountType).
  * items: ``sku`` (QBO Sku; Desktop ManufacturerPartNumber), ``description``, ``rate`` (sales tax
    items' percent, as text).
  * tax codes: ``taxable``, ``description`` and the rates (``sales_rates``, ``purchase_rates``,
    ``sales_percent``, ``purchase_percent``).

``?type=`` takes either spelling on both products.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "account_type",
    "desktop_account_type",
    "item_type",
    "online_account_type",
    "party_details",
    "present",
    "tax_code_type",
]

# Desktop's AccountType enumeration (qbXML 13.0) → QuickBooks Online's AccountType words.
_ACCOUNT_TYPES = {
    "AccountsPayable": "Accounts Payable",
    "AccountsReceivable": "Accounts Receivable",
    "Bank": "Bank",
    "CostOfGoodsSold": "Cost of Goods Sold",
    "CreditCard": "Credit Card",
    "Equity": "Equity",
    "Expense": "Expense",
    "FixedAsset": "Fixed Asset",
    "Income": "Income",
    "LongTermLiability": "Long Term Liability",
    "NonPosting": "Non-Posting",
    "OtherAsset": "Other Asset",
    "OtherCurrentAsset": "Other Current Asset",
    "OtherCurrentLiability": "Other Current Liability",
    "OtherExpense": "Other Expense",
    "OtherIncome": "Other Income",
}
_BY_WORDS = {words.casefold(): code for code, words in _ACCOUNT_TYPES.items()}


def account_type(value: str | None) -> str | None:
    """Either product's account type in QuickBooks Online's words."""
    if not value:
        return None
    return _ACCOUNT_TYPES.get(value, value)


def desktop_account_type(value: str) -> str:
    """An account type as a caller may write it ("Cost of Goods Sold" or "CostOfGoodsSold") in
    Desktop's spelling; unknown words are returned as given."""
    return _BY_WORDS.get(value.strip().casefold(), value.strip())


def online_account_type(value: str) -> str:
    """The same, in QuickBooks Online's spelling."""
    return _ACCOUNT_TYPES.get(value.strip(), value.strip())


def item_type(value: str | None) -> str | None:
    """``ItemNonInventory`` (Desktop's list type) and ``NonInventory`` (QBO's Type) → ``NonInventory``."""
    if not value:
        return None
    return re.sub(r"^Item(?=[A-Z])", "", value)


def present(values: Mapping[str, Any]) -> dict[str, Any]:
    """The details QuickBooks gave a value (an absent key rather than a null)."""
    return {k: v for k, v in values.items() if v not in (None, "")}


def tax_code_type(list_type: str | None) -> str:
    """``SalesTaxCode`` (Desktop) and QBO's TaxCode → ``Code``; Desktop's tax items → their item type."""
    if list_type is None or list_type == "SalesTaxCode":
        return "Code"
    return item_type(list_type) or "Code"


def party_details(company_name: Any, email: Any, phone: Any) -> dict[str, Any]:
    return present({"company_name": company_name, "email": email, "phone": phone})
