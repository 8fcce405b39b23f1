"""Enqueue a send: validate, decide the job's starting state and planned steps (``prepare_send``,
reads only), and write it in the request's session (``enqueue_prepared``; so a job exists if and
only if the request succeeded)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from espqb import queue
from espqb.api.errors import NotInstalled, UnprocessableOrder
from espqb.db.models import Integration, IntegrationSettings, JobStatus
from espqb.integration import service as integration_service
from espqb.integration.quickbooks_company import from_row
from espqb.integration.schemas import SettingsOut
from espqb.observability import metrics
from espqb.orders.request import SendRequest
from espqb.queue.types import EnqueueResult
from espqb.security.jwt import Principal
from espqb.sending.checks import check_sendable
from espqb.sending.permissions import check_may_send
from espqb.sending.planned_steps import planned_steps

# A gateway may decide a new job's first state (e.g. QBO: "held" while the connection needs
# re-authorisation). Returns (status, reason) or None for the default.
StartStateHook = Callable[[AsyncSession, str], Awaitable[tuple[JobStatus, str | None] | None]]


@dataclass(frozen=True, slots=True)
class PreparedSend:
    """A send that passed every check, with its job's first state and planned steps: what
    ``enqueue_send`` (or a backfill batch, ``queue.enqueue_batch``) writes."""

    company_id: str
    order_number: str
    target: str
    payload: dict[str, Any]
    requested_by: str
    idempotency_key: str | None
    status: JobStatus
    hold_reason: str | None
    max_attempts: int
    planned_steps: list[dict[str, str]]

    def job_fields(self) -> dict[str, Any]:
        """``enqueue_send``'s keyword arguments."""
        return {
            "company_id": self.company_id,
            "order_number": self.order_number,
            "target": self.target,
            "payload": self.payload,
            "requested_by": self.requested_by,
            "idempotency_key": self.idempotency_key,
            "initial_status": self.status,
            "max_attempts": self.max_attempts,
            "hold_reason": self.hold_reason,
            "planned_steps": self.planned_steps,
        }


async def send_order(
    session: AsyncSession,
    principal: Principal,
    order_number: str,
    request: SendRequest,
    *,
    idempotency_key: str | None,
    max_attempts: int,
    start_state: StartStateHook | None = None,
    service_product: str | None = None,
) -> EnqueueResult:
    prepared = await prepare_send(
        session,
        principal,
        order_number,
        request,
        idempotency_key=idempotency_key,
        max_attempts=max_attempts,
        start_state=start_state,
        service_product=service_product,
    )
    return await enqueue_prepared(session, prepared)


async def enqueue_prepared(session: AsyncSession, prepared: PreparedSend) -> EnqueueResult:
    result = await queue.enqueue_send(session, **prepared.job_fields())
    if result.disposition == "queued":
        metrics.JOBS_ENQUEUED.labels(prepared.target).inc()
    return result


async def prepare_send(
    session: AsyncSession,
    principal: Principal,
    order_number: str,
    request: SendRequest,
    *,
    idempotency_key: str | None,
    max_attempts: int,
    start_state: StartStateHook | None = None,
    service_product: str | None = None,
) -> PreparedSend:
    """Every check of a send (raising ``ApiError`` with the reason), its job's first state and its
    planned steps: reads only."""
    if request.order.order_number != order_number:
        raise UnprocessableOrder(
            f"The URL names order {order_number} but the body carries order {request.order.order_number}."
        )
    integration, settings = await _installed_with_settings(session, principal.company_id)
    check_may_send(principal, settings, request)
    # What would only fail later is refused now (409), in the same words on both gateways.
    await check_sendable(session, integration, request, settings, service_product=service_product)

    target = integration.product
    status, reason = (
        (JobStatus.WAITING_FOR_WEB_CONNECTOR, None) if target == "qbd" else (JobStatus.QUEUED, None)
    )
    if start_state is not None:
        decided = await start_state(session, principal.company_id)
        if decided is not None:
            status, reason = decided
    # Planned before the insert, from what was read above, so that the job row is written once, with
    # them (on PostgreSQL the job, its audit entry and the wake-up are one statement). A send that
    # changes nothing (the same request again) keeps the standing job's steps.
    steps = await planned_steps(
        session,
        principal.company_id,
        "qbd" if target == "qbd" else "qbo",
        request,
        settings,
        from_row(integration.quickbooks_company),
    )
    return PreparedSend(
        company_id=principal.company_id,
        order_number=order_number,
        target=target,
        payload=request.model_dump(mode="json"),
        requested_by=principal.user_id,
        idempotency_key=idempotency_key,
        status=status,
        hold_reason=reason,
        max_attempts=max_attempts,
        planned_steps=steps,
    )


async def _installed_with_settings(session: AsyncSession, company_id: str) -> tuple[Integration, SettingsOut]:
    """The company's installed integration and its settings, in one query; ``NotInstalled`` (409)
    when none is installed."""
    row = (
        await session.execute(
            select(Integration, IntegrationSettings)
            .outerjoin(IntegrationSettings, IntegrationSettings.company_id == Integration.company_id)
            .where(Integration.company_id == company_id)
        )
    ).first()
    if row is None or row[0].status != "installed":
        raise NotInstalled("Install QuickBooks Online or Desktop first (Admin → Integrations → Install).")
    return row[0], integration_service.settings_out(row[1])
