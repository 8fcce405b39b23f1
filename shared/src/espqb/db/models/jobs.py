"""Send jobs (one per "Send to QuickBooks" press) and their per-document steps."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from espqb.db.base import Base
from espqb.db.types import JSONType, UTCDateTime, utcnow


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    WAITING_FOR_WEB_CONNECTOR = "waiting_for_web_connector"
    HELD = "held"  # QBO connection needs re-authorisation: held, not failed; released on reconnect
    SUCCEEDED = "succeeded"
    PARTIALLY_SUCCEEDED = "partially_succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # A re-send of an order whose send is already under way: it starts when that one has finished
    # (the latest send wins, and two sends of one order never run at the same time).
    WAITING_FOR_PREVIOUS_SEND = "waiting_for_previous_send"


ACTIVE_JOB_STATUSES = (
    JobStatus.QUEUED,
    JobStatus.RUNNING,
    JobStatus.WAITING_FOR_WEB_CONNECTOR,
    JobStatus.HELD,
)
_ACTIVE_SQL = "status IN ('queued', 'running', 'waiting_for_web_connector', 'held')"
_FOLLOW_UP_SQL = "status = 'waiting_for_previous_send'"


class StepStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


class SendJob(Base):
    __tablename__ = "send_jobs"
    __table_args__ = (
        # At most one active job per (company, order, target): sending an order whose job is still
        # active returns that job instead of queueing a second one.
        Index(
            "uq_send_jobs_active_order",
            "company_id",
            "order_number",
            "target",
            unique=True,
            postgresql_where=text(_ACTIVE_SQL),
            sqlite_where=text(_ACTIVE_SQL),
        ),
        # At most one follow-up per order waits behind its active job; a later re-send replaces its body.
        Index(
            "uq_send_jobs_follow_up",
            "company_id",
            "order_number",
            "target",
            unique=True,
            postgresql_where=text(_FOLLOW_UP_SQL),
            sqlite_where=text(_FOLLOW_UP_SQL),
        ),
        UniqueConstraint("company_id", "idempotency_key"),
        # The claim query: ready jobs of one target, oldest first.
        Index("ix_send_jobs_claim", "target", "status", "run_after"),
        Index("ix_send_jobs_company_created", "company_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    order_number: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(8))  # "qbo" | "qbd"
    status: Mapped[str] = mapped_column(String(32), default=JobStatus.QUEUED)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the SendRequest, as received
    requested_by: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # What the send will do, planned when it was queued: [{"key", "kind", "action", "summary"}], shown
    # as pending steps until the worker records its own (espqb.sending.planned_steps).
    planned_steps: Mapped[list[dict[str, str]] | None] = mapped_column(JSONType, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobStep(Base):
    """One QuickBooks document (or list entry) a job writes: what, how, and what came of it."""

    __tablename__ = "job_steps"
    __table_args__ = (UniqueConstraint("job_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("send_jobs.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))  # the plan operation key, e.g. "invoice", "bill:S1"
    kind: Mapped[str] = mapped_column(String(24))  # customer / vendor / item / invoice / payment / bill / …
    action: Mapped[str] = mapped_column(String(16))  # link / create / update
    status: Mapped[str] = mapped_column(String(16), default=StepStatus.PENDING)
    qb_id: Mapped[str | None] = mapped_column(String(64))
    qb_version: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str | None] = mapped_column(Text)  # espqb.sending.wording's sentence
    error: Mapped[str | None] = mapped_column(Text)  # in plain words
    # A write that reached QuickBooks Online without an answer: the requestid (and batch item id)
    # it was sent with, so the next attempt repeats exactly that request and Intuit replays it
    # instead of writing twice (docs/quickbooks-online.md §2.8).
    request_id: Mapped[str | None] = mapped_column(String(64))
    batch_item_id: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class JobFlag(Base):
    """Something about a job a person must look at, that the jobs list filters on
    (``GET /v1/jobs?flag=…``): ``drift`` (QuickBooks shows other figures than ESP planned),
    ``voided`` / ``deleted`` (a document the job wrote was voided or deleted in QuickBooks later).
    The words for a person are in the job's ``warnings``; one row per job and flag."""

    __tablename__ = "job_flags"

    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("send_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    flag: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
