"""Item operations: one QuickBooks item per ESP product, per kind of extra charge, and the helpers.

Item keys (the key of the item mapping, and after ``item:`` the operation key):

* a product: ESP's product id when the order gives one, else ``<supplier id>/<product number>``
  (product numbers are the supplier's own, so two suppliers may both sell an "A7102");
* an extra charge: ``charge:setup``, ``charge:run``, ``charge:shipping``, ``charge:other``;
* helpers: ``special:subtotal`` and ``special:discount`` (Desktop only), ``special:tax``
  ("Add Total Tax as an Item").

Naming: a product is named from its product number (default) or product name, per the settings,
cleaned and cut to the target's length (Desktop 31, QBO 100). If QuickBooks already has an item of
that name that is not linked to anything in ESP, it is adopted (linked) rather than duplicated; if
the name belongs to another ESP product, the new item gets the first free "Name (2)", "Name (3)"...
The gateway records the name and id it ends up with, so the product keeps its item from then on.
"""

from __future__ import annotations

import dataclasses

from espqb.orders.snapshot import ChargeKind, OrderLine
from espqb.plan.errors import Problems
from espqb.plan.inputs import KnownMappings, PlanSettings
from espqb.plan.limits import TargetLimits
from espqb.plan.model import AccountRef, Existing, ItemOp, ItemRole, ItemType
from espqb.plan.naming import NameRegistry, clean_name, numbered_suffix, truncate_text

__all__ = [
    "DISCOUNT_ITEM",
    "SUBTOTAL_ITEM",
    "TAX_ITEM",
    "ItemPlanner",
    "charge_item_key",
    "item_op_key",
    "product_key",
]

SUBTOTAL_ITEM = "special:subtotal"
DISCOUNT_ITEM = "special:discount"
TAX_ITEM = "special:tax"


def product_key(line: OrderLine) -> str:
    """The ESP product a line is for; the key of its item mapping."""
    return line.product_id if line.product_id is not None else f"{line.supplier_id}/{line.product_number}"


def charge_item_key(kind: ChargeKind) -> str:
    return f"charge:{kind}"


def item_op_key(item_key: str) -> str:
    return f"item:{item_key}"


