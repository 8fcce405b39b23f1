"""The words a person sees for job and step statuses (the ESP front end shows these as they are)."""

from __future__ import annotations

from collections.abc import Mapping

from espqb.db.models.jobs import JobStatus, StepStatus

STATUS_LABELS: Mapping[JobStatus, str] = {
    JobStatus.QUEUED: "Queued",
    JobStatus.RUNNING: "Sending to QuickBooks",
    JobStatus.WAITING_FOR_WEB_CONNECTOR: "Waiting for Web Connector",
    JobStatus.HELD: "On hold: QuickBooks Online needs re-authorisation",
    JobStatus.SUCCEEDED: "Sent to QuickBooks",
    JobStatus.PARTIALLY_SUCCEEDED: "Partly sent: some documents could not be written",
    JobStatus.FAILED: "Failed",
    JobStatus.CANCELLED: "Cancelled",
    JobStatus.WAITING_FOR_PREVIOUS_SEND: "Waiting for the order's earlier send to finish",
}

STEP_STATUS_LABELS: Mapping[StepStatus, str] = {
    StepStatus.PENDING: "Not sent yet",
    StepStatus.SUCCEEDED: "Done",
    StepStatus.FAILED: "Failed",
    StepStatus.SKIPPED: "Skipped",
}


def status_label(status: str) -> str:
    """The label of a job status; an unknown value is shown as it is rather than hidden."""
    try:
        return STATUS_LABELS[JobStatus(status)]
    except ValueError:
        return status


def step_status_label(status: str) -> str:
    try:
        return STEP_STATUS_LABELS[StepStatus(status)]
    except ValueError:
        return status
