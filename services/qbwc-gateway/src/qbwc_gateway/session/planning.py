"""The plan of a Desktop job: its stored request, the company's settings, what the mappings know,
and the names the list cache says QuickBooks already uses.

A job is planned again on every round trip of its session: the plan is pure and cheap, and
planning again picks up what earlier round trips wrote (mappings) and learnt (a refreshed cache).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import Mapping, MappingKind, SendJob
from espqb.integration import service as integration_service
from espqb.mappings import repository as mappings_repository
from espqb.orders import OrderSnapshot, SendRequest
from espqb.plan import KnownMappings, MappedRecord, NamesInUse, Plan, PlanSettings, build_plan
from espqb.plan.items import DISCOUNT_ITEM, SUBTOTAL_ITEM, TAX_ITEM, charge_item_key, product_key

from ..listcache import repository as cache_repository

TARGET = "qbd"


@dataclass(frozen=True, slots=True)
class RoundInputs:
    """What every plan of one round trip shares (read once per round trip)."""

    settings: PlanSettings
    names: NamesInUse


async def round_inputs(session: AsyncSession, company_id: str) -> RoundInputs:
    settings = integration_service.plan_settings(await integration_service.read_settings(session, company_id))
    names, items = await cache_repository.taken_names(session, company_id)
    return RoundInputs(settings=settings, names=NamesInUse(names=tuple(names), items=tuple(items)))


def send_request(job: SendJob) -> SendRequest:
    return SendRequest.model_validate(job.payload)


def _item_keys(order: OrderSnapshot) -> list[str]:
    keys = [product_key(line) for line in order.lines]
    keys += [charge_item_key(charge.kind) for charge in order.charges]
    return [*keys, SUBTOTAL_ITEM, DISCOUNT_ITEM, TAX_ITEM]


def known_mappings(order: OrderSnapshot, rows: list[Mapping], names: NamesInUse) -> KnownMappings:
    customers: dict[str, MappedRecord] = {}
    vendors: dict[str, MappedRecord] = {}
    items: dict[str, MappedRecord] = {}
    payments: dict[str, MappedRecord] = {}
    bills: dict[str, MappedRecord] = {}
    purchase_orders: dict[str, MappedRecord] = {}
    invoice: MappedRecord | None = None
    prefix = f"{order.order_number}#"
    for row in rows:
        record = MappedRecord(quickbooks_id=row.qb_id, name=row.qb_name, version=row.qb_version)
        key = row.esp_key
        match row.kind:
            case MappingKind.CUSTOMER if key == order.customer.esp_id:
                customers[key] = record
            case MappingKind.VENDOR:
                vendors[key] = record
            case MappingKind.ITEM:
                items[key] = record
            case MappingKind.INVOICE if key == order.order_number:
                invoice = record
            case MappingKind.PAYMENT if key.startswith(prefix):
                payments[key.removeprefix(prefix)] = record
            case MappingKind.BILL if key.startswith(prefix):
                bills[key.removeprefix(prefix)] = record
            case MappingKind.PURCHASE_ORDER if key.startswith(prefix):
                purchase_orders[key.removeprefix(prefix)] = record
    return KnownMappings(
        customers=customers,
        vendors=vendors,
        items=items,
        invoice=invoice,
        payments=payments,
        bills=bills,
        purchase_orders=purchase_orders,
        names_in_use=names,
    )


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
        _item_keys(order),
    )
    mappings = known_mappings(order, list(rows), inputs.names)
    return build_plan(order, request.choices, inputs.settings, mappings, TARGET)
