"""The steps a send will take, known from the moment it is queued, so a person sees its progress
while it waits for a worker or for the Web Connector (``JobOut.steps`` with status ``pending``).

They are planned with the same inputs as the send (the settings, the mappings of the order's records,
the QuickBooks company as last read), but without the names QuickBooks already holds: a step's key,
kind and action do not depend on them. The worker plans again when it runs — QuickBooks may have
changed meanwhile — and its steps replace these. An order the plan refuses has no planned steps: the
job fails with the reasons when it runs, as before (``POST /v1/orders/{n}/preview`` shows them first).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.integration.schemas import SettingsOut
from espqb.integration.service import plan_settings
from espqb.orders.request import SendRequest
from espqb.plan import NamesInUse, Operation, PlanError, QuickBooksCompany, Target
from espqb.sending.inputs import load_send_inputs
from espqb.sending.wording import describe

__all__ = ["planned_steps", "step_intent"]

_VERBS = {"create": "Will create", "update": "Will update", "link": "Will use"}


def step_intent(op: Operation) -> str:
    """“Will create the invoice 10245”, “Will use the terms “Net 30””."""
    return f"{_VERBS[op.action]} the {describe(op)}"


async def planned_steps(
    session: AsyncSession,
    company_id: str,
    target: Target,
    request: SendRequest,
    settings: SettingsOut,
    company: QuickBooksCompany | None,
) -> list[dict[str, str]]:
    """``company``: as stored with the integration the caller already read (not read again)."""
    inputs = await load_send_inputs(
        session,
        company_id,
        target,
        request,
        settings=plan_settings(settings),
        names=NamesInUse(),
        company=company if company is not None else False,
    )
    try:
        plan = inputs.plan()
    except PlanError:
        return []
    return [
        {"key": op.key, "kind": op.kind, "action": op.action, "summary": step_intent(op)}
        for op in plan.operations
    ]
