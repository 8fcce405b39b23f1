"""Mappings as the front end sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from espqb.db.models import MappingKind


class MappingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: MappingKind
    target: Literal["qbo", "qbd"] = Field(description="qbo: QuickBooks Online; qbd: QuickBooks Desktop")
    esp_key: str = Field(description="The ESP record: customer id, supplier id, product key, order number, …")
    order_number: str | None = None
    qb_id: str = Field(description="QBO Id, or Desktop ListID/TxnID")
    qb_version: str | None = Field(None, description="QBO SyncToken, or Desktop EditSequence")
    qb_name: str | None = None
    qb_ref_number: str | None = None
    origin: str = Field(
        description="created (by a send), linked (by a person), found (an existing record reused)"
    )
    qb_status: str | None = Field(None, description="What QuickBooks told us since: paid, voided, deleted")
    updated_at: datetime


class MappingPage(BaseModel):
    items: list[MappingOut]
    limit: int
    offset: int


class CustomerLinkBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"quickbooks_id": "58", "quickbooks_name": "Acme Corp"}]},
    )

    quickbooks_id: str = Field(min_length=1, max_length=64, description="QBO Customer Id or Desktop ListID")
    quickbooks_name: str | None = Field(None, max_length=200, description="As shown in QuickBooks")
