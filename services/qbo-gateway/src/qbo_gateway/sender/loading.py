"""Everything one QuickBooks Online send attempt needs from the database, read in one short
transaction: the plan's inputs (``espqb.sending.inputs``: the request as it was accepted, the
company's settings, the mappings the order may reuse, the names ESP holds) and what this job's
earlier attempts did (its steps)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStep, StepStatus
from espqb.orders.request import SendRequest
from espqb.plan import Target
from espqb.sending.inputs import SendInputs, held_names, load_send_inputs, plan_settings

__all__ = ["AttemptInputs", "DoneStep", "load_inputs"]

TARGET: Target = "qbo"


@dataclass(frozen=True, slots=True)
class DoneStep:
    """A step an earlier attempt of this job finished: it is not written again."""

    qb_id: str | None
    qb_version: str | None


@dataclass(frozen=True, slots=True)
class AttemptInputs:
    send: SendInputs
    # (kind, ESP key) -> QBO Id of the rows read: a link that changes nothing needs no write.
    mapped: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # (kind, QBO Id) -> ESP key of every named list mapping: a record another ESP record owns is not linked twice.
    owners: Mapping[tuple[str, str], str] = field(default_factory=dict)
    done: Mapping[str, DoneStep] = field(default_factory=dict)
    # Steps whose call got no answer (failed), or went out in a shared batch whose answer was never
    # saved (pending): key -> (requestid, bId or None), to be repeated as that call.
    in_doubt: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)


async def load_inputs(
    session: AsyncSession, company_id: str, job_id: uuid.UUID, payload: dict[str, object]
) -> AttemptInputs:
    """Raises pydantic's ``ValidationError`` when the stored payload no longer reads as a request."""
    request = SendRequest.model_validate(payload)
    settings = await plan_settings(session, company_id)
    names = await held_names(session, company_id, TARGET)
    send = await load_send_inputs(session, company_id, TARGET, request, settings=settings, names=names.names)
    steps = (await session.scalars(select(JobStep).where(JobStep.job_id == job_id))).all()
    return AttemptInputs(
        send=send,
        mapped=send.mapped,
        owners=names.owners,
        done={
            step.key: DoneStep(step.qb_id, step.qb_version)
            for step in steps
            if step.status == StepStatus.SUCCEEDED
        },
        in_doubt={
            step.key: (step.request_id, step.batch_item_id)
            for step in steps
            if step.status in (StepStatus.FAILED, StepStatus.PENDING) and step.request_id
        },
    )
