"""Intuit's change notices as they arrived at ``POST /v1/qbo/webhooks``: stored in the request's own
transaction before Intuit gets its 200, then applied (``qbo_gateway.webhooks.notices``) by the process
that received them, or — when that process died first — by the scheduler's drain on any other."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from espqb.db.base import Base
from espqb.db.types import JSONType, UTCDateTime, utcnow


class QboWebhookNotice(Base):
    __tablename__ = "qbo_webhook_notices"
    __table_args__ = (Index("ix_qbo_webhook_notices_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    company_id: Mapped[str] = mapped_column(String(64), index=True)
    realm_id: Mapped[str] = mapped_column(String(64))
    # {"entity": "Invoice", "entity_id": "130", "operation": "Void", "occurred_at": "…" | null}
    notice: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | processed | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the drain may take it: a while after it arrived (the receiving process applies it first),
    # past an attempt's claim, or after a failed attempt's backoff.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
