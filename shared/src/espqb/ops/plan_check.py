"""A dry run of the accounting plan for one order, with the company's settings and mappings, before
anything is queued: an order the plan refuses would only fail later in the worker or the Web
Connector session, one attempt at a time, instead of being reported now with every problem.

The inputs are read the way the gateways read them (``espqb.mappings.plan_bridge``), except the
names already taken in QuickBooks: the Desktop gateway also knows those from its list cache, which
only a session can refresh; the names held by mappings are what both products share.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.integration import service as integration_service
from espqb.mappings import repository as mappings
from espqb.mappings.plan_bridge import known_mappings, names_from_mappings, plan_item_keys
from espqb.orders.request import SendRequest
from espqb.plan import NamesInUse, PlanError, PlanSettings, build_plan
from espqb.plan.errors import Problem
from espqb.plan.limits import Target

__all__ = ["PlanCheck"]


@dataclass(frozen=True)
class PlanCheck:
    """What every order of one backfill shares: the company's settings and the names in use.
    Read once per run: a backfill only queues, so neither changes while it runs."""

    company_id: str
    target: Target
    settings: PlanSettings
    names: NamesInUse

    @classmethod
    async def load(cls, session: AsyncSession, company_id: str, target: Target) -> PlanCheck:
        settings = integration_service.plan_settings(
            await integration_service.read_settings(session, company_id)
        )
        named = await mappings.names_taken(session, company_id, target)
        return cls(company_id, target, settings, names_from_mappings(named))

    async def problems(self, session: AsyncSession, request: SendRequest) -> tuple[Problem, ...]:
        """Everything the plan finds wrong with sending this order now; empty when it can be sent."""
        order = request.order
        rows = await mappings.for_order(
            session,
            self.company_id,
            self.target,
            order.order_number,
            order.customer.esp_id,
            [s.esp_id for s in order.suppliers],
            plan_item_keys(order),
        )
        known = known_mappings(rows, order.order_number, self.names)
        try:
            build_plan(order, request.choices, self.settings, known, self.target)
        except PlanError as exc:
            return exc.problems
        return ()
