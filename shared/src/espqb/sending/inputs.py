"""Loading what a send's plan needs, on either product: the request as it was accepted, the
company's plan settings, the mappings the order may reuse, and the names this integration already
holds in QuickBooks. The plan itself stays pure (``espqb.plan.build_plan``); this module reads.

    names = await held_names(session, company_id, target)        # once per attempt / round trip
    settings = await plan_settings(session, company_id)          # once per attempt / round trip
    inputs = await load_send_inputs(session, company_id, target, job.payload,
                                    settings=settings, names=names.names)
    plan = inputs.plan()                                         # raises PlanError

The Desktop side passes ``names``: the names its list cache says QuickBooks uses, together with
``held_names(...).names`` (which ESP record owns each); QuickBooks Online passes
``held_names(...).names`` alone. ``load_send_inputs`` raises pydantic's ``ValidationError`` when the
stored payload no longer reads as a request.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingOf
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import Mapping
from espqb.integration import service as integration_service
from espqb.integration.quickbooks_company import read_quickbooks_company
from espqb.mappings import repository as mappings
from espqb.mappings.plan_bridge import known_mappings, names_from_mappings, plan_item_keys
from espqb.orders import SendRequest
from espqb.plan import KnownMappings, NamesInUse, Plan, PlanSettings, Target, build_plan
from espqb.plan.company import QuickBooksCompany

__all__ = ["HeldNames", "SendInputs", "held_names", "load_send_inputs", "plan_settings"]


@dataclass(frozen=True, slots=True)
class HeldNames:
    """The customers, vendors and items this integration holds in QuickBooks (their mappings)."""

    rows: tuple[Mapping, ...]

    @property
    def names(self) -> NamesInUse:
        """The names, each with the plan key that owns it (``TakenName.owner``)."""
        return names_from_mappings(self.rows)

    @property
    def owners(self) -> dict[tuple[str, str], str]:
        """(kind, QuickBooks id) → the ESP key that owns the record."""
        return {(row.kind, row.qb_id): row.esp_key for row in self.rows}


@dataclass(frozen=True, slots=True)
class SendInputs:
    """One send's plan inputs."""

    target: Target
    request: SendRequest
    settings: PlanSettings
    mappings: KnownMappings
    rows: tuple[Mapping, ...]  # the mapping rows read for the order (``mappings.for_order``)
    company: QuickBooksCompany | None = None  # the QuickBooks company as last read (None: not yet)

    @property
    def mapped(self) -> MappingOf[tuple[str, str], str]:
        """(kind, ESP key) → QuickBooks id of the rows read: a link that changes nothing needs no write."""
        return {(row.kind, row.esp_key): row.qb_id for row in self.rows}

    def plan(self, mappings: KnownMappings | None = None) -> Plan:
        """The plan of this send (``mappings``: other mappings than the ones read, e.g. without a
        record QuickBooks no longer has). Raises ``PlanError``."""
        request = self.request
        known = self.mappings if mappings is None else mappings
        return build_plan(request.order, request.choices, self.settings, known, self.target, self.company)


async def plan_settings(session: AsyncSession, company_id: str) -> PlanSettings:
    """The company's settings, as the planner reads them."""
    return integration_service.plan_settings(await integration_service.read_settings(session, company_id))


async def held_names(session: AsyncSession, company_id: str, target: Target) -> HeldNames:
    return HeldNames(tuple(await mappings.names_taken(session, company_id, target)))


async def load_send_inputs(
    session: AsyncSession,
    company_id: str,
    target: Target,
    request: SendRequest | dict[str, object],
    *,
    settings: PlanSettings,
    names: NamesInUse,
    company: QuickBooksCompany | bool | None = True,
) -> SendInputs:
    """Reads the mappings the order may reuse and puts the plan's inputs together.

    ``company``: the QuickBooks company when the caller has it; ``True`` (the default) reads the one
    stored with the integration; ``False`` plans without it (a US company in the order's currency)."""
    if not isinstance(request, SendRequest):
        request = SendRequest.model_validate(request)
    order = request.order
    rows = await mappings.for_order(
        session,
        company_id,
        target,
        order.order_number,
        order.customer.esp_id,
        [supplier.esp_id for supplier in order.suppliers],
        plan_item_keys(order),
    )
    if company is True:
        company = await read_quickbooks_company(session, company_id)
    return SendInputs(
        target=target,
        request=request,
        settings=settings,
        mappings=known_mappings(rows, order.order_number, names),
        rows=tuple(rows),
        company=company if isinstance(company, QuickBooksCompany) else None,
    )
