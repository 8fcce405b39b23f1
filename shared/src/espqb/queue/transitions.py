"""The pure rule for where a job goes after an attempt: no I/O, so every branch is unit-tested."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from espqb.db.models.jobs import JobStatus
from espqb.queue.backoff import BackoffPolicy
from espqb.queue.types import JobOutcome, OutcomeKind


@dataclass(frozen=True)
class Transition:
    status: JobStatus
    run_after: datetime | None  # set when the job goes back to the queue
    finished_at: datetime | None  # set when the job reaches a final status
    last_error: str | None
    hold_reason: str | None
    warnings: list[str] | None  # None: leave the job's warnings as they are
    audit_event: str
    audit_message: str


def after_attempt(
    *, attempt: int, max_attempts: int, outcome: JobOutcome, now: datetime, backoff: BackoffPolicy
) -> Transition:
    """Where a job goes after attempt number `attempt` (1-based) ended with `outcome`."""
    kind = outcome.kind
    if kind is OutcomeKind.SUCCEEDED:
        return Transition(
            JobStatus.SUCCEEDED,
            None,
            now,
            None,
            None,
            list(outcome.warnings),
            "job.succeeded",
            outcome.summary or "Sent to QuickBooks",
        )
    if kind is OutcomeKind.PARTIALLY_SUCCEEDED:
        return Transition(
            JobStatus.PARTIALLY_SUCCEEDED,
            None,
            now,
            outcome.error,
            None,
            list(outcome.warnings),
            "job.partially_succeeded",
            outcome.error or "Some documents could not be written",
        )
    if kind is OutcomeKind.HOLD:
        return Transition(
            JobStatus.HELD, None, None, None, outcome.error, None, "job.held", outcome.error or "On hold"
        )
    if kind is OutcomeKind.FAILED:
        return Transition(
            JobStatus.FAILED, None, now, outcome.error, None, None, "job.failed", outcome.error or "Failed"
        )
    # Retryable: back to the queue with a backoff, until the attempts are used up; the terminal
    # failure keeps the payload untouched and the last error, so a person can read it and retry.
    if attempt >= max_attempts:
        return Transition(
            JobStatus.FAILED,
            None,
            now,
            outcome.error,
            None,
            None,
            "job.failed",
            f"Gave up after {attempt} attempts: {outcome.error}",
        )
    delay = outcome.retry_in if outcome.retry_in is not None else backoff.delay(attempt)
    delay = max(delay, timedelta(0))
    return Transition(
        JobStatus.QUEUED,
        now + delay,
        None,
        outcome.error,
        None,
        None,
        "job.retry_scheduled",
        f"Attempt {attempt} of {max_attempts} failed: {outcome.error}. "
        f"Trying again in {_plain_duration(delay)}.",
    )


def _plain_duration(delay: timedelta) -> str:
    seconds = round(delay.total_seconds())
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
