"""A send job as GET /v1/jobs/{id} returns it, parsed into a typed record at the edge."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["TAX_ITEM_STEP", "JobStep", "JobView", "parse_job", "tax_item_ids"]

TAX_ITEM_STEP = "item:special:tax"  # "Add Total Tax as an Item" (espqb.plan.items.TAX_ITEM)


@dataclass(frozen=True, slots=True)
class JobStep:
    key: str  # customer, vendor:S1, item:S1/A7102, invoice, payment:P1, bill:S1, purchase_order:S1
    kind: str
    action: str
    status: str
    qb_id: str | None
    summary: str | None
    error: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class JobView:
    id: str
    order_number: str
    target: str
    status: str
    status_label: str
    attempts: int
    created_at: datetime
    finished_at: datetime | None
    last_error: str | None
    warnings: tuple[str, ...]
    steps: tuple[JobStep, ...]

    def qb_id(self, key: str) -> str | None:
        return next((s.qb_id for s in self.steps if s.key == key and s.status == "succeeded"), None)


def _when(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def parse_job(data: Mapping[str, Any]) -> JobView:
    steps = tuple(
        JobStep(
            key=str(s["key"]),
            kind=str(s["kind"]),
            action=str(s["action"]),
            status=str(s["status"]),
            qb_id=s.get("qb_id"),
            summary=s.get("summary"),
            error=s.get("error"),
            at=_when(s["updated_at"]),
        )
        for s in data.get("steps", [])
    )
    return JobView(
        id=str(data["id"]),
        order_number=str(data["order_number"]),
        target=str(data["target"]),
        status=str(data["status"]),
        status_label=str(data.get("status_label", data["status"])),
        attempts=int(data.get("attempts", 0)),
        created_at=_when(data["created_at"]),
        finished_at=_when(data["finished_at"]) if data.get("finished_at") else None,
        last_error=data.get("last_error"),
        warnings=tuple(str(w) for w in data.get("warnings", [])),
        steps=tuple(sorted(steps, key=lambda s: s.at)),
    )


def tax_item_ids(jobs: Iterable[JobView]) -> set[str]:
    return {step.qb_id for job in jobs for step in job.steps if step.key == TAX_ITEM_STEP and step.qb_id}
