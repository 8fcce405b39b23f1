"""The pure rules: how long a retry waits, and where a job goes after each kind of outcome."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from espqb.db.models import JobStatus, StepStatus
from espqb.queue import STATUS_LABELS, STEP_STATUS_LABELS, BackoffPolicy, JobOutcome, status_label
from espqb.queue.transitions import after_attempt

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_backoff_ceiling_doubles_per_attempt_and_stops_at_the_cap() -> None:
    policy = BackoffPolicy(base_seconds=2, max_seconds=60)
    ceilings = [policy.ceiling(attempt) for attempt in range(1, 9)]
    assert ceilings == [2, 4, 8, 16, 32, 60, 60, 60]
    assert policy.ceiling(10_000) == 60  # no overflow for absurd attempt counts


def test_backoff_delay_is_jittered_between_zero_and_the_ceiling() -> None:
    rng = random.Random(7)
    policy = BackoffPolicy(base_seconds=2, max_seconds=900, jitter=rng.random)
    delays = [policy.delay(5).total_seconds() for _ in range(200)]
    assert all(0 <= delay <= 32 for delay in delays)
    # Full jitter spreads the retries out instead of bunching them at the ceiling.
    assert min(delays) < 8 and max(delays) > 24


def test_retryable_failure_requeues_with_backoff_until_the_last_attempt() -> None:
    policy = BackoffPolicy(base_seconds=2, max_seconds=900, jitter=lambda: 1.0)
    transition = after_attempt(
        attempt=3,
        max_attempts=5,
        outcome=JobOutcome.retry("QuickBooks is busy"),
        now=NOW,
        backoff=policy,
        target="qbo",
    )
    assert transition.status is JobStatus.QUEUED
    assert transition.run_after == NOW + timedelta(seconds=8)
    assert transition.finished_at is None
    assert transition.last_error == "QuickBooks is busy"
    assert "Attempt 3 of 5 failed" in transition.audit_message


def test_retryable_failure_on_the_last_attempt_fails_for_good_and_keeps_the_error() -> None:
    policy = BackoffPolicy(base_seconds=2, max_seconds=900)
    transition = after_attempt(
        attempt=5,
        max_attempts=5,
        outcome=JobOutcome.retry("QuickBooks is busy"),
        now=NOW,
        backoff=policy,
        target="qbo",
    )
    assert transition.status is JobStatus.FAILED
    assert transition.finished_at == NOW
    assert transition.last_error == "QuickBooks is busy"
    assert transition.audit_message.startswith("Gave up after 5 attempts")


def test_retry_after_from_the_handler_overrides_the_backoff() -> None:
    policy = BackoffPolicy(base_seconds=2, max_seconds=900, jitter=lambda: 1.0)
    outcome = JobOutcome.retry("Throttled by QuickBooks Online", after=timedelta(seconds=60))
    transition = after_attempt(
        attempt=1, max_attempts=8, outcome=outcome, now=NOW, backoff=policy, target="qbo"
    )
    assert transition.run_after == NOW + timedelta(seconds=60)


def test_a_desktop_retry_waits_for_the_next_web_connector_session() -> None:
    outcome = JobOutcome.retry("The company file was in use", after=timedelta(0))
    transition = after_attempt(
        attempt=1, max_attempts=8, outcome=outcome, now=NOW, backoff=BackoffPolicy(2, 900), target="qbd"
    )
    assert transition.status is JobStatus.WAITING_FOR_WEB_CONNECTOR
    assert transition.run_after == NOW
    assert transition.audit_message.endswith("Trying again in 0 seconds.")


@pytest.mark.parametrize(
    ("outcome", "status", "finished"),
    [
        (JobOutcome.succeeded("Invoice 1042 created"), JobStatus.SUCCEEDED, True),
        (JobOutcome.partially_succeeded("The bill for S1 was refused"), JobStatus.PARTIALLY_SUCCEEDED, True),
        (JobOutcome.failed("The customer name is already used by a vendor"), JobStatus.FAILED, True),
        (JobOutcome.hold("QuickBooks Online needs re-authorisation"), JobStatus.HELD, False),
    ],
)
def test_final_and_held_outcomes(outcome: JobOutcome, status: JobStatus, finished: bool) -> None:
    transition = after_attempt(
        attempt=1, max_attempts=8, outcome=outcome, now=NOW, backoff=BackoffPolicy(2, 900), target="qbo"
    )
    assert transition.status is status
    assert (transition.finished_at == NOW) is finished
    assert transition.run_after is None


def test_every_status_has_a_plain_label() -> None:
    assert set(STATUS_LABELS) == set(JobStatus)
    assert set(STEP_STATUS_LABELS) == set(StepStatus)
    assert status_label("waiting_for_web_connector") == "Waiting for Web Connector"
    assert status_label("held") == "On hold: QuickBooks Online needs re-authorisation"
    assert status_label("something_new") == "something_new"
