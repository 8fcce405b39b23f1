"""Everything the connection needs while a process runs, built once: Intuit's OAuth client, an HTTP
client for the QBO API and the ESP webhook, the token provider, the reader of the QuickBooks company
(``qbo_gateway.company``: after connecting and daily) and (optionally) the scheduler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from espqb.config import Settings
from espqb.db import Database
from espqb.db.types import utcnow
from espqb.queue.clock import Clock
from espqb.security.crypto import SecretBox
from qbo_gateway.client import QboClient, QboClientSettings, RealmLimiter
from qbo_gateway.company import CompanyProfiles
from qbo_gateway.connection.oauth import IntuitOAuth
from qbo_gateway.connection.scheduler import ConnectionScheduler
from qbo_gateway.connection.tokens import TokenProvider

HTTP_TIMEOUT_SECONDS = 30.0


@dataclass
class ConnectionRuntime:
    db: Database
    settings: Settings
    secret_box: SecretBox
    oauth: IntuitOAuth
    http: httpx.AsyncClient  # QBO API reads (CompanyInfo) and notification webhooks
    tokens: TokenProvider
    clock: Clock
    scheduler: ConnectionScheduler | None = None
    # Reads the QuickBooks company (edition, currencies, tax codes) after connecting and daily; its
    # client's realm limiter is the process's (sending shares it).
    profiles: CompanyProfiles | None = None
    # Called with the company id after it connected other books, so caches about the old books
    # (e.g. the lookups' account and tax-code names) are dropped. Sending registers its own.
    books_changed: list[Callable[[str], None]] = field(default_factory=list)

    def start_scheduler(self) -> ConnectionScheduler:
        if self.scheduler is None:
            self.scheduler = ConnectionScheduler(
                self.db, self.settings, self.tokens, self.http, self.clock, profiles=self.profiles
            )
            self.scheduler.start()
        return self.scheduler

    async def aclose(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
            self.scheduler = None
        await self.oauth.aclose()
        await self.http.aclose()


def build_runtime(
    db: Database,
    settings: Settings,
    secret_box: SecretBox,
    *,
    clock: Clock = utcnow,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ConnectionRuntime:
    """`transport` replaces the network for every outbound call (tests: the Intuit sandbox in-process)."""
    oauth = IntuitOAuth(settings, transport=transport, timeout_seconds=HTTP_TIMEOUT_SECONDS)
    http = httpx.AsyncClient(transport=transport, timeout=HTTP_TIMEOUT_SECONDS)
    tokens = TokenProvider(db, settings, secret_box, oauth, clock)
    client = QboClient(http, tokens, QboClientSettings.from_settings(settings), RealmLimiter())
    profiles = CompanyProfiles(db, client, clock=clock)
    runtime = ConnectionRuntime(db, settings, secret_box, oauth, http, tokens, clock, profiles=profiles)
    runtime.books_changed.append(profiles.forget)
    return runtime
