"""Everything one send needs from the database, read in one short transaction: the request as it was
accepted, the company's settings, the mappings the order may reuse, and this job's earlier steps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import JobStep, MappingKind, StepStatus
from espqb.integration import service as integration_service
from espqb.mappings import repository as mappings
from espqb.mappings.plan_bridge import known_mappings, names_from_mappings, plan_item_keys
from espqb.orders.request import SendRequest
from espqb.plan import KnownMappings, PlanSettings

__all__ = ["DoneStep", "SendInputs", "load_inputs"]

TARGET = "qbo"


@dataclass(frozen=True, slots=True)
class DoneStep:
    """A step an earlier attempt of this job finished: it is not written again."""

    qb_id: str | None
    qb_version: str | None


@dataclass(frozen=True, slots=True)
class SendInputs:
    request: SendRequest
    settings: PlanSettings
    mappings: KnownMappings
    # (kind, ESP key) -> QBO Id of the rows read: a link that changes nothing needs no write.
    mapped: dict[tuple[str, str], str] = field(default_factory=dict)
    # (kind, QBO Id) -> ESP key of every named list mapping: a record another ESP record owns is not linked twice.
    owners: dict[tuple[str, str], str] = field(default_factory=dict)
    done: dict[str, DoneStep] = field(default_factory=dict)
    # Steps whose call got no answer: key -> (requestid, bId or None), to be repeated as that call.
    in_doubt: dict[str, tuple[str, str | None]] = field(default_factory=dict)


async def load_inputs(
    session: AsyncSession, company_id: str, job_id: uuid.UUID, payload: dict[str, object]
) -> SendInputs:
    """Raises pydantic's ``ValidationError`` when the stored payload no longer reads as a request."""
    request = SendRequest.model_validate(payload)
    order = request.order
    settings = integration_service.plan_settings(await integration_service.read_settings(session, company_id))
    order_rows = await mappings.for_order(
        session,
        company_id,
        TARGET,
        order.order_number,
        order.customer.esp_id,
        [s.esp_id for s in order.suppliers],
        plan_item_keys(order),
    )
    named_rows = await mappings.names_taken(session, company_id, TARGET)
    steps = (await session.scalars(select(JobStep).where(JobStep.job_id == job_id))).all()
    in_doubt = {
        step.key: (step.request_id, step.batch_item_id)
        for step in steps
        if step.status == StepStatus.FAILED and step.request_id
    }
    return SendInputs(
        request=request,
        settings=settings,
        mappings=known_mappings(order_rows, order.order_number, names_from_mappings(named_rows)),
        mapped={(row.kind, row.esp_key): row.qb_id for row in order_rows},
        owners={
            (row.kind, row.qb_id): row.esp_key
            for row in named_rows
            if row.kind in (MappingKind.CUSTOMER, MappingKind.VENDOR, MappingKind.ITEM)
        },
        done={
            step.key: DoneStep(step.qb_id, step.qb_version)
            for step in steps
            if step.status == StepStatus.SUCCEEDED
        },
        in_doubt=in_doubt,
    )
