"""Has this order already been sent to this QuickBooks? The question a backfill asks of every order
before queueing it, so that running the same file twice writes nothing twice.

"Already sent" means QuickBooks holds one of the order's documents (an invoice, bill or purchase
order mapping — whoever sent it: the "QB" button, an earlier backfill — that QuickBooks has not
reported deleted or voided) or a send of it succeeded; "already queued" means a send of it is still active (queued, running, waiting for the
Web Connector, held).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStatus, Mapping, MappingKind, SendJob
from espqb.mappings.plan_bridge import GONE_STATUSES
from espqb.queue.job_lookup import is_active

__all__ = ["DOCUMENT_KINDS", "PreviousSend", "SendState", "previous_send"]

DOCUMENT_KINDS = (MappingKind.INVOICE, MappingKind.BILL, MappingKind.PURCHASE_ORDER)
_DONE_STATUSES = (JobStatus.SUCCEEDED, JobStatus.PARTIALLY_SUCCEEDED)
_DOCUMENT_NAMES = {
    MappingKind.INVOICE: "invoice",
    MappingKind.BILL: "bill",
    MappingKind.PURCHASE_ORDER: "purchase order",
}


class SendState(enum.StrEnum):
    SENT = "sent"
    QUEUED = "queued"


@dataclass(frozen=True, slots=True)
class PreviousSend:
    state: SendState
    detail: str  # in words, for the report: "invoice 1042 is in QuickBooks", "send … is queued"
    job_id: uuid.UUID | None = None


async def previous_send(
    session: AsyncSession, company_id: str, target: str, order_number: str
) -> PreviousSend | None:
    active = (
        await session.execute(
            select(SendJob.id, SendJob.status).where(
                SendJob.company_id == company_id,
                SendJob.order_number == order_number,
                SendJob.target == target,
                is_active(),
            )
        )
    ).first()
    if active is not None:
        return PreviousSend(SendState.QUEUED, f"send {active.id} is {active.status}", active.id)
    documents = (
        await session.execute(
            select(Mapping.kind, Mapping.qb_ref_number, Mapping.qb_id)
            .where(
                Mapping.company_id == company_id,
                Mapping.order_number == order_number,
                Mapping.target == target,
                Mapping.kind.in_(list(DOCUMENT_KINDS)),
                # A document QuickBooks reported deleted or voided is no longer there.
                or_(Mapping.qb_status.is_(None), Mapping.qb_status.not_in(sorted(GONE_STATUSES))),
            )
            .order_by(Mapping.kind, Mapping.esp_key)
        )
    ).all()
    if documents:
        names = ", ".join(
            f"{_DOCUMENT_NAMES[MappingKind(row.kind)]} {row.qb_ref_number or row.qb_id}" for row in documents
        )
        return PreviousSend(SendState.SENT, f"already in QuickBooks: {names}")
    done = (
        await session.execute(
            select(SendJob.id, SendJob.status)
            .where(
                SendJob.company_id == company_id,
                SendJob.order_number == order_number,
                SendJob.target == target,
                SendJob.status.in_(list(_DONE_STATUSES)),
            )
            .order_by(SendJob.created_at.desc())
            .limit(1)
        )
    ).first()
    if done is not None:
        return PreviousSend(SendState.SENT, f"send {done.id} {done.status}", done.id)
    return None
