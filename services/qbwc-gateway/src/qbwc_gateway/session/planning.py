"""The plan of a Desktop job: its stored request, the company's settings, what the mappings know,
and the names the list cache says QuickBooks already uses.

A job is planned again on every round trip of its session: the plan is pure and cheap, and
planning again picks up what earlier round trips wrote (mappings) and learnt (a refreshed cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import SendJob
from espqb.integration import service as integration_service
from espqb.mappings import repository as mappings_repository
from espqb.mappings.plan_bridge import known_mappings, names_from_mappings, plan_item_keys
from espqb.orders import SendRequest
from espqb.plan import NamesInUse, Plan, PlanSettings, TakenName, build_plan

from ..listcache import repository as cache_repository

TARGET: Final = "qbd"


@dataclass(frozen=True, slots=True)
class RoundInputs:
    """What every plan of one round trip shares (read once per round trip)."""

    settings: PlanSettings
    names: NamesInUse


async def round_inputs(session: AsyncSession, company_id: str) -> RoundInputs:
    settings = integration_service.plan_settings(await integration_service.read_settings(session, company_id))
    names, items = await cache_repository.taken_names(session, company_id)
    # Which ESP record owns each cached name: a record another ESP record owns is never adopted.
    owned = names_from_mappings(await mappings_repository.names_taken(session, company_id, TARGET))
    owners = {t.quickbooks_id: t.owner for t in (*owned.names, *owned.items) if t.quickbooks_id}
    return RoundInputs(
        settings=settings,
        names=NamesInUse(
            names=(*owned.names, *_owned_by(names, owners)), items=(*owned.items, *_owned_by(items, owners))
        ),
    )


def _owned_by(taken: list[TakenName], owners: dict[str, str | None]) -> tuple[TakenName, ...]:
    return tuple(
        t.model_copy(update={"owner": owners[t.quickbooks_id]}) if t.quickbooks_id in owners else t
        for t in taken
    )


def send_request(job: SendJob) -> SendRequest:
    return SendRequest.model_validate(job.payload)


async def plan_job(session: AsyncSession, job: SendJob, inputs: RoundInputs) -> Plan:
    """Raises ``PlanError`` (or a pydantic ``ValidationError`` for a payload that no longer reads)."""
    request = send_request(job)
    order = request.order
    rows = await mappings_repository.for_order(
        session,
        job.company_id,
        TARGET,
        order.order_number,
        order.customer.esp_id,
        [supplier.esp_id for supplier in order.suppliers],
        plan_item_keys(order),
    )
    mappings = known_mappings(rows, order.order_number, inputs.names)
    return build_plan(order, request.choices, inputs.settings, mappings, TARGET)
