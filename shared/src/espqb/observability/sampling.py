"""Gauges that only the database knows, refreshed every few seconds by each service.

Counters are incremented where things happen (a send finishing, a Web Connector poll, a token
refresh); these figures are states instead — how many jobs wait, how many Web Connectors polled
lately, how many QBO connections must be re-authorised soon, how many of Intuit's webhook notices wait — so a small sampler reads them with the
cheap queries of ``espqb.ops.queries`` and sets the gauges, counted in bounded buckets (which
company is which is in ``espqb status``). Both services run one (whichever
Prometheus scrapes sees the same rows); the dashboard takes ``max by`` over them.

Wiring: the shared app's lifespan enters ``running_sampler(ctx, deadline_of)``; the running sampler
is ``ctx.metrics_sampler``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import structlog

from espqb.api.context import AppContext
from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import ACTIVE_JOB_STATUSES
from espqb.db.types import utcnow
from espqb.observability import metrics
from espqb.ops import queries
from espqb.ops.status_model import DeadlineOf

__all__ = ["SAMPLE_SECONDS", "MetricsSampler", "running_sampler"]

log = structlog.get_logger(__name__)

SAMPLE_SECONDS = 15.0  # Prometheus' scrape interval (deploy/prometheus/prometheus.yml)
TARGETS = ("qbo", "qbd")

# (bucket, at most this long): a Web Connector's last poll; a re-authorisation deadline ahead.
POLL_BUCKETS = (("15m", timedelta(minutes=15)), ("1h", timedelta(hours=1)), ("1d", timedelta(days=1)))
DUE_BUCKETS = (("1d", timedelta(days=1)), ("7d", timedelta(days=7)), ("14d", timedelta(days=14)))


def _since(at: datetime | None, now: datetime, buckets: tuple[tuple[str, timedelta], ...], none: str) -> str:
    if at is None:
        return none
    return next((name for name, span in buckets if now - at <= span), "older")


def _until(at: datetime, now: datetime) -> str:
    if at <= now:
        return "overdue"
    return next((name for name, span in DUE_BUCKETS if at - now <= span), "later")


class MetricsSampler:
    def __init__(
        self,
        db: Database,
        *,
        deadline_of: DeadlineOf | None = None,
        interval_seconds: float = SAMPLE_SECONDS,
    ) -> None:
        self.db = db
        self.deadline_of = deadline_of
        self.interval_seconds = interval_seconds
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def sample_once(self) -> None:
        async with self.db.sessions() as session:
            depth = await queries.queue_depth(session)
            polls = await queries.web_connector_polls(session)
            connections = await queries.qbo_connections(session) if self.deadline_of is not None else []
            notices = await queries.webhook_notices(session)
        now = utcnow()
        counts = {(row.target, row.status): row.jobs for row in depth}
        # Every (target, status) is set, zero included: a drained queue must read 0, not its last value.
        for target in {*TARGETS, *(t for t, _ in counts)}:
            for status in ACTIVE_JOB_STATUSES:
                metrics.QUEUE_DEPTH.labels(target, str(status)).set(counts.get((target, str(status)), 0))
        # Counted in bounded buckets, every bucket set: no series per company.
        seen = Counter(_since(p.last_poll_at, now, POLL_BUCKETS, "never") for p in polls)
        for bucket in (*(name for name, _ in POLL_BUCKETS), "older", "never"):
            metrics.QBWC_COMPANIES.labels(bucket).set(seen.get(bucket, 0))
        metrics.WEBHOOK_NOTICES.labels("pending").set(notices.pending)
        metrics.WEBHOOK_NOTICES.labels("failed").set(notices.failed)
        if self.deadline_of is not None:
            due = Counter(
                _until(self.deadline_of(row).at, now)
                for row in connections
                if row.status in ("connected", "needs_reauth")
            )
            for bucket in ("overdue", *(name for name, _ in DUE_BUCKETS), "later"):
                metrics.REAUTH_DUE.labels(bucket).set(due.get(bucket, 0))

    async def _sample_logged(self) -> None:
        try:
            await self.sample_once()
        except Exception as exc:  # a database restart must not stop the sampling for good
            log.warning("metrics sampling failed", error=f"{type(exc).__name__}: {exc}"[:300])

    async def _run(self) -> None:
        while not self._stop.is_set():
            await self._sample_logged()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval_seconds)

    def start(self) -> None:
        if self._task is None:
            self._stop.clear()
            self._task = asyncio.create_task(self._run(), name="metrics-sampler")

    async def stop(self) -> None:
        """Let a sample in progress finish (its connection goes back to the pool), then stop."""
        if self._task is not None:
            self._stop.set()
            await self._task
            self._task = None


@contextlib.asynccontextmanager
async def running_sampler(
    ctx: AppContext,
    deadline_of: Callable[[Settings], DeadlineOf] | None = None,
    *,
    interval_seconds: float = SAMPLE_SECONDS,
) -> AsyncIterator[MetricsSampler]:
    """Sample while the service runs. ``deadline_of`` builds the re-authorisation deadline function
    from the settings (only the qbo-gateway knows it)."""
    sampler = MetricsSampler(
        ctx.db,
        deadline_of=deadline_of(ctx.settings) if deadline_of is not None else None,
        interval_seconds=interval_seconds,
    )
    ctx.metrics_sampler = sampler
    sampler.start()
    try:
        yield sampler
    finally:
        ctx.metrics_sampler = None
        await sampler.stop()