class ItemPlanner:
    """Decides each item once, in the order items are first needed; later requests reuse it.

    Each request returns the item operation's key (``item:<item key>``), which the lines refer to.
    """

    def __init__(
        self,
        *,
        settings: PlanSettings,
        mappings: KnownMappings,
        registry: NameRegistry,
        limits: TargetLimits,
        income_account: AccountRef | None,
        discount_account: AccountRef | None,
        tax_account: AccountRef | None,
        problems: Problems,
    ) -> None:
        self._settings = settings
        self._mappings = mappings
        self._registry = registry
        self._limits = limits
        self._income = income_account
        self._discount_account = discount_account
        self._tax_account = tax_account
        self._problems = problems
        self._ops: dict[str, ItemOp] = {}
        self._income_problem_reported = False

    def operations(self) -> tuple[ItemOp, ...]:
        return tuple(self._ops.values())

    def product(self, line: OrderLine, index: int, expense_account: AccountRef | None) -> str:
        key = product_key(line)
        if key in self._ops:
            self._note_expense(key, expense_account)
            return item_op_key(key)
        by_number = self._settings.item_name_source == "product_number"
        first, second = (
            (line.product_number, line.product_name)
            if by_number
            else (line.product_name, line.product_number)
        )
        text = clean_name(first) or clean_name(second)
        if not text:
            field = "product_number" if by_number else "product_name"
            self._problems.add(
                f"order.lines[{index}].{field}",
                f"Line {index + 1}: the product number {line.product_number!r} and name {line.product_name!r} "
                "leave no usable QuickBooks item name once colons, tabs and line breaks are removed.",
            )
            text = "?"
        description = clean_name(line.product_name) or None
        self._add(
            key,
            role="product",
            item_type="non_inventory",
            text=text,
            sku=truncate_text(clean_name(line.product_number), self._limits.sku) or None,
            description=description and truncate_text(description, self._limits.line_description),
            taxable=line.taxable,
            income=self._income,
            expense=expense_account,
        )
        return item_op_key(key)

    def charge(self, kind: ChargeKind, *, taxable: bool, expense_account: AccountRef | None) -> str:
        key = charge_item_key(kind)
        if key in self._ops:
            self._note_expense(key, expense_account)
        else:
            name = self._settings.charge_items.for_kind(kind)
            self._add(
                key,
                role="charge",
                item_type="other_charge",
                text=clean_name(name) or kind,
                sku=None,
                description=name,
                taxable=taxable,
                income=self._income,
                expense=expense_account,
            )
        return item_op_key(key)

    def subtotal(self) -> str:
        return self._helper(
            SUBTOTAL_ITEM,
            "subtotal",
            "subtotal",
            self._settings.subtotal_item_name,
            "Subtotal",
            taxable=False,
        )

    def discount(self, *, before_tax: bool) -> str:
        # A taxable discount item lowers the taxable amount (docs/web-connector.md §3.5).
        return self._helper(
            DISCOUNT_ITEM,
            "discount",
            "discount",
            self._settings.discount_item_name,
            "Discount",
            taxable=before_tax,
            income=self._discount_account,
        )

    def tax(self) -> str:
        # Tax is never itself taxed.
        return self._helper(
            TAX_ITEM,
            "tax",
            "other_charge",
            self._settings.tax_item_name,
            "Total Tax",
            taxable=False,
            income=self._tax_account,
        )

    def _helper(
        self,
        key: str,
        role: ItemRole,
        item_type: ItemType,
        name: str,
        fallback: str,
        *,
        taxable: bool,
        income: AccountRef | None = None,
    ) -> str:
        """The helper items (subtotal, discount, tax line): one each per plan, named from settings."""
        if key not in self._ops:
            self._add(
                key,
                role=role,
                item_type=item_type,
                text=clean_name(name) or fallback,
                sku=None,
                description=name,
                taxable=taxable,
                income=income,
                expense=None,
            )
        return item_op_key(key)

    def _note_expense(self, key: str, expense_account: AccountRef | None) -> None:
        # An item first met on the invoice may turn out to be bought as well (a later line of the
        # same product or charge kind is billed by a supplier): it then needs the expense account.
        op = self._ops[key]
        if op.expense_account is None and expense_account is not None:
            self._ops[key] = dataclasses.replace(op, expense_account=expense_account)

    def _add(
        self,
        key: str,
        *,
        role: ItemRole,
        item_type: ItemType,
        text: str,
        sku: str | None,
        description: str | None,
        taxable: bool,
        income: AccountRef | None,
        expense: AccountRef | None,
    ) -> None:
        owner = item_op_key(key)
        limit = self._limits.item_name
        mapped = self._mappings.items.get(key)
        existing: Existing | None = None
        if mapped is not None:
            existing = Existing(quickbooks_id=mapped.quickbooks_id, name=mapped.name, version=mapped.version)
            name = mapped.name or truncate_text(text, limit)
            self._registry.claim(name, owner, mapped.quickbooks_id)
        else:
            wanted = truncate_text(text, limit)
            holder = self._registry.holder(wanted)
            if holder is not None and holder.owner in (None, owner):
                # An item of this name exists in QuickBooks and belongs to no other ESP record: use it
                # instead of creating "Name (2)" next to it.
                existing = Existing(quickbooks_id=holder.quickbooks_id, name=holder.name)
                name = holder.name
                self._registry.claim(name, owner, holder.quickbooks_id)
            else:
                name = self._registry.unique_name(text, owner=owner, limit=limit, suffix=numbered_suffix)
        if existing is None and income is None and item_type != "subtotal":
            self._report_missing_income(name)
        self._ops[key] = ItemOp(
            key=owner,
            action="create" if existing is None else "link",
            existing=existing,
            esp_key=key,
            role=role,
            item_type=item_type,
            name=name,
            sku=sku,
            description=description,
            taxable=taxable,
            income_account=income,
            expense_account=expense,
        )

    def _report_missing_income(self, name: str) -> None:
        if self._income_problem_reported:
            return
        self._income_problem_reported = True
        self._problems.add(
            "choices.income_account",
            f"No income account is chosen, and QuickBooks needs one to create the item “{name}”: choose one "
            "in the dialog or in Settings → Accounts.",
        )
