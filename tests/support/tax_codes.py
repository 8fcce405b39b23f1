"""A company's tax code for tests: one rate per percentage, sales and purchase lists alike unless told."""

from __future__ import annotations

from decimal import Decimal

from espqb.plan import TaxCode, TaxRate


def code(code_id: str, name: str, *sales: str, purchase: tuple[str, ...] | None = None) -> TaxCode:
    buy = sales if purchase is None else purchase
    return TaxCode(
        id=code_id,
        name=name,
        sales_rates=tuple(
            TaxRate(id=f"s{code_id}{i}", name=f"{name} {i}", percent=Decimal(p)) for i, p in enumerate(sales)
        ),
        purchase_rates=tuple(
            TaxRate(id=f"p{code_id}{i}", name=f"{name} {i}", percent=Decimal(p)) for i, p in enumerate(buy)
        ),
    )
