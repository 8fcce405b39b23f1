"""What can go wrong when a person (or the JSON API) acts on a send job.

Each error carries the HTTP status and a stable machine code the API layer renders; the message is
written for the person who pressed the button.
"""

from __future__ import annotations


class QueueError(Exception):
    status_code: int = 409
    code: str = "job_conflict"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobNotFound(QueueError):
    # Also raised for another company's job: its existence is not revealed.
    status_code = 404
    code = "job_not_found"


class IdempotencyKeyReused(QueueError):
    """The same Idempotency-Key came back with a different order, target or payload.

    Answered 409 with its own problem type: the key is bound to the first request's body, and silently
    returning the first job would hide that the second request was different. A changed order is sent
    again without the key (or with a new one), and then the latest send wins.
    """

    status_code = 409
    code = "idempotency_key_reused"


class JobNotRetryable(QueueError):
    code = "job_not_retryable"


class JobNotCancellable(QueueError):
    code = "job_not_cancellable"


class JobAlreadyRunning(JobNotCancellable):
    code = "job_already_running"


class ActiveJobExists(QueueError):
    """Retrying an old job while a newer send of the same order is still active."""

    code = "job_already_active"


class EnqueueConflict(QueueError):
    """A send kept colliding with concurrent sends of the same order; the caller may simply retry."""

    status_code = 503
    code = "enqueue_conflict"
