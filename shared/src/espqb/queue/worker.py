"""A worker: claims ready jobs of one target, runs the handler for each, keeps their leases alive and
records each outcome.

The gateway plugs its sender in as `handler` (ClaimedJob → JobOutcome); a process builds its
worker with `Worker.from_settings`, so the lease, poll interval and backoff are its settings'. Claims and completions are
batched (one statement claims up to the free slots; finished attempts are completed together), but
every job keeps its own lease, attempt count, status and audit entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from espqb.config import DEFAULT_JOB_LEASE_SECONDS, DEFAULT_JOB_POLL_SECONDS, Settings
from espqb.db import Database
from espqb.observability.logging import job_log_context
from espqb.queue.backoff import BackoffPolicy
from espqb.queue.clock import Clock, utcnow
from espqb.queue.group_leases import GroupLeases, extend_groups, release_groups
from espqb.queue.leases import claim, complete_many, heartbeat_many, rescue_expired
from espqb.queue.types import ClaimedJob, JobOutcome
from espqb.queue.wakeup import JobWaker

log = logging.getLogger(__name__)

T = TypeVar("T")

Handler = Callable[[ClaimedJob], Awaitable[JobOutcome]]

UNEXPECTED_ERROR = "Something unexpected went wrong while sending this order; it will be tried again."
STOPPED_MIDWAY = "The integration was restarting while sending this order; it will be tried again."


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class _InFlight:
    job: ClaimedJob
    task: asyncio.Task[None] | None = None
    lease_lost: bool = False


@dataclass
class _Completions:
    """Finished attempts waiting to be written, in the order they finished."""

    pending: list[tuple[ClaimedJob, JobOutcome]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, job: ClaimedJob, outcome: JobOutcome) -> None:
        self.pending.append((job, outcome))
        self.ready.set()

    def take(self) -> list[tuple[ClaimedJob, JobOutcome]]:
        batch, self.pending = self.pending, []
        self.ready.clear()
        return batch


class Worker:
    def __init__(
        self,
        db: Database,
        *,
        target: str,
        handler: Handler,
        worker_id: str | None = None,
        concurrency: int = 10,
        lease_seconds: float = DEFAULT_JOB_LEASE_SECONDS,
        poll_seconds: float = DEFAULT_JOB_POLL_SECONDS,
        rescue_every_seconds: float | None = None,
        shutdown_grace_seconds: float | None = None,
        clock: Clock = utcnow,
        backoff: BackoffPolicy | None = None,
        waker: JobWaker | None = None,
        groups: GroupLeases | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.db = db
        self.target = target
        self.handler = handler
        self.worker_id = worker_id or default_worker_id()
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        # Rescue at least twice per lease so a dead worker's job waits at most ~1.5 leases.
        self.rescue_every_seconds = (
            max(self.lease_seconds / 2, self.poll_seconds)
            if rescue_every_seconds is None
            else rescue_every_seconds
        )
        self.shutdown_grace_seconds = (
            self.lease_seconds if shutdown_grace_seconds is None else shutdown_grace_seconds
        )
        # Set when the worker stops: from then on, outcomes that cannot be recorded (the database is
        # down) are retried until this moment only, so a stopping process never hangs on them.
        self._give_up_at: float | None = None
        self.clock = clock
        self.backoff = backoff or BackoffPolicy()
        self._own_waker = waker is None
        self.waker = waker or JobWaker(db, targets={target}, poll_seconds=self.poll_seconds)
        # Jobs fall into groups one worker at a time owns (``espqb.queue.group_leases``; PostgreSQL).
        self.groups = groups
        self._in_flight: dict[uuid.UUID, _InFlight] = {}
        self._completions = _Completions()
        self._write_lock = asyncio.Lock()

    @classmethod
    def from_settings(
        cls, db: Database, settings: Settings, *, target: str, handler: Handler, **options: Any
    ) -> Worker:
        """A worker with the concurrency, lease, poll interval and backoff of `settings`; `options`
        (the other keyword arguments of `Worker`) come on top."""
        values: dict[str, Any] = {
            "concurrency": settings.worker_concurrency,
            "lease_seconds": settings.job_lease_seconds,
            "poll_seconds": settings.job_poll_seconds,
            "backoff": BackoffPolicy.from_settings(settings),
        }
        values.update(options)
        return cls(db, target=target, handler=handler, **values)

    # ------------------------------------------------------------------ one pass (tests, demo)

    async def run_once(self) -> int:
        """Rescue expired leases, claim what is ready (up to `concurrency`), run those jobs to the end
        and record their outcomes. Returns how many jobs were processed."""
        await rescue_expired(self.db, target=self.target, clock=self.clock)
        claimed = await self._claim(self.concurrency)
        if not claimed:
            return 0
        heartbeats = asyncio.create_task(self._heartbeat_forever())
        try:
            await asyncio.gather(
                *(entry.task for entry in self._in_flight.values() if entry.task is not None)
            )
        finally:
            heartbeats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeats
        await self._write_completions()
        return len(claimed)

    # ------------------------------------------------------------------ the long-running loop

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; then finish (or, after the grace period, give back) what is in
        flight and return."""
        if self._own_waker:
            await self.waker.start()
        stop_watcher = asyncio.create_task(self._wake_on(stop))
        heartbeats = asyncio.create_task(self._heartbeat_forever())
        completer = asyncio.create_task(self._complete_forever())
        next_rescue = 0.0
        try:
            while not stop.is_set():
                if time.monotonic() >= next_rescue:
                    await self._guarded(rescue_expired(self.db, target=self.target, clock=self.clock))
                    next_rescue = time.monotonic() + self.rescue_every_seconds
                free = self.concurrency - len(self._in_flight)
                if free > 0:
                    claimed = await self._guarded(self._claim(free)) or []
                    if len(claimed) == free:
                        continue  # the queue may hold more: claim again as soon as slots free
                await self.waker.wait(self.poll_seconds)
        finally:
            await self._shut_down()
            # A database that stays down must not keep the process from stopping: after the grace
            # period the outcomes are given up; their leases expire and the jobs are rescued and run
            # again (each write repeats as the same request, so nothing lands twice).
            self._give_up_at = time.monotonic() + self.shutdown_grace_seconds
            # Stop the completer only between writes: cancelled mid-write, it could not tell
            # whether its batch had been committed.
            async with self._write_lock:
                completer.cancel()
            for task in (completer, heartbeats, stop_watcher):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self._write_completions()
            if self.groups is not None:
                # Hand the groups over one rate window from now rather than a whole hold.
                await self._guarded(
                    release_groups(self.db, self.groups, worker_id=self.worker_id, clock=self.clock)
                )
            if self._own_waker:
                await self.waker.stop()

    async def _wake_on(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self.waker.wake()

    async def _shut_down(self) -> None:
        tasks = [
            entry.task
            for entry in self._in_flight.values()
            if entry.task is not None and not entry.task.done()
        ]
        if tasks:
            _done, still_running = await asyncio.wait(tasks, timeout=self.shutdown_grace_seconds)
            for task in still_running:
                task.cancel()
            # Give those jobs back now rather than leaving them to lease expiry.
            await asyncio.gather(*still_running, return_exceptions=True)

    # ------------------------------------------------------------------ pieces

    async def _claim(self, limit: int) -> list[ClaimedJob]:
        claimed = await claim(
            self.db,
            target=self.target,
            worker_id=self.worker_id,
            lease_seconds=self.lease_seconds,
            limit=limit,
            clock=self.clock,
            groups=self.groups,
        )
        for job in claimed:
            entry = _InFlight(job)
            self._in_flight[job.id] = entry
            entry.task = asyncio.create_task(self._run_handler(job))
        return claimed

    async def _run_handler(self, job: ClaimedJob) -> None:
        # Each job runs in its own task, so every log line written while it is handled carries its id.
        with job_log_context(job.id, job.company_id, order_number=job.order_number, attempt=job.attempt):
            try:
                outcome = await self.handler(job)
            except asyncio.CancelledError:
                outcome = JobOutcome.retry(STOPPED_MIDWAY, after=timedelta(0))
            except Exception:
                # The traceback goes to the log, for us; the job gets words its user can act on.
                log.exception("Handler failed on job %s (attempt %s)", job.id, job.attempt)
                outcome = JobOutcome.retry(UNEXPECTED_ERROR)
        self._completions.add(job, outcome)

    async def _complete_forever(self) -> None:
        while True:
            await self._completions.ready.wait()
            await self._write_completions()

    async def _write_completions(self) -> None:
        async with self._write_lock:
            batch = self._completions.take()
            if not batch:
                return
            while True:
                try:
                    await complete_many(
                        self.db, self.worker_id, batch, clock=self.clock, backoff=self.backoff
                    )
                    break
                except asyncio.CancelledError:
                    # Put them back for a later flush; if the commit did land, writing them again
                    # is refused by the lease check and only logged.
                    self._completions.pending[:0] = batch
                    raise
                except Exception:
                    # Keep the leases (still heartbeated) and try again: an outcome must not be lost.
                    if self._give_up_at is not None and time.monotonic() >= self._give_up_at:
                        log.exception(
                            "Could not record %d job outcome(s) before stopping; their leases "
                            "expire and the jobs run again",
                            len(batch),
                        )
                        return
                    log.exception("Could not record %d job outcome(s); retrying", len(batch))
                    await asyncio.sleep(self.poll_seconds)
            for job, _ in batch:
                self._in_flight.pop(job.id, None)
        self.waker.wake()  # slots are free

    async def _heartbeat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            leases = [(entry.job.id, entry.job.attempt) for entry in self._in_flight.values()]
            if self.groups is not None and leases:
                await self._guarded(
                    extend_groups(
                        self.db,
                        self.groups,
                        target=self.target,
                        worker_id=self.worker_id,
                        lease_seconds=self.lease_seconds,
                        clock=self.clock,
                    )
                )
            kept = await self._guarded(
                heartbeat_many(self.db, self.worker_id, leases, self.lease_seconds, clock=self.clock)
            )
            if kept is None:
                continue
            for job_id, _attempt in leases:
                entry = self._in_flight.get(job_id)
                if entry is not None and job_id not in kept and not entry.lease_lost:
                    entry.lease_lost = True
                    # The handler runs on (the QuickBooks write may be half done); its result will
                    # be ignored because another attempt owns the job now.
                    log.warning("Lost the lease of job %s; its result will be ignored", job_id)

    async def _guarded(self, work: Awaitable[T]) -> T | None:
        """Run a database step of the loop; a failure (database restarting…) is logged, not fatal."""
        try:
            return await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "Queue worker %s: database step failed; retrying after %.1fs",
                self.worker_id,
                self.poll_seconds,
            )
            await asyncio.sleep(self.poll_seconds)
            return None
