"""What can go wrong when a person (or the JSON API) acts on a send job.

Each error is an `espqb.errors.EspqbError`: its HTTP status, its stable slug (the problem type) and
title are what the API answers; the detail is written for the person who pressed the button.
"""

from __future__ import annotations

from espqb.errors import EspqbError


class QueueError(EspqbError):
    status = 409
    slug = "job-conflict"
    title = "Conflict"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail: str = detail


class JobNotFound(QueueError):
    # Also raised for another company's job: its existence is not revealed.
    status = 404
    slug = "job-not-found"
    title = "Not found"


class IdempotencyKeyReused(QueueError):
    """The same Idempotency-Key came back with a different order, target or payload.

    Answered 409 with its own problem type: the key is bound to the first request's body, and silently
    returning the first job would hide that the second request was different. A changed order is sent
    again without the key (or with a new one), and then the latest send wins.
    """

    slug = "idempotency-key-reused"


class JobNotRetryable(QueueError):
    slug = "job-not-retryable"


class JobNotCancellable(QueueError):
    slug = "job-not-cancellable"


class JobAlreadyRunning(JobNotCancellable):
    slug = "job-already-running"


class ActiveJobExists(QueueError):
    """Retrying an old job while a newer send of the same order is still active."""

    slug = "job-already-active"


class EnqueueConflict(QueueError):
    """A send kept colliding with concurrent sends of the same order; the caller may simply retry."""

    status = 503
    slug = "enqueue-conflict"
    title = "Try again"
