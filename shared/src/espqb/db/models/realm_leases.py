"""Which queue worker owns a QuickBooks Online realm right now (PostgreSQL; see
``espqb.queue.group_leases``): one worker process at a time sends to a realm, so its in-process rate
limiter sees every request of that realm and Intuit's per-realm limits hold across any number of
workers and machines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from espqb.db.base import Base
from espqb.db.types import UTCDateTime, utcnow


class QboRealmLease(Base):
    __tablename__ = "qbo_realm_leases"
    __table_args__ = (Index("ix_qbo_realm_leases_owner", "owner"),)

    realm_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))  # the worker id, as in send_jobs.lease_owner
    # Until then no other worker may take the realm: kept a rate window (61 s) past the owner's last
    # job of the realm, so the requests it made still count when another worker takes over.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
