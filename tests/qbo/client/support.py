"""Test helpers shared by the QBO client, sending, webhook and end-to-end tests: a controllable clock,
an in-memory token source over the Intuit sandbox, and a QboClient wired to the sandbox in-process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox, ThrottleLimits, create_intuit_app
from qbo_gateway.client import QboClient, QboClientSettings, RealmLimiter, RealmLimits, RetryPolicy
from qbo_gateway.connection.errors import NeedsReauthorization

CLIENT_ID = "esp-test-client"
CLIENT_SECRET = "esp-test-secret"
REDIRECT_URI = "https://esp.example.com/v1/qbo/callback"
BASE_URL = "https://intuit.test"
START = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


class FakeTime:
    """One clock for the limiter, the client's waits and the sandbox: sleeping moves it forward at once."""

    def __init__(self, start: datetime = START) -> None:
        self.start = start
        self.seconds = 0.0
        self.slept: list[float] = []
        self.busy: Callable[[], bool] | None = None  # "requests are on their way": do not jump yet
        self._wakes: list[float] = []

    def monotonic(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)

    async def sleep(self, seconds: float) -> None:
        """Sleepers wake in the order of their wake-up times, and time moves on only when nothing is on
        its way to the sandbox, so each request reaches it at the moment it was admitted, as with real
        time and no network delay."""
        self.slept.append(seconds)
        wake = self.seconds + max(0.0, seconds)
        self._wakes.append(wake)
        try:
            while self.seconds < wake:
                for _ in range(5):
                    await asyncio.sleep(0)
                if self.busy is not None and self.busy():
                    await asyncio.sleep(0.0005)
                    continue
                self.seconds = max(self.seconds, min(self._wakes))
        finally:
            self._wakes.remove(wake)
        await asyncio.sleep(0)


@dataclass(frozen=True)
class Creds:
    realm_id: str
    access_token: str = field(repr=False)


class SandboxTokens:
    """A ``TokenSource`` over the sandbox's OAuth server: one grant per company, refreshed on demand."""

    def __init__(self, sandbox: IntuitSandbox, realms: dict[str, str] | None = None) -> None:
        self.sandbox = sandbox
        self.realms = realms if realms is not None else {"acme": DEMO_REALM_ID}
        self.tokens: dict[str, str] = {}
        self.refreshes = 0
        self.reauth_reasons: list[str] = []
        self.needs_reauth: set[str] = set()

    def _connect(self, company_id: str) -> str:
        token = str(self.sandbox.connect(CLIENT_ID, self.realms[company_id])["access_token"])
        self.tokens[company_id] = token
        return token

    async def credentials(self, company_id: str) -> Creds:
        if company_id in self.needs_reauth:
            raise NeedsReauthorization(company_id, "QuickBooks Online needs to be re-authorised.")
        token = self.tokens.get(company_id) or self._connect(company_id)
        return Creds(self.realms[company_id], token)

    async def after_unauthorized(self, company_id: str, rejected_access_token: str) -> Creds:
        self.refreshes += 1
        return Creds(self.realms[company_id], self._connect(company_id))

    async def mark_needs_reauthorization(self, company_id: str, reason: str) -> None:
        self.reauth_reasons.append(reason)
        self.needs_reauth.add(company_id)


def new_sandbox(
    time: FakeTime | None = None, *, throttle: ThrottleLimits | None = None, sample_names: bool = True
) -> IntuitSandbox:
    sandbox = IntuitSandbox(
        now=time.now if time else None, throttle_limits=throttle, demo_company=sample_names
    )
    if not sample_names:
        from qb_sandbox.intuit import DEMO_COMPANY_NAME

        sandbox.add_company(DEMO_COMPANY_NAME, realm_id=DEMO_REALM_ID, sample_names=False)
    sandbox.register_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])
    return sandbox


FAST_RETRIES = RetryPolicy(max_attempts=5, base_seconds=0.5, max_seconds=8.0)


def sandbox_client(
    sandbox: IntuitSandbox,
    tokens: SandboxTokens,
    *,
    time: FakeTime | None = None,
    retry: RetryPolicy = FAST_RETRIES,
    limits: RealmLimits | None = None,
    timeout_seconds: float = 5.0,
) -> QboClient:
    """A QboClient speaking to ``sandbox`` in-process; with ``time`` every wait is instant."""
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_intuit_app(sandbox)))
    limiter = RealmLimiter(limits, clock=time.monotonic, sleep=time.sleep) if time else RealmLimiter(limits)
    if time is not None:
        time.busy = limiter.busy
    return QboClient(
        http,
        tokens,
        QboClientSettings(base_url=BASE_URL, timeout_seconds=timeout_seconds, retry=retry),
        limiter,
        sleep=time.sleep if time else asyncio.sleep,
    )
