"""One attempt's step results → the job's outcome (succeeded, partially succeeded, failed)."""

from __future__ import annotations

from collections.abc import Iterable

from espqb.db.models import StepStatus
from espqb.queue import JobOutcome
from espqb.sending.recording import DOCUMENT_KINDS
from qbo_gateway.sender.results import StepResult

__all__ = ["job_outcome"]


def job_outcome(results: Iterable[StepResult], notes: Iterable[str] = ()) -> JobOutcome:
    steps = list(results)
    warnings = tuple(dict.fromkeys([*notes, *(w for step in steps for w in step.warnings)]))
    failed = [s for s in steps if s.status in (StepStatus.FAILED, StepStatus.SKIPPED)]
    written = [s for s in steps if s.succeeded and s.kind in DOCUMENT_KINDS]
    summary = _summary(written)
    if not failed:
        return JobOutcome.succeeded(summary, warnings)
    error = "; ".join(f"{s.error}" for s in failed if s.error) or "Some documents were not written."
    if any(s.succeeded and (s.wrote or s.kind in DOCUMENT_KINDS) for s in steps):
        return JobOutcome.partially_succeeded(error, summary=summary, warnings=warnings)
    return JobOutcome.failed(error)


def _summary(written: list[StepResult]) -> str:
    if not written:
        return "Everything was already in QuickBooks Online."
    names = {"invoice": "invoice", "payment": "payment", "purchase_order": "purchase order", "bill": "bill"}
    counts: dict[str, int] = {}
    for step in written:
        counts[step.kind] = counts.get(step.kind, 0) + 1
    parts = [f"{n} {names[k]}s" if n > 1 else f"the {names[k]}" for k, n in counts.items()]
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"Sent to QuickBooks Online: {listed}."
