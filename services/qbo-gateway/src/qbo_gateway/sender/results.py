"""What came of each plan operation in one send attempt (``StepResult``), and the errors that end an
attempt early (``AttemptInterrupted``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from espqb.db.models import StepStatus
from espqb.errors import EspqbError
from espqb.sending.recording import Origin, Settled

__all__ = ["AttemptInterrupted", "StepResult"]


@dataclass
class StepResult:
    key: str  # the plan operation key, e.g. "invoice", "bill:S1"
    kind: str  # customer / vendor / item / invoice / payment / purchase_order / bill
    action: str  # what was done: link / create / update
    status: StepStatus
    qb_id: str | None = None
    qb_version: str | None = None
    qb_name: str | None = None
    ref_number: str | None = None
    origin: Origin = "created"  # the mapping's origin
    summary: str | None = None
    error: str | None = None
    # Set on a write that got no answer: repeated as the same request on the next attempt.
    in_doubt: tuple[str, str | None] | None = None
    warnings: list[str] = field(default_factory=list)
    # QuickBooks' figure next to the planned one when they differ (``verify.figure_drift``).
    drift: str | None = None
    entity: dict[str, Any] | None = None  # what QuickBooks answered (not stored)
    wrote: bool = False  # a create or update reached QuickBooks
    persist_mapping: bool = True  # False when the mapping already says exactly this
    # False for steps an earlier attempt already recorded (their mapping is saved too).
    persist_step: bool = True

    @property
    def succeeded(self) -> bool:
        return self.status is StepStatus.SUCCEEDED

    @property
    def settled(self) -> Settled | None:
        """Where the record lives in QuickBooks Online, for a step that succeeded (None otherwise)."""
        if not self.succeeded:
            return None
        assert self.qb_id is not None  # a succeeded step always names its record
        return Settled(self.qb_id, self.qb_version, self.qb_name, self.ref_number, self.origin)


class AttemptInterrupted(EspqbError):
    """This attempt stops; what it finished is already saved and the next attempt continues (the
    queue's control flow, never answered over HTTP: the job is retried or held)."""

    status, slug, title = 503, "send-attempt-interrupted", "The send stopped; it goes on later"

    def __init__(self, message: str, *, hold: bool = False, retry_in: timedelta | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hold = hold  # the connection needs an admin: hold the job instead of retrying it
        self.retry_in = retry_in
