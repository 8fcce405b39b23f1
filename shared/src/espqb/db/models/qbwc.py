"""QuickBooks Desktop through the Web Connector: credentials, sessions, and the list cache."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from espqb.db.base import Base
from espqb.db.types import JSONType, UTCDateTime, utcnow


class QbwcCredential(Base):
    """The company's Web Connector identity: user name, password hash, the pinned company file."""

    __tablename__ = "qbwc_credentials"

    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # Keyed hash (HMAC-SHA256 with a server pepper) of a long random password; never the password.
    password_hash: Mapped[str | None] = mapped_column(String(128))
    password_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    file_id: Mapped[str] = mapped_column(String(64))  # the .qwc FileID, stable for the company
    # Wrong passwords since the last good one (shown to admins; they never lock the user name out).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    # Pinned on the first session: later sessions from another company file are refused.
    pinned_company: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    qbxml_version: Mapped[str | None] = mapped_column(String(8))
    last_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_session_outcome: Mapped[str | None] = mapped_column(Text)
    last_connection_error: Mapped[str | None] = mapped_column(Text)
    cache_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QbwcSession(Base):
    """One Web Connector update session. The ticket itself is handed to the Web Connector; only its
    hash is stored. `state` holds the conversation (message sets handed out, awaiting answers)."""

    __tablename__ = "qbwc_sessions"
    __table_args__ = (Index("ix_qbwc_sessions_company_open", "company_id", "closed_at"),)

    ticket_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    last_error: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)


class QbdListEntry(Base):
    """A cached QuickBooks Desktop list record (account, customer, vendor, item, tax code, …),
    refreshed by the Web Connector sessions; the lookups answer from here."""

    __tablename__ = "qbd_list_cache"
    __table_args__ = (
        UniqueConstraint("company_id", "list_type", "list_id"),
        Index("ix_qbd_list_cache_name", "company_id", "list_type", "full_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    list_type: Mapped[str] = mapped_column(String(32))  # Account, Customer, Vendor, ItemService, …
    list_id: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(300))
    edit_sequence: Mapped[str | None] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(default=True)
    subtype: Mapped[str | None] = mapped_column(String(64))  # e.g. AccountType
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    time_modified: Mapped[datetime | None] = mapped_column(UTCDateTime)
