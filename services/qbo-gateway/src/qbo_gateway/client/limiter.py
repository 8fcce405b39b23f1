"""Keep every realm under Intuit's request limits, so Intuit never has to throttle us.

Intuit's limits are per realm (and app), not per company of ours (docs/quickbooks-online.md §2.11): 500
requests per minute, 10 per second, 10 at once, 40 batch requests per minute. One ``RealmLimiter`` is shared
by every company of the process; a call waits here for a slot instead of earning a 429 and a 60 s pause.

Windows slide: a request admitted at t and answered at u counts until the later of t + span +
``margin_seconds`` and u + span (and for ever while it is on its way). Intuit counts it at some moment
between t and u, so counting it a window after its answer is exact however long it travelled (a busy
network or server can bring two requests closer together at Intuit than they left here); the margin
keeps a floor for the difference between Intuit's clock and ours.

Admission is first come, first served per realm (an ``asyncio.Lock`` is FIFO). A 429 that still gets
through (a lower limit at Intuit, a request delayed on its way) ``pause``\\ s the realm for the
Retry-After, so the calls queued behind it wait too instead of each earning their own 429.

The limiter is per process. Across processes and machines the QBO worker's realm leases make it
exact: one worker process at a time owns a realm (``qbo_gateway.worker``, ``espqb.queue.group_leases``),
so every request to a realm passes this one limiter, and a realm changes hands only a minute window
(``60 + margin_seconds``) after its previous owner's last job of it.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

__all__ = ["RealmLimiter", "RealmLimits"]

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RealmLimits:
    per_minute: int | None = 500
    per_second: int | None = 10
    concurrent: int | None = 10
    batch_per_minute: int | None = 40
    # How much longer than Intuit's window a request counts here (see the module docstring): a
    # second on the minute windows costs under 2 % of the throughput; the one-second window gets a
    # fifth of a second — as much as it can without becoming the tighter limit (10 per 1.2 s = 8.33/s
    # > 500 per 61 s = 8.20/s), because a burst is where uneven delivery (a busy network or server)
    # brings two requests closer together at Intuit than they left here.
    margin_seconds: float = 1.0
    second_margin_seconds: float = 0.2


@dataclass
class _Hit:
    """One request in a window: it counts until ``until`` (infinity while it is on its way)."""

    until: float = math.inf


@dataclass
class _Window:
    span: float  # Intuit's window
    margin: float  # how much longer a request counts here (see RealmLimits)
    limit: int | None
    hits: deque[_Hit] = field(default_factory=deque)

    def wait_for(self, now: float) -> float:
        """Seconds until one more request fits (0 when it fits now; infinity until a request on its
        way is answered)."""
        if self.limit is None:
            return 0.0
        while self.hits and self.hits[0].until <= now:
            self.hits.popleft()
        live = sorted(hit.until for hit in self.hits if hit.until > now)
        if len(live) < self.limit:
            return 0.0
        return live[len(live) - self.limit] - now

    def add(self) -> _Hit:
        hit = _Hit()
        self.hits.append(hit)
        return hit

    def answered(self, hit: _Hit, admitted: float, answered: float) -> None:
        # Intuit counted the request at some moment between its admission here and its answer:
        # counting it a whole window after the answer is exact, however long it was on its way.
        hit.until = max(admitted + self.span + self.margin, answered + self.span)


@dataclass
class _Realm:
    minute: _Window
    second: _Window
    batch: _Window
    admission: asyncio.Lock = field(default_factory=asyncio.Lock)
    released: asyncio.Condition = field(default_factory=asyncio.Condition)
    in_flight: int = 0
    paused_until: float = 0.0
    admitted: int = 0
    waited_seconds: float = 0.0


class RealmLimiter:
    def __init__(
        self,
        limits: RealmLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limits = limits or RealmLimits()
        self._clock = clock
        self._sleep = sleep
        self._realms: dict[str, _Realm] = {}

    def _realm(self, realm_id: str) -> _Realm:
        state = self._realms.get(realm_id)
        if state is None:
            margin = self.limits.margin_seconds
            state = self._realms[realm_id] = _Realm(
                minute=_Window(60.0, margin, self.limits.per_minute),
                second=_Window(1.0, self.limits.second_margin_seconds, self.limits.per_second),
                batch=_Window(60.0, margin, self.limits.batch_per_minute),
            )
        return state

    @asynccontextmanager
    async def slot(self, realm_id: str, *, batch: bool = False) -> AsyncIterator[None]:
        """Hold one request slot of ``realm_id`` for the duration of the block."""
        state = self._realm(realm_id)
        async with state.admission:
            await self._wait_for_concurrency(state)
            windows = [state.minute, state.second, *([state.batch] if batch else [])]
            now = await self._wait_for(windows, state)
            hits = [window.add() for window in windows]
            state.in_flight += 1
            state.admitted += 1
        try:
            yield
        finally:
            answered = self._clock()
            for window, hit in zip(windows, hits, strict=True):
                window.answered(hit, now, answered)
            async with state.released:
                state.in_flight -= 1
                state.released.notify()

    async def _wait_for(self, windows: list[_Window], state: _Realm) -> float:
        """Sleep until every window (and any pause) has room; the time it has."""
        while True:
            now = self._clock()
            wait = max([state.paused_until - now, *(w.wait_for(now) for w in windows)])
            if wait <= 0:
                return now
            if wait == math.inf:
                # The window is full of requests still on their way: wait for an answer.
                async with state.released:
                    await state.released.wait()
                continue
            state.waited_seconds += wait
            await self._sleep(wait)

    async def _wait_for_concurrency(self, state: _Realm) -> None:
        limit = self.limits.concurrent
        if limit is None:
            return
        async with state.released:
            await state.released.wait_for(lambda: state.in_flight < limit)

    def pause(self, realm_id: str, seconds: float) -> None:
        """Admit nothing for ``realm_id`` during the next ``seconds`` (after a 429's Retry-After)."""
        state = self._realm(realm_id)
        state.paused_until = max(state.paused_until, self._clock() + seconds)

    def in_flight(self, realm_id: str) -> int:
        return self._realm(realm_id).in_flight

    def admitted(self, realm_id: str) -> int:
        return self._realm(realm_id).admitted

    def has_batch_room(self, realm_id: str) -> bool:
        """A batch call for ``realm_id`` would be admitted now without waiting for the batch window."""
        state = self._realm(realm_id)
        now = self._clock()
        return state.paused_until <= now and state.batch.wait_for(now) <= 0

    def busy(self) -> bool:
        """Some request of some realm is on its way."""
        return any(state.in_flight for state in self._realms.values())
