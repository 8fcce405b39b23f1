"""The connection's recurring work, on an APScheduler `AsyncIOScheduler`:

- re-authorisation reminders, hourly;
- the keep-alive refresh, daily (also once at start-up, so a restarted process catches up);
- reading each connected QuickBooks company (edition, currencies, tax codes; ``qbo_gateway.company``)
  whose copy is older than a day, daily (and at start-up: only the stale ones are read);
- delivering the notifications outbox, every 10 seconds;
- applying Intuit's webhook notices a dead replica left stored (``qbo_gateway.webhooks.notices``),
  every 15 seconds.

It should run in exactly one process (`espqb scheduler`; in development the qbo-gateway runs it when
RUN_WORKER_IN_PROCESS is true). If two run anyway, each run takes a PostgreSQL session advisory lock
first (`pg_try_advisory_lock` on a connection of its own) and is skipped when another process holds
it; the reminders are idempotent besides (reminders.py). SQLite has no advisory locks and no second
process worth guarding against: runs go ahead directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text

from espqb.config import Settings
from espqb.db import Database
from espqb.db.types import utcnow
from espqb.notifications import deliver_due
from espqb.queue.clock import Clock
from qbo_gateway.connection import repository
from qbo_gateway.connection.reminders import keep_alive, run_reauth_reminders
from qbo_gateway.connection.statuses import CONNECTED
from qbo_gateway.connection.tokens import TokenProvider
from qbo_gateway.webhooks.notices import drain_notices
from qbo_gateway.webhooks.processing import ChangeProcessor

if TYPE_CHECKING:
    from qbo_gateway.company import CompanyProfiles

log = structlog.get_logger(__name__)


def advisory_lock_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_try_advisory_lock`, derived from a readable name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


REMINDERS_LOCK = advisory_lock_key("espqb.qbo.reauth-reminders")
KEEP_ALIVE_LOCK = advisory_lock_key("espqb.qbo.keep-alive")
DELIVERY_LOCK = advisory_lock_key("espqb.notifications.delivery")
PROFILES_LOCK = advisory_lock_key("espqb.qbo.company-profiles")
WEBHOOK_NOTICES_LOCK = advisory_lock_key("espqb.qbo.webhook-notices")


async def read_companies(db: Database, profiles: CompanyProfiles) -> int:
    """The daily connection check of the company itself: every connected company whose stored copy is
    missing or older than a day is read again (a failure is logged; the next run tries again)."""
    async with db.transaction() as session:
        company_ids = await repository.company_ids_with_status(session, [CONNECTED])
    return await profiles.refresh_stale(company_ids)


async def run_exclusively(db: Database, key: int, job: Callable[[], Awaitable[Any]]) -> bool:
    """Run `job` unless another process holds the advisory lock `key`; True when it ran."""
    if not db.is_postgres:
        await job()
        return True
    async with db.engine.connect() as conn:
        got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        await conn.commit()  # a session lock outlives the transaction; do not sit idle in one
        if not got:
            return False
        try:
            await job()
        finally:
            try:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                await conn.commit()
            except Exception:
                # Never hand a connection that may still hold the lock back to the pool.
                await conn.invalidate()
                raise
    return True


class ConnectionScheduler:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        tokens: TokenProvider,
        http: httpx.AsyncClient,
        clock: Clock = utcnow,
        *,
        reminders_every: timedelta = timedelta(hours=1),
        keep_alive_every: timedelta = timedelta(days=1),
        delivery_every: timedelta = timedelta(seconds=10),
        profiles: CompanyProfiles | None = None,
        profiles_every: timedelta = timedelta(days=1),
        webhook_notices_every: timedelta = timedelta(seconds=15),
    ) -> None:
        self._db = db
        self._settings = settings
        self._tokens = tokens
        self._http = http
        self._clock = clock
        self._intervals = (reminders_every, keep_alive_every, delivery_every)
        self._profiles = profiles
        self._profiles_every = profiles_every
        self._webhook_notices_every = webhook_notices_every
        self._scheduler: AsyncIOScheduler | None = None
        self._in_flight: set[asyncio.Task[Any]] = set()

    async def run_reminders(self) -> bool:
        return await run_exclusively(
            self._db, REMINDERS_LOCK, lambda: run_reauth_reminders(self._db, self._settings, self._clock)
        )

    async def run_keep_alive(self) -> bool:
        return await run_exclusively(
            self._db, KEEP_ALIVE_LOCK, lambda: keep_alive(self._db, self._tokens, self._clock)
        )

    async def run_delivery(self) -> bool:
        return await run_exclusively(
            self._db,
            DELIVERY_LOCK,
            lambda: deliver_due(self._db, self._settings, http=self._http, clock=self._clock),
        )

    async def run_company_profiles(self) -> bool:
        profiles = self._profiles
        if profiles is None:
            return True
        return await run_exclusively(self._db, PROFILES_LOCK, lambda: read_companies(self._db, profiles))

    async def run_webhook_notices(self) -> bool:
        profiles = self._profiles
        if profiles is None:
            return True
        processor = ChangeProcessor(self._db, profiles.client, settings=self._settings, profiles=profiles)
        return await run_exclusively(
            self._db, WEBHOOK_NOTICES_LOCK, lambda: drain_notices(self._db, processor, clock=self._clock)
        )

    def start(self) -> None:
        """Start on the running event loop; the first reminder and keep-alive runs happen at once."""
        reminders_every, keep_alive_every, delivery_every = self._intervals
        scheduler = AsyncIOScheduler(timezone="UTC")
        now = utcnow()
        jobs = [
            ("qbo-reauth-reminders", self.run_reminders, reminders_every),
            ("qbo-keep-alive", self.run_keep_alive, keep_alive_every),
            ("notifications-delivery", self.run_delivery, delivery_every),
        ]
        if self._profiles is not None:
            jobs.append(("qbo-company-profiles", self.run_company_profiles, self._profiles_every))
            jobs.append(("qbo-webhook-notices", self.run_webhook_notices, self._webhook_notices_every))
        for name, job, every in jobs:
            scheduler.add_job(
                self._logged(name, job),
                "interval",
                seconds=every.total_seconds(),
                id=name,
                next_run_time=now,
                max_instances=1,  # a slow run is not overlapped by the next tick of the same job
                coalesce=True,
                misfire_grace_time=max(1, int(every.total_seconds())),
            )
        scheduler.start()
        self._scheduler = scheduler

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """No new runs; runs in progress get `grace_seconds` to finish (a delivery cut off midway
        would leave its claimed notifications waiting for the claim to lapse), then are cancelled."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        scheduler.pause()
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=grace_seconds)
        scheduler.shutdown(wait=False)  # cancels whatever is still running
        for task in list(self._in_flight):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def _logged(self, name: str, job: Callable[[], Awaitable[bool]]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._in_flight.add(task)
            try:
                ran = await job()
            except Exception:
                log.exception("scheduled job failed", job=name)
                return
            finally:
                if task is not None:
                    self._in_flight.discard(task)
            if not ran:
                log.debug("scheduled job skipped: another process holds its lock", job=name)

        return run
