"""The values that cross the queue's boundary: what a handler gets (`ClaimedJob`), what it returns
(`JobOutcome`) and what enqueueing answers (`EnqueueResult`)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from espqb.db.models.jobs import SendJob


class OutcomeKind(enum.StrEnum):
    SUCCEEDED = "succeeded"
    PARTIALLY_SUCCEEDED = "partially_succeeded"
    FAILED = "failed"  # permanent: trying again would fail the same way
    RETRY = "retry"  # transient: try again after a backoff, until max_attempts
    HOLD = "hold"  # QuickBooks Online needs re-authorisation: held, not failed


@dataclass(frozen=True)
class JobOutcome:
    """What a handler says came of one attempt. Build it with the class methods."""

    kind: OutcomeKind
    error: str | None = None  # in plain words, shown to the user as the job's last error
    summary: str | None = None
    warnings: tuple[str, ...] = ()
    retry_in: timedelta | None = None  # overrides the backoff, e.g. a 429's Retry-After

    @classmethod
    def succeeded(cls, summary: str | None = None, warnings: tuple[str, ...] = ()) -> JobOutcome:
        return cls(OutcomeKind.SUCCEEDED, summary=summary, warnings=tuple(warnings))

    @classmethod
    def partially_succeeded(
        cls, error: str, *, summary: str | None = None, warnings: tuple[str, ...] = ()
    ) -> JobOutcome:
        return cls(OutcomeKind.PARTIALLY_SUCCEEDED, error=error, summary=summary, warnings=tuple(warnings))

    @classmethod
    def failed(cls, error: str) -> JobOutcome:
        return cls(OutcomeKind.FAILED, error=error)

    @classmethod
    def retry(cls, error: str, *, after: timedelta | None = None) -> JobOutcome:
        return cls(OutcomeKind.RETRY, error=error, retry_in=after)

    @classmethod
    def hold(cls, reason: str) -> JobOutcome:
        return cls(OutcomeKind.HOLD, error=reason)


@dataclass(frozen=True)
class ClaimedJob:
    """A job a worker holds the lease of. `attempt` (1 for the first try) also fences the lease: a
    completion or heartbeat for an older attempt of the same job is refused."""

    id: uuid.UUID
    company_id: str
    order_number: str
    target: str
    payload: dict[str, Any]
    requested_by: str | None
    attempt: int
    max_attempts: int
    worker_id: str
    lease_expires_at: datetime
    enqueued_at: datetime | None = None  # when the send was queued: the send-latency metric's start


# What a send came to: a new job; the job that had not started took the new body; a follow-up waits
# behind the job under way; or nothing changed (the same request again, or the same body).
Disposition = Literal["queued", "replaced_queued", "follow_up_queued", "unchanged"]


@dataclass(frozen=True)
class EnqueueResult:
    job: SendJob
    created: bool  # False: an earlier request with the same key, or the same body as the standing send
    disposition: Disposition = "queued"
