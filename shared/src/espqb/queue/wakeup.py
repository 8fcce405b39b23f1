"""Waking an idle worker when a job is ready.

On PostgreSQL a dedicated asyncpg connection LISTENs on the jobs channel and sets an event on every
NOTIFY for the worker's target; the connection is re-opened if it drops. Polling stays on as the
fallback (and is all there is on SQLite): `wait()` also returns after `poll_seconds`, so a lost
notification — or a job whose backoff just ran out — costs at most one poll interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection
from types import TracebackType
from typing import Any

import asyncpg

from espqb.config import DEFAULT_JOB_POLL_SECONDS
from espqb.db import Database
from espqb.queue.notify import JOBS_CHANNEL

log = logging.getLogger(__name__)


class JobWaker:
    def __init__(
        self,
        db: Database,
        *,
        targets: Collection[str] | None = None,
        poll_seconds: float = DEFAULT_JOB_POLL_SECONDS,
        channel: str = JOBS_CHANNEL,
        reconnect_seconds: float = 1.0,
        keepalive_seconds: float = 15.0,
    ) -> None:
        self._db = db
        self._targets = frozenset(targets) if targets is not None else None
        self.poll_seconds = poll_seconds
        self._channel = channel
        self._reconnect_seconds = reconnect_seconds
        self._keepalive_seconds = keepalive_seconds
        self._event = asyncio.Event()
        self._listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def listens(self) -> bool:
        """Whether NOTIFY is used at all (PostgreSQL); otherwise only polling."""
        return self._db.is_postgres

    @property
    def listening(self) -> bool:
        """Whether the LISTEN connection is up right now."""
        return self._listening.is_set()

    async def start(self) -> None:
        if self.listens and self._task is None:
            self._task = asyncio.create_task(self._listen_forever(), name="espqb-job-waker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def __aenter__(self) -> JobWaker:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def wait_until_listening(self) -> None:
        """For tests and start-up: block until NOTIFY can be received (returns at once on SQLite).
        Bound it with `asyncio.timeout(...)`."""
        if self.listens:
            await self._listening.wait()

    def wake(self) -> None:
        """Wake the waiter now (the worker calls this when a slot frees or it is asked to stop)."""
        self._event.set()

    async def wait(self, max_seconds: float | None = None) -> bool:
        """Until woken or the poll interval passes; True when woken. Each wake-up is consumed once;
        the caller looks for work after this returns, so a wake-up arriving meanwhile is not lost
        (it sets the event again, and the next `wait` returns at once)."""
        try:
            await asyncio.wait_for(
                self._event.wait(), self.poll_seconds if max_seconds is None else max_seconds
            )
            woken = True
        except TimeoutError:
            woken = False
        self._event.clear()
        return woken

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        if self._targets is None or payload in self._targets:
            self._event.set()

    def _dsn(self) -> str:
        # The engine's URL minus SQLAlchemy's "+asyncpg" driver suffix is a libpq-style DSN.
        return self._db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def _listen_forever(self) -> None:
        while True:
            try:
                await self._listen_until_lost()
                log.warning("Job wake-up connection to PostgreSQL was lost; reconnecting (polling meanwhile)")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never let the waker die: polling covers while it retries
                log.warning("Job wake-up LISTEN failed (%s); polling until it reconnects", type(exc).__name__)
            await asyncio.sleep(self._reconnect_seconds)

    async def _listen_until_lost(self) -> None:
        connection: asyncpg.Connection = await asyncpg.connect(self._dsn(), timeout=10)
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _conn: lost.set())
            await connection.add_listener(self._channel, self._on_notify)
            self._listening.set()
            # Anything enqueued while we were not listening would otherwise wait a poll interval.
            self._event.set()
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), self._keepalive_seconds)
                except TimeoutError:
                    # A half-open TCP connection never reports itself: ask it something.
                    await connection.execute("SELECT 1", timeout=self._keepalive_seconds)
        finally:
            self._listening.clear()
            if not connection.is_closed():
                connection.terminate()
