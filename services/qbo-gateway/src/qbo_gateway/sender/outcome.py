"""One attempt's step results → the job's outcome (succeeded, partially succeeded, failed), its
summary worded by ``espqb.sending.wording.sent``."""

from __future__ import annotations

from collections.abc import Iterable

from espqb.db.models import StepStatus
from espqb.plan import Plan
from espqb.queue import JobOutcome
from espqb.sending.recording import DOCUMENT_KINDS
from espqb.sending.wording import QUICKBOOKS_ONLINE, sent
from qbo_gateway.sender.results import StepResult

__all__ = ["job_outcome"]


def job_outcome(results: Iterable[StepResult], plan: Plan) -> JobOutcome:
    """``plan``: the plan the attempt ran (its notes become warnings, its operations name the
    documents written)."""
    steps = list(results)
    warnings = tuple(dict.fromkeys([*plan.notes, *(w for step in steps for w in step.warnings)]))
    failed = [s for s in steps if s.status in (StepStatus.FAILED, StepStatus.SKIPPED)]
    written = [plan.operation(s.key) for s in steps if s.succeeded and s.kind in DOCUMENT_KINDS]
    summary = sent(QUICKBOOKS_ONLINE, written)
    if not failed:
        return JobOutcome.succeeded(summary, warnings)
    error = "; ".join(f"{s.error}" for s in failed if s.error) or "Some documents were not written."
    if any(s.succeeded and (s.wrote or s.kind in DOCUMENT_KINDS) for s in steps):
        return JobOutcome.partially_succeeded(error, summary=summary, warnings=warnings)
    return JobOutcome.failed(error)
