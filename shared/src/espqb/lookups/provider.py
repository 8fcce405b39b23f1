"""The seam each gateway implements to answer lookups."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from espqb.db import Database

LookupKind = Literal[
    "customers",
    "vendors",
    "accounts",
    "tax-codes",
    "items",
    "terms",
    "classes",
    "locations",
    "ship-methods",
    "sales-reps",
    "customer-messages",
]


class LookupItem(BaseModel):
    id: str = Field(description="QBO Id or Desktop ListID")
    name: str = Field(description="Full name as shown in QuickBooks")
    type: str | None = Field(
        None,
        description="The same words on both products: accounts, the account type as QuickBooks Online says it "
        "(Income, Cost of Goods Sold…); items, the item's kind (NonInventory, Service, OtherCharge, Discount…); "
        "tax codes, Code (or on Desktop SalesTax / SalesTaxGroup for US sales tax items); otherwise null",
    )
    active: bool = True
    details: dict[str, Any] = Field(
        default_factory=dict,
        description="The same keys on both products, when QuickBooks has a value: customers and vendors "
        "company_name, email, phone; accounts number, sub_type (Online), special (Desktop); items sku, "
        "description; tax codes taxable, description and their rates (sales_rates, purchase_rates, "
        "sales_percent, purchase_percent); terms due_days; sales reps description (the person)",
    )


class LookupPage(BaseModel):
    kind: LookupKind
    items: list[LookupItem]
    source: Literal["quickbooks_online", "web_connector_cache", "company_lists"] = Field(
        description="quickbooks_online: asked just now (or within a minute); web_connector_cache: the lists "
        "the Web Connector last read; company_lists: the reference lists kept with the QuickBooks company "
        "(terms, classes, locations, ship methods, sales reps, customer messages), as last read"
    )
    refreshed_at: datetime | None = Field(None, description="When this data was last read from QuickBooks")
    limit: int
    offset: int


class LookupProvider(Protocol):
    """Answers one lookup. It gets the database, not an open transaction: a provider that calls
    QuickBooks must not hold a transaction (and, on SQLite, the write lock) while it waits."""

    async def lookup(
        self,
        db: Database,
        company_id: str,
        kind: LookupKind,
        *,
        q: str | None,
        type_filter: str | None,
        limit: int,
        offset: int,
    ) -> LookupPage: ...


class RecordFinder(Protocol):
    """Finds one QuickBooks record by its id, so a link to it can be checked before it is kept.

    ``None``: QuickBooks has no such record. A provider that cannot tell (QuickBooks out of reach,
    Desktop lists never read) raises an ``ApiError`` saying what to do. Like ``LookupProvider`` it
    gets the database, not an open transaction."""

    async def find(
        self, db: Database, company_id: str, kind: LookupKind, qb_id: str
    ) -> LookupItem | None: ...
