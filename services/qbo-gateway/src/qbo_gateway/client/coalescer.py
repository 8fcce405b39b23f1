"""Shared batch waves: the independent writes of several send attempts of one company travel in one
batch call (docs/quickbooks-online.md §2.7a).

Intuit allows a realm 500 requests a minute and, among them, 40 batch requests of up to 30 items each
(§2.11). One order's wave (its invoice and purchase orders, then its payments and bills) is one to three
writes: sent on its own it fills a tenth of a batch and the batch budget binds long before the request
budget. Here the waves of every attempt of a company that are ready at the same moment share batches:

* an attempt hands its wave's items to ``submit`` and gets a ``Ticket``;
* one dispatcher per company sends a batch (up to 30 items, whole tickets, first come first served) when
  Intuit's batch window has room and the batch is full, or no other attempt of the company is under way
  (``attending``), or it has lingered ``linger_seconds`` for their waves, or batch calls are not scarce
  (the window has not been full lately: then nothing waits);
* while the batch window is full, tickets past the next batch's 30 items are told to go alone (``None``,
  a few at a time, ``max_alone``): their writes go as single calls through the 500-a-minute budget, so
  both budgets are used. Nothing else to wait for, or no room for ``room_wait_seconds``: all go alone;
* each ticket gets the answers of its own items back, keyed by its own ``bId``\\ s.

Items of one batch cannot see each other (§2.7), and items of different orders never refer to each
other, so any waves of one company may share a batch. Companies never share one (each has its own
token and realm).

Exactly once: a shared batch's ``requestid`` is chosen when it is composed. ``Ticket.ahead`` (the
sender's write-ahead) is awaited for every ticket before the call goes out, so each step names that
requestid and its ``bId`` before anything can reach Intuit; the ticket keeps both too, for the step
of an unanswered call. A later attempt repeats the call under that id (see ``BatchResult.unanswered``
for what an item missing from the replayed answer means).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qbo_gateway.client.batch import MAX_BATCH_ITEMS, BatchItem, BatchResult

if TYPE_CHECKING:
    from qbo_gateway.client.qbo_client import QboClient

__all__ = ["Ahead", "BatchCoalescer", "CoalescerStats", "Ticket"]

# Called with the shared batch's requestid and the ticket's bIds (its own bId -> the batch's) before
# the batch is sent.
Ahead = Callable[[str, dict[str, str]], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(eq=False)
class Ticket:
    """One attempt's share of a batch: its items (with its own ``bId``\\ s) and, once composed, the
    batch's requestid and the ``bId`` each item got there."""

    items: tuple[BatchItem, ...]
    ahead: Ahead | None = None
    request_id: str | None = None
    bids: dict[str, str] = field(default_factory=dict)  # own bId -> the shared batch's bId
    since: float = 0.0  # the dispatcher's clock when the ticket came
    _alone_done: Callable[[], None] | None = None
    _future: asyncio.Future[dict[str, BatchResult] | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    async def answers(self) -> dict[str, BatchResult] | None:
        """Each item's answer by its own ``bId``; None: the items go alone (as single calls). Raises
        what the batch call raised (the items' fate is then unknown: see ``request_id``)."""
        return await self._future

    def finished(self) -> None:
        """The holder of a ticket told to go alone has sent its single calls."""
        done, self._alone_done = self._alone_done, None
        if done is not None:
            done()

    def _resolve(self, value: dict[str, BatchResult] | None) -> None:
        if not self._future.done():
            self._future.set_result(value)

    def _fail(self, error: BaseException) -> None:
        if self._future.done():
            return
        if isinstance(error, asyncio.CancelledError):
            self._future.cancel()
        else:
            self._future.set_exception(error)


@dataclass
class CoalescerStats:
    batches: int = 0
    items: int = 0
    tickets: int = 0
    alone: int = 0  # tickets told to go as single calls


@dataclass
class _Company:
    queue: deque[Ticket] = field(default_factory=deque)
    active: int = 0  # attempts of the company under way (``attending``)
    alone: int = 0  # tickets told to go as single calls that have not finished them
    # Batches composed but not let through by the limiter yet: Intuit's batch window does not show
    # them, so another batch now could find no room at the limiter and hold up every call behind it.
    unadmitted: int = 0
    batches_since_full: int = 1_000_000  # batches sent since Intuit's batch window was last found full
    elapsed: float = 0.0  # seconds the dispatcher has waited for batch room (its clock)
    dispatcher: asyncio.Task[None] | None = None


def _one_less(state: _Company) -> None:
    state.alone -= 1


class BatchCoalescer:
    """One per ``QboClient``: shared batch waves per company (see the module docstring)."""

    def __init__(
        self,
        client: QboClient,
        *,
        sleep: Sleep = asyncio.sleep,
        min_items: int = 2,
        poll_seconds: float = 0.05,
        linger_seconds: float = 0.05,
        linger_poll_seconds: float = 0.002,
        scarce_for_batches: int = 40,
        room_wait_seconds: float = 2.0,
        max_alone: int = 5,
    ) -> None:
        self.client = client
        self.sleep = sleep
        self.min_items = min_items  # fewer items than this go as single calls
        # Without batch room: how often to look again (on the client's clock, which the limiter shares).
        self.poll_seconds = poll_seconds
        # With batch room and other attempts of the company under way: how long (real time: they are
        # reading or saving) to wait for their waves to fill the batch.
        self.linger_seconds = linger_seconds
        self.linger_poll_seconds = linger_poll_seconds
        # Lingering to fill batches is worth it only while batch calls are scarce: from the moment the
        # window was found full until this many batches went out without finding it so again.
        self.scarce_for_batches = scarce_for_batches
        # Without batch room: how long the first 30 items wait for it before going as single calls
        # (Intuit's 40 batches a minute free one every 1.5 s in a steady stream).
        self.room_wait_seconds = room_wait_seconds
        # Tickets sent as single calls at once: more would queue at the limiter before the next batch.
        self.max_alone = max_alone
        self.stats = CoalescerStats()
        self._companies: dict[str, _Company] = {}
        self._sends: set[asyncio.Task[None]] = set()
        self._in_batches = 0  # tickets of batches on their way

    def attempts_under_way(self) -> int:
        """Send attempts inside ``attending``, every company."""
        return sum(state.active for state in self._companies.values())

    def tickets_waiting(self) -> int:
        """Tickets not answered yet: queued, or in a batch on its way."""
        return sum(len(state.queue) for state in self._companies.values()) + self._in_batches

    def _company(self, company_id: str) -> _Company:
        state = self._companies.get(company_id)
        if state is None:
            state = self._companies[company_id] = _Company()
        return state

    @asynccontextmanager
    async def attending(self, company_id: str) -> AsyncIterator[None]:
        """Around one send attempt: while it runs, the dispatcher may wait a moment for its next wave."""
        state = self._company(company_id)
        state.active += 1
        try:
            yield
        finally:
            state.active -= 1

    def submit(self, company_id: str, items: list[BatchItem], *, ahead: Ahead | None = None) -> Ticket:
        """Queue ``items`` (1 to 30, unique ``bId``\\ s) for the company's next shared batch."""
        if not 1 <= len(items) <= MAX_BATCH_ITEMS:
            raise ValueError(f"a ticket holds 1 to {MAX_BATCH_ITEMS} items")
        if len({item.bid for item in items}) != len(items):
            raise ValueError("batch item ids (bId) must be unique within a ticket")
        state = self._company(company_id)
        ticket = Ticket(tuple(items), ahead, since=state.elapsed)
        state.queue.append(ticket)
        self.stats.tickets += 1
        if state.dispatcher is None or state.dispatcher.done():
            state.dispatcher = asyncio.create_task(self._dispatching(company_id, state))
        return ticket

    async def _dispatching(self, company_id: str, state: _Company) -> None:
        try:
            await self._dispatch(company_id, state)
        except BaseException as error:  # no ticket may wait for a dispatcher that is gone
            while state.queue:
                state.queue.popleft()._fail(error)
            raise

    async def _dispatch(self, company_id: str, state: _Company) -> None:
        lingering_since: float | None = None
        while state.queue:
            for _ in range(3):  # let attempts that are about to hand in their wave do so
                await asyncio.sleep(0)
            queued = sum(len(ticket.items) for ticket in state.queue)
            # Every attempt of the company under way is waiting here: nobody will add to the batch.
            nobody_else = len(state.queue) >= state.active - state.alone
            if state.unadmitted:
                # The batch ahead is being written or waits at the limiter: the next one gathers
                # meanwhile, and what it cannot hold (or all, when nothing else will come) goes singly.
                self._go_alone(state, keep=0 if nobody_else else MAX_BATCH_ITEMS)
                await asyncio.sleep(self.linger_poll_seconds)
                continue
            try:
                room = await self.client.has_batch_room(company_id)
            except Exception as error:  # the company's credentials: every ticket gets the error
                while state.queue:
                    state.queue.popleft()._fail(error)
                return
            if room:
                now = time.monotonic()
                lingering_since = now if lingering_since is None else lingering_since
                # Batch calls are scarce only when the window was full lately: then fill each one.
                scarce = state.batches_since_full < self.scarce_for_batches
                lingered = now - lingering_since >= self.linger_seconds
                if queued >= MAX_BATCH_ITEMS or nobody_else or not scarce or lingered:
                    lingering_since = None
                    if queued >= self.min_items:
                        state.batches_since_full += 1
                        self._spawn(self._send(company_id, state, _take(state.queue)))
                    else:  # one item and nobody to share with: a single call costs no batch
                        self._go_alone(state, keep=0)
                    continue
                # The other attempts are reading or saving: their waves come within milliseconds.
                await asyncio.sleep(self.linger_poll_seconds)
                continue
            lingering_since = None
            state.batches_since_full = 0
            # Intuit's batch window is full: the next batch takes the first 30 items (unless they have
            # waited long enough, or nothing else will come); the rest go through the request budget.
            waited = state.elapsed - state.queue[0].since
            keep = 0 if nobody_else or waited >= self.room_wait_seconds else MAX_BATCH_ITEMS
            self._go_alone(state, keep=keep)
            await self.sleep(self.poll_seconds)
            state.elapsed += self.poll_seconds

    def _go_alone(self, state: _Company, *, keep: int) -> None:
        """Tickets past the first ``keep`` items go as single calls, as many as ``max_alone`` allows
        (so that single calls never queue long in front of the next batch at the limiter)."""
        kept: list[Ticket] = []
        count = 0
        while state.queue:
            ticket = state.queue.popleft()
            if count + len(ticket.items) <= keep or state.alone >= self.max_alone:
                kept.append(ticket)
                count += len(ticket.items)
            else:
                self.stats.alone += 1
                state.alone += 1
                ticket._alone_done = lambda state=state: _one_less(state)
                ticket._resolve(None)
        state.queue.extend(kept)

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _send(self, company_id: str, state: _Company, tickets: list[Ticket]) -> None:
        request_id = str(uuid.uuid4())  # 36 characters: Intuit's limit for a batch (§2.8)
        items: list[BatchItem] = []
        for ticket in tickets:
            ticket.request_id = request_id
            for item in ticket.items:
                shared = f"s{len(items)}"
                ticket.bids[item.bid] = shared
                items.append(dataclasses.replace(item, bid=shared))
        state.unadmitted += 1
        pending = True

        def admitted() -> None:
            nonlocal pending
            if pending:
                pending = False
                state.unadmitted -= 1

        sent = False
        try:
            # The write-ahead is the tickets' own work (their steps); from the call on they wait for Intuit.
            await asyncio.gather(*(t.ahead(request_id, dict(t.bids)) for t in tickets if t.ahead is not None))
            self._in_batches += len(tickets)
            sent = True
            self.stats.batches += 1
            self.stats.items += len(items)
            results = await self.client.batch(company_id, items, request_id=request_id, admitted=admitted)
        except BaseException as error:
            for ticket in tickets:
                ticket._fail(error)
            if not isinstance(error, Exception):
                raise
            return
        finally:
            admitted()
            if sent:
                self._in_batches -= len(tickets)
        for ticket in tickets:
            ticket._resolve({own: results[shared] for own, shared in ticket.bids.items()})

    async def aclose(self) -> None:
        """Wait for the batches on their way (a process stopping)."""
        if self._sends:
            await asyncio.gather(*self._sends, return_exceptions=True)


def _take(queue: deque[Ticket]) -> list[Ticket]:
    """Whole tickets, first come first served, up to 30 items."""
    taken: list[Ticket] = []
    count = 0
    while queue and count + len(queue[0].items) <= MAX_BATCH_ITEMS:
        ticket = queue.popleft()
        taken.append(ticket)
        count += len(ticket.items)
    return taken
