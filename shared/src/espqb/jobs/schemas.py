"""A send job, in words a person understands."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from espqb.db.models import JobStatus, StepStatus
from espqb.jobs.links import QuickBooksLink

Target = Literal["qbo", "qbd"]
StepKind = Literal[
    "customer",
    "vendor",
    "item",
    "list_entry",
    "subtotal",
    "discount",
    "tax",
    "invoice",
    "payment",
    "purchase_order",
    "bill",
]


class StepOut(BaseModel):
    key: str = Field(description="The plan operation, e.g. `customer`, `item:A7102`, `invoice`, `bill:S1`")
    kind: StepKind = Field(description="What the step writes in QuickBooks")
    action: Literal["link", "create", "update"]
    status: StepStatus
    qb_id: str | None = Field(None, description="The QuickBooks id written (QBO Id, Desktop ListID/TxnID)")
    summary: str | None = Field(None, description="What was done, in words")
    error: str | None = Field(None, description="What went wrong, in words")
    link: QuickBooksLink | None = Field(
        None,
        description="Where to see what the step wrote: QuickBooks Online's page for the record; on Desktop "
        "the document's number and TxnID, or a list record's ListID",
    )
    updated_at: datetime


class JobOut(BaseModel):
    id: uuid.UUID
    order_number: str
    target: Target = Field(description="qbo: QuickBooks Online; qbd: QuickBooks Desktop")
    status: JobStatus
    status_label: str = Field(description="The status in words")
    attempts: int
    max_attempts: int
    last_error: str | None = None
    hold_reason: str | None = None
    warnings: list[str] = Field(
        default_factory=list,
        description="What a person should know: differences QuickBooks returned, documents voided or "
        "deleted in QuickBooks since, documents the settings left out",
    )
    flags: list[Literal["drift", "voided", "deleted"]] = Field(
        default_factory=list,
        description="drift: QuickBooks shows other figures than ESP planned; voided / deleted: a document "
        "this job wrote was voided or deleted in QuickBooks later (filter with GET /v1/jobs?flag=…)",
    )
    requested_by: str | None = None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    next_attempt_at: datetime | None = Field(None, description="When a queued retry runs")
    web_connector_last_poll: datetime | None = Field(
        None, description="Desktop: when the Web Connector last polled"
    )
    waiting: str | None = Field(
        None,
        description='While a Desktop job waits for the Web Connector, in words: "Waiting for the Web '
        'Connector (last seen 3 minutes ago)", or that it has not connected yet',
    )
    steps: list[StepOut] = Field(
        default_factory=list,
        description="Per record, what the send did; from the moment the job is queued, the steps planned then "
        "follow as `pending` (with what each will do) until the worker reaches them",
    )


class JobPage(BaseModel):
    items: list[JobOut]
    total: int = Field(description="How many jobs match the filters in all (for paging)")
    limit: int
    offset: int
