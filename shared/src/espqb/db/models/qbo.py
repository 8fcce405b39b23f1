"""QuickBooks Online: the connection (tokens encrypted at rest), OAuth states, reminders sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from espqb.db.base import Base
from espqb.db.types import UTCDateTime, utcnow


class QboConnection(Base):
    __tablename__ = "qbo_connections"

    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    company_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(24), default="connected")  # connected | needs_reauth
    # Fernet ciphertexts (espqb.crypto); never the plain token.
    access_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    refresh_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # rolling, 100 days
    refresh_hard_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # Intuit's hard cap
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reauthorized_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_refresh_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OAuthState(Base):
    """A pending authorisation: short-lived, single use, bound to company and user.
    Only a hash of the state value is stored."""

    __tablename__ = "oauth_states"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    # Set when the admin confirmed connecting to a realm other than the one connected before.
    confirm_realm_change: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReauthReminder(Base):
    """One row per (company, deadline kind, deadline): the unique constraint is what makes a
    reminder fire once even when two reminder runs overlap."""

    __tablename__ = "reauth_reminders"
    __table_args__ = (UniqueConstraint("company_id", "deadline_kind", "deadline_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    deadline_kind: Mapped[str] = mapped_column(String(32))  # policy | refresh_rolling | refresh_hard
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
