"""Items: products and extra charges as NonInventory or Service items (docs/quickbooks-online.md §2.3).

IncomeAccountRef is required for both; ExpenseAccountRef (with the purchase description) is sent when
the item is also bought, so bill and PO lines post to the chosen COGS account through the item.
"""

from __future__ import annotations

from typing import Any

from espqb.plan.model import ItemOp
from qbo_gateway.encoder.common import compact
from qbo_gateway.encoder.context import EncodeContext, EncodeError

__all__ = ["QBO_ITEM_TYPES", "encode_item"]

# The plan's item types on QBO; subtotal and discount items exist only on Desktop.
QBO_ITEM_TYPES = {"non_inventory": "NonInventory", "other_charge": "Service"}


def encode_item(op: ItemOp, context: EncodeContext) -> dict[str, Any]:
    item_type = QBO_ITEM_TYPES.get(op.item_type)
    if item_type is None:
        raise EncodeError(f"QuickBooks Online has no {op.item_type.replace('_', ' ')} items (“{op.name}”).")
    if op.income_account is None:
        raise EncodeError(f"The item “{op.name}” needs an income account; choose one in Settings → Accounts.")
    bought = op.expense_account is not None
    return compact(
        {
            "Name": op.name,
            "Type": item_type,
            "Sku": op.sku,
            "Description": op.description,
            "Taxable": op.taxable,
            "IncomeAccountRef": context.account(op.income_account),
            "ExpenseAccountRef": context.account(op.expense_account) if op.expense_account else None,
            "PurchaseDesc": op.description if bought else None,
        }
    )
