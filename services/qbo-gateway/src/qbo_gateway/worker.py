"""Wiring the QBO sender into a process: the API client (one per process), the realm limiter, the
lookups, and the queue worker that claims ``qbo`` jobs.

In the qbo-gateway app (``running_sending``, part of its lifespan) the worker runs in-process when
``RUN_WORKER_IN_PROCESS`` is true; ``espqb worker`` runs the same worker as a process of its own.
Either way there is one ``RealmLimiter`` per process, shared by every company, so the process never
exceeds Intuit's per-realm limits however many jobs it runs at once.

Across processes and machines (PostgreSQL), one worker at a time owns a realm: the claim takes jobs
only of realms the worker owns or can take, and takes the realm's lease (``qbo_realm_leases``) in the
same statement (``REALM_LEASES``, ``espqb.queue.group_leases``). So every request to a realm goes
through one limiter, and Intuit's limits hold however many workers run. A realm changes hands only a
rate window (61 s) after its last owner's last job of it, or after a dead worker's leases lapse.

In the app, the ``SendingRuntime`` (client, lookups, worker) is ``QboState.sending``
(``qbo_gateway.state``); its lookups are the app's lookup provider and record finder.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import structlog

from espqb.api.context import AppContext
from espqb.config import Settings
from espqb.db import Database
from espqb.queue import Worker
from espqb.queue.clock import Clock, utcnow
from espqb.queue.group_leases import GroupLeases
from qbo_gateway.client import QboClient, QboClientSettings, RealmLimiter, TokenSource
from qbo_gateway.company import CompanyProfiles
from qbo_gateway.lookups import QboLookups
from qbo_gateway.sender import QboSender, SenderSettings

if TYPE_CHECKING:
    from qbo_gateway.connection.runtime import ConnectionRuntime

__all__ = ["REALM_OF_JOB", "SendingRuntime", "build_sending", "realm_leases", "running_sending"]

log = structlog.get_logger(__name__)

TARGET = "qbo"

# The realm of a job is its company's QBO connection's; a company without one has no group (its send
# is held for connecting, whoever claims it).
REALM_OF_JOB = "(SELECT c.realm_id FROM qbo_connections AS c WHERE c.company_id = {job}.company_id)"


def realm_leases(limiter: RealmLimiter, **options: Any) -> GroupLeases:
    """One worker at a time per realm; the handover waits out the limiter's per-minute window, so
    what the previous owner sent in its last minute still counts."""
    values: dict[str, Any] = {"handover_seconds": 60.0 + limiter.limits.margin_seconds}
    values.update(options)
    return GroupLeases(table="qbo_realm_leases", key_column="realm_id", group_of_job=REALM_OF_JOB, **values)


@dataclass
class SendingRuntime:
    db: Database
    http: httpx.AsyncClient
    client: QboClient
    lookups: QboLookups
    sender: QboSender
    worker: Worker
    owns_http: bool = False
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    def start_worker(self) -> None:
        """Run the worker in the background of this process until ``aclose``."""
        if self._task is None:
            self._stop.clear()
            self._task = asyncio.create_task(self.worker.run(self._stop), name="qbo-send-worker")

    async def run_once(self) -> int:
        return await self.worker.run_once()

    async def aclose(self) -> None:
        if self._task is not None:
            self._stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.owns_http:
            await self.http.aclose()


def build_sending(
    db: Database,
    settings: Settings,
    tokens: TokenSource,
    *,
    http: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    limiter: RealmLimiter | None = None,
    client_settings: QboClientSettings | None = None,
    sender_settings: SenderSettings | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Clock = utcnow,
    worker_options: dict[str, Any] | None = None,
) -> SendingRuntime:
    """Everything a process needs to send to QBO. Pass ``http`` to share a client, or ``transport``
    to put something (the Intuit sandbox) in place of the network."""
    owns_http = http is None
    if http is None:
        http = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(125.0, connect=10.0))
    limiter = limiter or RealmLimiter()
    client = QboClient(
        http,
        tokens,
        client_settings or QboClientSettings.from_settings(settings),
        limiter,
        sleep=sleep,
    )
    lookups = QboLookups(client)
    profiles = CompanyProfiles(db, client, clock=clock)
    sender = QboSender(
        db,
        client,
        lookups=lookups,
        settings=sender_settings,
        app_settings=settings,
        clock=clock,
        profiles=profiles,
    )
    options: dict[str, Any] = {"groups": realm_leases(limiter)}
    options.update(worker_options or {})
    worker = Worker.from_settings(db, settings, target=TARGET, handler=sender, clock=clock, **options)
    return SendingRuntime(db, http, client, lookups, sender, worker, owns_http=owns_http)


@contextlib.asynccontextmanager
async def running_sending(ctx: AppContext, connection: ConnectionRuntime) -> AsyncIterator[SendingRuntime]:
    """The app's sending, for its lifespan: it uses the connection's token provider and HTTP client,
    so it starts after the connection and stops before it."""
    # One realm limiter per process: the connection's reads of the company share it with sending.
    limiter = connection.profiles.client.limiter if connection.profiles is not None else None
    runtime = build_sending(ctx.db, ctx.settings, connection.tokens, http=connection.http, limiter=limiter)
    connection.books_changed.append(runtime.lookups.forget)
    if runtime.sender.profiles is not None:
        connection.books_changed.append(runtime.sender.profiles.forget)
    try:
        if ctx.settings.run_worker_in_process:
            runtime.start_worker()
            log.info("qbo send worker started in-process", worker=runtime.worker.worker_id)
        yield runtime
    finally:
        await runtime.aclose()
