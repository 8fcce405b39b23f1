"""Small builders for orders and planner inputs used across the plan tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from espqb.orders import OrderSnapshot, SendChoices
from espqb.plan import KnownMappings, Plan, PlanSettings, QuickBooksCompany, Target, build_plan

# Accounts set, so a plan never fails for want of one unless a test removes them.
SETTINGS = PlanSettings.model_validate(
    {
        "default_accounts": {
            "ar": {"name": "Accounts Receivable"},
            "income": {"id": "79", "name": "Sales"},
            "ap": {"name": "Accounts Payable"},
            "cogs": {"id": "80", "name": "Cost of Goods Sold"},
        }
    }
)


def supplier(esp_id: str, name: str | None = None) -> dict[str, Any]:
    return {"esp_id": esp_id, "name": name or f"Supplier {esp_id}"}


def line(
    number: str,
    quantity: str | int,
    price: str,
    cost: str = "0",
    supplier_id: str = "S1",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "product_number": number,
        "product_name": extra.pop("product_name", f"Product {number}"),
        "quantity": str(quantity),
        "unit_price": price,
        "unit_cost": cost,
        "supplier_id": supplier_id,
        **extra,
    }


def order(
    lines: list[dict[str, Any]],
    total: str,
    *,
    suppliers: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> OrderSnapshot:
    data: dict[str, Any] = {
        "order_number": extra.pop("order_number", "5001"),
        "order_date": date(2024, 6, 3).isoformat(),
        "customer": extra.pop("customer", {"esp_id": "C1", "company_name": "Northwind Dental"}),
        "lines": lines,
        "suppliers": suppliers if suppliers is not None else [supplier("S1")],
        "total": total,
        **extra,
    }
    return OrderSnapshot.model_validate(data)


def plan(
    snapshot: OrderSnapshot,
    choices: SendChoices | dict[str, Any] | None = None,
    *,
    target: Target = "qbo",
    settings: PlanSettings = SETTINGS,
    mappings: KnownMappings | None = None,
    company: QuickBooksCompany | None = None,
) -> Plan:
    if not isinstance(choices, SendChoices):
        choices = SendChoices.model_validate(choices or {})
    return build_plan(snapshot, choices, settings, mappings or KnownMappings(), target, company)
