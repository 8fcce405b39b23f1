"""Sending past orders, one by one, only when asked (``espqb backfill``).

ESP's integration is not retroactive; past orders can be sent one by one (ESP's help article). A backfill
does exactly what the "QB" button does for each order of a file — the same service
(``espqb.sending.service.send_order``), the same permissions, the same queue — with three additions:

- every order is first checked with a dry run of the plan, so an order that cannot be sent is
  reported now, with each problem's field, instead of failing later in a worker;
- an order QuickBooks already has, or whose send is still active, is counted and left alone;
- each job carries the idempotency key ``backfill:<order number>``, so even two backfills racing on
  the same file create one job per order.

Orders are checked and queued a batch at a time (``BATCH_SIZE``): one transaction, one statement
queueing the batch's jobs and one wake-up. A bad order never undoes the others (its problems are
reported on its line and nothing of it is written; a batch the database refuses as a whole is sent
again one order per transaction), and an interrupted backfill resumes where it stopped when it is
run again.
"""

from __future__ import annotations

import asyncio
import enum
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.api.errors import ApiError
from espqb.db import Database
from espqb.db.models import SendJob
from espqb.errors import EspqbError
from espqb.integration import service as integration_service
from espqb.observability import metrics
from espqb.observability.metrics import FINISHED_STATUSES
from espqb.ops.backfill_file import BackfillLine
from espqb.ops.plan_check import PlanCheck
from espqb.ops.send_history import SendState, previous_send
from espqb.plan.errors import Problem
from espqb.plan.limits import Target
from espqb.queue.enqueue import enqueue_batch
from espqb.queue.errors import QueueError
from espqb.queue.types import EnqueueResult
from espqb.security.jwt import Principal
from espqb.sending.permissions import check_may_send
from espqb.sending.service import PreparedSend, StartStateHook, enqueue_prepared, prepare_send

__all__ = [
    "BACKFILL_USER",
    "BATCH_SIZE",
    "BackfillRefused",
    "BackfillReport",
    "JobState",
    "OrderOutcome",
    "OrderResult",
    "backfill_key",
    "backfill_target",
    "run_backfill",
    "wait_for_jobs",
]

BACKFILL_USER = "espqb-backfill"
BATCH_SIZE = 100  # orders per transaction (and per INSERT of their jobs)


def backfill_key(order_number: str) -> str:
    return f"backfill:{order_number}"


class OrderOutcome(enum.StrEnum):
    SENT = "sent"  # a send job was queued by this run
    WOULD_SEND = "would_send"  # --dry-run: it would have been queued
    ALREADY_SENT = "already_sent"
    ALREADY_QUEUED = "already_queued"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class OrderResult:
    line: int
    order_number: str | None
    outcome: OrderOutcome
    job_id: uuid.UUID | None = None
    problems: tuple[Problem, ...] = ()  # why it failed, each with the field it concerns
    detail: str | None = None  # already sent/queued: what was found


