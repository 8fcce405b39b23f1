"""Wiring the QBO sender into a process: the API client (one per process), the realm limiter, the
lookups, and the queue worker that claims ``qbo`` jobs.

In the qbo-gateway app (``start_sending`` / ``stop_sending`` hooks) the worker runs in-process when
``RUN_WORKER_IN_PROCESS`` is true; ``espqb worker`` runs the same worker as a process of its own.
Either way there is one ``RealmLimiter`` per process, shared by every company, so the process never
exceeds Intuit's per-realm limits however many jobs it runs at once.

What the app publishes in ``ctx.extras``: ``"qbo_client"`` (``QboClient``), ``"qbo_lookups"``
(``QboLookups``), ``"qbo_sending"`` (``SendingRuntime``, with ``.worker``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from espqb.api.context import AppContext
from espqb.config import Settings
from espqb.db import Database
from espqb.lookups.provider import LookupItem, LookupKind, LookupPage, LookupProvider, RecordFinder
from espqb.queue import Worker
from espqb.queue.clock import Clock, utcnow
from qbo_gateway.client import QboClient, QboClientSettings, RealmLimiter, TokenSource
from qbo_gateway.lookups import QboLookups
from qbo_gateway.sender import QboSender, SenderSettings

__all__ = [
    "CLIENT_KEY",
    "LOOKUPS_KEY",
    "SENDING_KEY",
    "SendingRuntime",
    "build_sending",
    "lookups_for",
    "start_sending",
    "stop_sending",
]

log = structlog.get_logger(__name__)

CLIENT_KEY = "qbo_client"
LOOKUPS_KEY = "qbo_lookups"
SENDING_KEY = "qbo_sending"
TOKENS_KEY = "qbo_tokens"  # published by qbo_gateway.connection
CONNECTION_KEY = "qbo_connection"  # the connection runtime, whose HTTP client we share
TRANSPORT_KEY = "intuit_transport"  # tests: an httpx transport standing in for Intuit

TARGET = "qbo"


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
    client = QboClient(
        http,
        tokens,
        client_settings or QboClientSettings.from_settings(settings),
        limiter or RealmLimiter(),
        sleep=sleep,
    )
    lookups = QboLookups(client)
    sender = QboSender(
        db, client, lookups=lookups, settings=sender_settings, app_settings=settings, clock=clock
    )
    worker = Worker.from_settings(
        db, settings, target=TARGET, handler=sender, clock=clock, **(worker_options or {})
    )
    return SendingRuntime(db, http, client, lookups, sender, worker, owns_http=owns_http)


def _shared_http(ctx: AppContext) -> httpx.AsyncClient | None:
    connection = ctx.extras.get(CONNECTION_KEY)
    shared = getattr(connection, "http", None)
    return shared if isinstance(shared, httpx.AsyncClient) else None


async def start_sending(ctx: AppContext) -> None:
    """App start-up hook; registered after the connection's, whose token provider it uses."""
    tokens = ctx.extras.get(TOKENS_KEY)
    if tokens is None:
        raise RuntimeError("the QBO connection must start before sending (its token provider is missing)")
    runtime = build_sending(
        ctx.db, ctx.settings, tokens, http=_shared_http(ctx), transport=ctx.extras.get(TRANSPORT_KEY)
    )
    ctx.extras[SENDING_KEY] = runtime
    ctx.extras[CLIENT_KEY] = runtime.client
    ctx.extras[LOOKUPS_KEY] = runtime.lookups
    connection = ctx.extras.get(CONNECTION_KEY)
    if connection is not None:
        connection.books_changed.append(runtime.lookups.forget)
    if ctx.settings.run_worker_in_process:
        runtime.start_worker()
        log.info("qbo send worker started in-process", worker=runtime.worker.worker_id)


async def stop_sending(ctx: AppContext) -> None:
    runtime: SendingRuntime | None = ctx.extras.pop(SENDING_KEY, None)
    ctx.extras.pop(CLIENT_KEY, None)
    ctx.extras.pop(LOOKUPS_KEY, None)
    if runtime is not None:
        await runtime.aclose()


class _AppLookups:
    """The app's ``LookupProvider``: ``build_app`` asks for it before the start-up hooks have built the
    client, so it finds the real provider in ``ctx.extras`` when a lookup comes in."""

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    async def lookup(
        self,
        db: Database,
        company_id: str,
        kind: LookupKind,
        *,
        q: str | None,
        type_filter: str | None,
        limit: int,
        offset: int,
    ) -> LookupPage:
        provider: QboLookups = self._ctx.extras[LOOKUPS_KEY]
        return await provider.lookup(
            db, company_id, kind, q=q, type_filter=type_filter, limit=limit, offset=offset
        )

    async def find(self, db: Database, company_id: str, kind: LookupKind, qb_id: str) -> LookupItem | None:
        provider: QboLookups = self._ctx.extras[LOOKUPS_KEY]
        return await provider.find(db, company_id, kind, qb_id)


def lookups_for(ctx: AppContext) -> LookupProvider:
    """The ``lookups=`` factory of ``build_app``."""
    return _AppLookups(ctx)


def records_for(ctx: AppContext) -> RecordFinder:
    """The ``records=`` factory of ``build_app``: links are checked against QuickBooks Online."""
    return _AppLookups(ctx)
