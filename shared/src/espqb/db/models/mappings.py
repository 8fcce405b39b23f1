"""ESP entity ↔ QuickBooks entity, with the version token QuickBooks needs to update it.

QBO: `qb_id` is the entity `Id`, `qb_version` its `SyncToken`.
QBD: `qb_id` is the `ListID`/`TxnID`, `qb_version` its `EditSequence`.
A customer linked in CRM or on the Customers tab is a mapping with `origin="linked"`.

One QuickBooks record belongs to at most one ESP record (per company, target and kind): two ESP
customers of the same name get two QuickBooks customers, never one shared record. The unique
constraint on ``qb_id`` is what makes that hold when two sends adopt or create at the same moment.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from espqb.db.base import Base
from espqb.db.types import UTCDateTime, utcnow


class MappingKind(enum.StrEnum):
    CUSTOMER = "customer"
    VENDOR = "vendor"
    ITEM = "item"
    INVOICE = "invoice"
    PAYMENT = "payment"
    BILL = "bill"
    PURCHASE_ORDER = "purchase_order"
    # The reference lists a document names, one kind per list because QuickBooks numbers each list
    # on its own (QBO's first Term and first Class are both Id 1); esp_key: the plan's ListEntryOp
    # key ("terms:net 30"). No migration: ``kind`` is a string column.
    TERMS = "terms"
    CLASS = "class"
    LOCATION = "location"
    SHIP_METHOD = "ship_method"
    SALES_REP = "sales_rep"
    CUSTOMER_MESSAGE = "customer_message"


class Mapping(Base):
    __tablename__ = "mappings"
    __table_args__ = (
        UniqueConstraint("company_id", "target", "kind", "esp_key"),
        UniqueConstraint("company_id", "target", "kind", "qb_id"),
        Index("ix_mappings_company_order", "company_id", "order_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(8))  # "qbo" | "qbd"
    kind: Mapped[str] = mapped_column(String(24))  # MappingKind
    # customer id / supplier id / product key / order number / "order#payment" / "order#supplier"
    esp_key: Mapped[str] = mapped_column(String(200))
    order_number: Mapped[str | None] = mapped_column(String(64))
    qb_id: Mapped[str] = mapped_column(String(64))
    qb_version: Mapped[str | None] = mapped_column(String(64))
    qb_name: Mapped[str | None] = mapped_column(String(200))
    qb_ref_number: Mapped[str | None] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(16), default="created")  # created | linked | found
    qb_status: Mapped[str | None] = mapped_column(String(24))  # e.g. paid / voided / deleted (webhooks)
    last_job_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
