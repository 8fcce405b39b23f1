"""Companies (ESP distributors), their QuickBooks integration, and the integration's settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from espqb.db.base import Base
from espqb.db.types import JSONType, UTCDateTime, utcnow


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # ESP's company id (the JWT claim)
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Integration(Base):
    """Which QuickBooks product a company installed (Admin → Integrations → Install/Uninstall)."""

    __tablename__ = "integrations"

    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    product: Mapped[str] = mapped_column(String(8))  # "qbo" | "qbd"
    status: Mapped[str] = mapped_column(String(16))  # "installed" | "uninstalled"
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    installed_by: Mapped[str | None] = mapped_column(String(64))
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The QuickBooks company at the other end as last read: edition, currencies, tax codes
    # (espqb.plan.company.QuickBooksCompany as JSON); None until a gateway has read it.
    quickbooks_company: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class IntegrationSettings(Base):
    """The three settings tabs: Details, Accounts (Customers are links, kept in `mappings`)."""

    __tablename__ = "integration_settings"

    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    # Details tab
    who_may_send: Mapped[str] = mapped_column(String(16), default="everyone")  # "everyone" | "selected"
    allowed_teams: Mapped[list[str]] = mapped_column(JSONType, default=list)
    allowed_users: Mapped[list[str]] = mapped_column(JSONType, default=list)
    allow_invoices: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_bills: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_purchase_orders: Mapped[bool] = mapped_column(Boolean, default=True)
    set_customers_billable: Mapped[bool] = mapped_column(Boolean, default=False)
    item_name_source: Mapped[str] = mapped_column(String(16), default="product_number")
    # Accounts tab: {"ar": {"id": …, "name": …}, "income": …, "ap": …, "cogs": …}
    default_accounts: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Tax default: {"option": "item" | "quickbooks_default" | "code", "code": …}
    tax_default: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Items used for extra charges, per kind (setup, run, shipping, other).
    charge_items: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # What documents carry when the order does not say: {"terms", "vendor_terms", "class_name",
    # "location", "create_list_entries"} (espqb.plan.inputs.DocumentDefaults).
    document_defaults: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=dict)
    # Who hears about re-authorisation deadlines and failures (besides ESP's webhook).
    notify_emails: Mapped[list[str]] = mapped_column(JSONType, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))
