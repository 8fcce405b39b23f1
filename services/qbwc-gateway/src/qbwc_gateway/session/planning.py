"""The plan of a Desktop job: its stored request, the company's settings, what the mappings know,
and the names the list cache says QuickBooks already uses, loaded through the road both products
share (``espqb.sending.inputs``). What is the Desktop's own: the list cache's names, each marked with
the ESP record that owns it, and the QuickBooks company as this session read it (``session.edition``:
its edition, tax codes and currencies), not as some earlier session stored it.

A job is planned again on every round trip of its session: the plan is pure and cheap, and
planning again picks up what earlier round trips wrote (mappings) and learnt (a refreshed cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import Mapping, SendJob
from espqb.plan import NamesInUse, Plan, PlanError, PlanSettings, TakenName
from espqb.plan.company import QuickBooksCompany
from espqb.sending.inputs import SendInputs, held_names, load_send_inputs, plan_settings

from ..listcache import repository as cache_repository

TARGET: Final = "qbd"
UNREADABLE_ORDER = "The order stored with this send can no longer be read; send the order again from ESP."


@dataclass(frozen=True, slots=True)
class RoundInputs:
    """What every plan of one round trip shares (read once per round trip)."""

    settings: PlanSettings
    names: NamesInUse


async def round_inputs(session: AsyncSession, company_id: str) -> RoundInputs:
    settings = await plan_settings(session, company_id)
    names, items = await cache_repository.taken_names(session, company_id)
    # Which ESP record owns each cached name: a record another ESP record owns is never adopted.
    owned = (await held_names(session, company_id, TARGET)).names
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


async def plan_job(
    session: AsyncSession, job: SendJob, inputs: RoundInputs, company: QuickBooksCompany | None = None
) -> Plan:
    """Raises ``PlanError`` (or a pydantic ``ValidationError`` for a payload that no longer reads).

    ``company``: the QuickBooks company as the session read it; None reads the one stored with the
    integration (a session that has not read the company file yet)."""
    return (await job_inputs(session, job, inputs, company)).plan()


async def job_inputs(
    session: AsyncSession, job: SendJob, inputs: RoundInputs, company: QuickBooksCompany | None = None
) -> SendInputs:
    """The job's plan inputs (``plan_job``), with the mapping rows they were read from."""
    return await load_send_inputs(
        session,
        job.company_id,
        TARGET,
        job.payload,
        settings=inputs.settings,
        names=inputs.names,
        company=company if company is not None else True,
    )


class Planner:
    """The plans of one callback: what they share is read at the first plan, and only then."""

    def __init__(
        self, session: AsyncSession, company_id: str, *, company: QuickBooksCompany | None = None
    ) -> None:
        self.session = session
        self.company_id = company_id
        self.company = company
        self._inputs: RoundInputs | None = None
        # The mapping rows each job's last plan was made from (``mappings.for_order``), by job id.
        self.rows: dict[str, tuple[Mapping, ...]] = {}

    def use_company(self, company: QuickBooksCompany | None) -> None:
        """Plan from now on for ``company`` (the session read it again)."""
        self.company = company

    async def plan(self, job: SendJob) -> Plan | str:
        """The job's plan, or why it cannot be planned (a permanent failure)."""
        if self._inputs is None:
            self._inputs = await round_inputs(self.session, self.company_id)
        try:
            loaded = await job_inputs(self.session, job, self._inputs, self.company)
            self.rows[str(job.id)] = loaded.rows
            return loaded.plan()
        except PlanError as exc:
            return " ".join(p.message for p in exc.problems)
        except ValidationError:
            return UNREADABLE_ORDER
