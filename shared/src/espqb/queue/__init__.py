"""The durable send-job queue shared by both gateways.

Enqueue inside the request's transaction (`enqueue_send`); a `Worker` claims ready jobs under a
lease, runs the gateway's handler and records the `JobOutcome`; people act on jobs with `retry` and
`cancel`; a QBO connection that needs re-authorisation holds its jobs (`hold_jobs` /
`release_held`). Where a job goes and what each move writes (columns, audit entry, follow-up
sends) has one home, `espqb.queue.transitions`, which the Web Connector road uses too. Values such
as the lease, the attempts and the backoff come from the caller (a process passes its `Settings`;
the defaults are `espqb.config`'s). Session-taking functions only flush: the caller owns the
transaction.
"""

from espqb.queue.backoff import BackoffPolicy
from espqb.queue.clock import Clock, utcnow
from espqb.queue.enqueue import ENQUEUE_STATUSES, enqueue_send
from espqb.queue.errors import (
    ActiveJobExists,
    EnqueueConflict,
    IdempotencyKeyReused,
    JobAlreadyRunning,
    JobNotCancellable,
    JobNotFound,
    JobNotRetryable,
    QueueError,
)
from espqb.queue.holds import DEFAULT_HOLD_REASON, hold_jobs, release_held
from espqb.queue.labels import STATUS_LABELS, STEP_STATUS_LABELS, status_label, step_status_label
from espqb.queue.leases import claim, complete, complete_many, heartbeat, heartbeat_many, rescue_expired
from espqb.queue.notify import JOBS_CHANNEL, notify_jobs_ready
from espqb.queue.retry_cancel import CANCELLABLE_STATUSES, RETRYABLE_STATUSES, cancel, retry
from espqb.queue.steps import record_step
from espqb.queue.transitions import ready_status
from espqb.queue.types import ClaimedJob, EnqueueResult, JobOutcome, OutcomeKind
from espqb.queue.wakeup import JobWaker
from espqb.queue.worker import Handler, Worker

__all__ = [
    "CANCELLABLE_STATUSES",
    "DEFAULT_HOLD_REASON",
    "ENQUEUE_STATUSES",
    "JOBS_CHANNEL",
    "RETRYABLE_STATUSES",
    "STATUS_LABELS",
    "STEP_STATUS_LABELS",
    "ActiveJobExists",
    "BackoffPolicy",
    "ClaimedJob",
    "Clock",
    "EnqueueConflict",
    "EnqueueResult",
    "Handler",
    "IdempotencyKeyReused",
    "JobAlreadyRunning",
    "JobNotCancellable",
    "JobNotFound",
    "JobNotRetryable",
    "JobOutcome",
    "JobWaker",
    "OutcomeKind",
    "QueueError",
    "Worker",
    "cancel",
    "claim",
    "complete",
    "complete_many",
    "enqueue_send",
    "heartbeat",
    "heartbeat_many",
    "hold_jobs",
    "notify_jobs_ready",
    "ready_status",
    "record_step",
    "release_held",
    "rescue_expired",
    "retry",
    "status_label",
    "step_status_label",
    "utcnow",
]