@dataclass
class BackfillReport:
    company_id: str
    target: str
    dry_run: bool
    results: list[OrderResult] = field(default_factory=list)

    def count(self, outcome: OrderOutcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def failed(self) -> list[OrderResult]:
        return [r for r in self.results if r.outcome is OrderOutcome.FAILED]

    @property
    def queued_job_ids(self) -> list[uuid.UUID]:
        return [r.job_id for r in self.results if r.outcome is OrderOutcome.SENT and r.job_id is not None]


class BackfillRefused(EspqbError):
    """The backfill cannot start at all (no QuickBooks integration installed for the company).
    Raised to the CLI, never answered over HTTP."""

    slug, title = "backfill-refused", "The backfill cannot start"


async def backfill_target(db: Database, company_id: str) -> Target:
    """Which QuickBooks the company's orders go to; ``BackfillRefused`` when none is installed."""
    async with db.sessions() as session:
        try:
            integration = await integration_service.require_installed(session, company_id)
        except ApiError as exc:
            raise BackfillRefused(exc.detail) from None
    return "qbd" if integration.product == "qbd" else "qbo"


def _failed(entry: BackfillLine, *problems: Problem) -> OrderResult:
    return OrderResult(entry.number, entry.order_number, OrderOutcome.FAILED, problems=problems)


async def run_backfill(
    db: Database,
    entries: Sequence[BackfillLine],
    *,
    company_id: str,
    user_id: str = BACKFILL_USER,
    dry_run: bool = False,
    max_attempts: int,
    start_state: StartStateHook | None = None,
    on_result: Callable[[OrderResult], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> BackfillReport:
    """Send (or, with ``dry_run``, only check) every order of ``entries`` for ``company_id``.

    The operator acts as an admin of the company (they hold the database), so "who may send" does
    not apply; which documents may be sent (Details tab) still does. Raises ``BackfillRefused`` when
    the company has no QuickBooks integration installed.

    Orders go ``batch_size`` at a time: one transaction checks them and queues those that pass in
    one statement (``queue.enqueue_batch``, one wake-up); ``on_result`` hears of a batch's orders
    once it has committed. Should a batch fail as a whole (the database refused it), its orders are
    sent again one per transaction, so one bad order never undoes the others."""
    target = await backfill_target(db, company_id)
    async with db.transaction() as session:
        check = await PlanCheck.load(session, company_id, target)
    principal = Principal(user_id=user_id, company_id=company_id, roles=("admin",))
    report = BackfillReport(company_id, target, dry_run)
    first_line: dict[str, int] = {}
    context = _Context(principal, check, dry_run, max_attempts, start_state)
    for start in range(0, len(entries), max(1, batch_size)):
        batch = entries[start : start + max(1, batch_size)]
        lines = [(entry, _duplicate(entry, first_line)) for entry in batch]
        try:
            async with db.transaction() as session:
                results = await _batch(session, lines, context)
        except (SQLAlchemyError, QueueError):
            results = []
            for entry, refused in lines:
                if refused is not None:
                    results.append(refused)
                    continue
                async with db.transaction() as session:
                    results += await _batch(session, [(entry, None)], context)
        for result in results:
            report.results.append(result)
            if on_result is not None:
                on_result(result)
    return report


@dataclass(frozen=True, slots=True)
class _Context:
    principal: Principal
    check: PlanCheck
    dry_run: bool
    max_attempts: int
    start_state: StartStateHook | None


def _duplicate(entry: BackfillLine, first_line: dict[str, int]) -> OrderResult | None:
    """Two versions of one order in a file: which one is right is for a person to decide."""
    request = entry.request
    if request is None:
        return _failed(entry, *entry.problems)
    number = request.order.order_number
    if number in first_line:
        return _failed(
            entry,
            Problem("order.order_number", f"order {number} is also on line {first_line[number]}"),
        )
    first_line[number] = entry.number
    return None


async def _batch(
    session: AsyncSession, lines: list[tuple[BackfillLine, OrderResult | None]], context: _Context
) -> list[OrderResult]:
    """Checks each order of the batch and queues those that pass together; the results in order."""
    results: list[OrderResult | PreparedSend] = []
    for entry, refused in lines:
        results.append(refused if refused is not None else await _prepare(session, entry, context))
    prepared = [result for result in results if isinstance(result, PreparedSend)]
    sent = await enqueue_batch(session, [send.job_fields() for send in prepared])
    by_order = dict(zip((send.order_number for send in prepared), sent, strict=True))
    out: list[OrderResult] = []
    for (entry, _), result in zip(lines, results, strict=True):
        if not isinstance(result, PreparedSend):
            out.append(result)
            continue
        enqueued = by_order[result.order_number]
        if enqueued is not None:
            metrics.JOBS_ENQUEUED.labels(result.target).inc()
        else:
            # Its key or its order's active slot is taken after all (another backfill or a person
            # sent it meanwhile): settled as a single send.
            try:
                enqueued = await enqueue_prepared(session, result)
            except QueueError as exc:  # this order's backfill key was used for another version of it
                out.append(_failed(entry, Problem("order", exc.detail)))
                continue
        out.append(_sent(entry, result.order_number, enqueued))
    return out


async def _prepare(
    session: AsyncSession, entry: BackfillLine, context: _Context
) -> OrderResult | PreparedSend:
    """The order's send, checked and ready to queue; or why it is not sent."""
    request = entry.request
    assert request is not None  # lines without one were refused by _duplicate
    number = request.order.order_number
    check = context.check
    previous = await previous_send(session, check.company_id, check.target, number)
    if previous is not None:
        outcome = (
            OrderOutcome.ALREADY_QUEUED if previous.state is SendState.QUEUED else OrderOutcome.ALREADY_SENT
        )
        return OrderResult(entry.number, number, outcome, previous.job_id, detail=previous.detail)
    try:
        settings = await integration_service.read_settings(session, check.company_id)
        check_may_send(context.principal, settings, request)
        problems = await check.problems(session, request)
        if problems:
            return _failed(entry, *problems)
        if context.dry_run:
            return OrderResult(entry.number, number, OrderOutcome.WOULD_SEND)
        return await prepare_send(
            session,
            context.principal,
            number,
            request,
            idempotency_key=backfill_key(number),
            max_attempts=context.max_attempts,
            start_state=context.start_state,
        )
    # e.g. the Details tab forbids bills (ApiError)
    except ApiError as exc:
        return _failed(entry, Problem("order", exc.detail))


def _sent(entry: BackfillLine, number: str, sent: EnqueueResult) -> OrderResult:
    if sent.created:
        return OrderResult(entry.number, number, OrderOutcome.SENT, sent.job.id)
    # The key names an earlier backfill job that has finished without writing the order.
    job = sent.job
    return _failed(
        entry,
        Problem(
            "order",
            f"an earlier backfill send of this order ended {job.status}"
            + (f": {job.last_error}" if job.last_error else "")
            + "; send it again from its job (retry) once the cause is fixed",
        ),
    )


@dataclass(frozen=True, slots=True)
class JobState:
    job_id: uuid.UUID
    order_number: str
    status: str
    last_error: str | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES


async def _read_jobs(db: Database, job_ids: Sequence[uuid.UUID]) -> list[JobState]:
    found: list[JobState] = []
    async with db.sessions() as session:
        # Chunks keep the IN list well inside every driver's parameter limit.
        for start in range(0, len(job_ids), 500):
            rows = await session.execute(
                select(SendJob.id, SendJob.order_number, SendJob.status, SendJob.last_error).where(
                    SendJob.id.in_(list(job_ids[start : start + 500]))
                )
            )
            found += [JobState(r.id, r.order_number, r.status, r.last_error) for r in rows]
    order = {job_id: index for index, job_id in enumerate(job_ids)}
    return sorted(found, key=lambda outcome: order[outcome.job_id])


async def wait_for_jobs(
    db: Database,
    job_ids: Sequence[uuid.UUID],
    *,
    timeout_seconds: float,
    poll_seconds: float = 1.0,
    run_worker: Callable[[], Awaitable[int]] | None = None,
    on_progress: Callable[[list[JobState]], None] | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> list[JobState]:
    """Wait until every job has finished, or ``timeout_seconds`` passed; their outcomes, in order.

    ``run_worker`` (QuickBooks Online: the worker's ``run_once``) is called in between, so the wait
    also does the sending; without it another process (the worker, the Web Connector) must."""
    deadline = monotonic() + timeout_seconds
    while True:
        processed = await run_worker() if run_worker is not None else 0
        outcomes = await _read_jobs(db, job_ids)
        if on_progress is not None:
            on_progress(outcomes)
        if all(outcome.finished for outcome in outcomes) or monotonic() >= deadline:
            return outcomes
        if not processed:
            await sleep(poll_seconds)
