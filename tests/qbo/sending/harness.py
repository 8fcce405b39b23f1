"""A company installed on QBO, the Intuit sandbox in-process and the real send worker: enqueue a send,
let the worker run it, read back the job, its steps, the mappings and the sandbox's books."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import JobStep, Mapping, SendJob
from espqb.integration import service as integration_service
from espqb.integration.schemas import SettingsBody
from espqb.orders import SendRequest
from espqb.queue import BackoffPolicy, enqueue_send
from qb_sandbox.intuit import DEMO_REALM_ID, IntuitSandbox, create_intuit_app
from qbo_gateway.client import QboClientSettings, RealmLimiter, RealmLimits
from qbo_gateway.sender import SenderSettings
from qbo_gateway.worker import SendingRuntime, build_sending
from tests.qbo.client.support import BASE_URL, FAST_RETRIES, FakeTime, SandboxTokens, new_sandbox

COMPANY = "acme"


class QueueClock:
    """The queue's clock: real time plus what the test skipped, so backed-off retries come due at once."""

    def __init__(self) -> None:
        self.skipped = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.skipped

    def skip(self, seconds: float) -> None:
        self.skipped += timedelta(seconds=seconds)


def company_settings(sandbox: IntuitSandbox, realm_id: str = DEMO_REALM_ID) -> SettingsBody:
    """Settings → Accounts filled in with the sandbox company's accounts, by id."""
    defaults = sandbox.company(realm_id).defaults
    return SettingsBody.model_validate(
        {
            "default_accounts": {
                "ar": {"id": defaults["ar"], "name": "Accounts Receivable (A/R)"},
                "income": {"id": defaults["income"], "name": "Sales of Product Income"},
                "ap": {"id": defaults["ap"], "name": "Accounts Payable (A/P)"},
                "cogs": {"id": defaults["cogs"], "name": "Cost of Goods Sold"},
            }
        }
    )


async def install_qbo(
    db: Database, sandbox: IntuitSandbox, company_id: str = COMPANY, realm_id: str = DEMO_REALM_ID
) -> None:
    async with db.transaction() as session:
        await integration_service.install(session, company_id, "qbo", "alice")
        await integration_service.update_settings(
            session, company_id, company_settings(sandbox, realm_id), "alice"
        )


@dataclass
class SendHarness:
    db: Database
    sandbox: IntuitSandbox
    time: FakeTime
    tokens: SandboxTokens
    runtime: SendingRuntime
    queue_clock: QueueClock

    @property
    def calls(self) -> int:
        return self.runtime.client.calls

    async def enqueue(self, request: SendRequest, company_id: str = COMPANY) -> uuid.UUID:
        async with self.db.transaction() as session:
            result = await enqueue_send(
                session,
                company_id=company_id,
                order_number=request.order.order_number,
                target="qbo",
                payload=request.model_dump(mode="json"),
                requested_by="alice",
                clock=self.queue_clock,
            )
            return result.job.id

    async def send(self, request: SendRequest, company_id: str = COMPANY) -> SendJob:
        """Enqueue and run the send to the end (retries included); the job as it finished."""
        job_id = await self.enqueue(request, company_id)
        await self.run_until_settled()
        return await self.job(job_id)

    async def run_until_settled(self, rounds: int = 20) -> None:
        for _ in range(rounds):
            await self.runtime.run_once()
            if not await self._waiting():
                return
            self.queue_clock.skip(3600)  # backed-off retries come due
        raise AssertionError("jobs are still waiting after every round")

    async def drain(self, max_rounds: int = 10_000) -> None:
        """Run the worker until no job is queued or running (backed-off retries are brought forward)."""
        for _ in range(max_rounds):
            if not await self._waiting():
                return
            if await self.runtime.run_once() == 0:
                self.queue_clock.skip(3600)
        raise AssertionError("jobs are still waiting")

    async def _waiting(self) -> int:
        async with self.db.sessions() as session:
            query = select(func.count()).select_from(SendJob).where(SendJob.status.in_(["queued", "running"]))
            return int((await session.execute(query)).scalar_one())

    async def job(self, job_id: uuid.UUID) -> SendJob:
        async with self.db.sessions() as session:
            job = await session.get(SendJob, job_id)
            assert job is not None
            return job

    async def steps(self, job_id: uuid.UUID) -> dict[str, JobStep]:
        async with self.db.sessions() as session:
            rows = await session.scalars(select(JobStep).where(JobStep.job_id == job_id))
            return {row.key: row for row in rows}

    async def mappings(self, company_id: str = COMPANY) -> dict[tuple[str, str], Mapping]:
        async with self.db.sessions() as session:
            rows = await session.scalars(select(Mapping).where(Mapping.company_id == company_id))
            return {(row.kind, row.esp_key): row for row in rows}

    def books(self, kind: str, realm_id: str = DEMO_REALM_ID) -> list[dict[str, Any]]:
        return self.sandbox.entities(realm_id, kind)


@asynccontextmanager
async def send_harness(
    db: Database,
    *,
    sandbox: IntuitSandbox | None = None,
    time: FakeTime | None = None,
    sender_settings: SenderSettings | None = None,
    timeout_seconds: float = 5.0,
    concurrency: int = 10,
    limits: RealmLimits | None = None,
    read_company: bool = True,
) -> AsyncIterator[SendHarness]:
    """``read_company``: read the QuickBooks company (edition, currencies, tax codes) and store it, as
    connecting does; False leaves it to the first send."""
    time = time or FakeTime()
    sandbox = sandbox or new_sandbox(time)
    tokens = SandboxTokens(sandbox)
    limiter = RealmLimiter(limits, clock=time.monotonic, sleep=time.sleep)
    time.busy = limiter.busy
    queue_clock = QueueClock()
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_intuit_app(sandbox)))
    runtime = build_sending(
        db,
        Settings(env="development", database_url="sqlite://"),
        tokens,
        http=http,
        limiter=limiter,
        client_settings=QboClientSettings(
            base_url=BASE_URL, timeout_seconds=timeout_seconds, retry=FAST_RETRIES
        ),
        sender_settings=sender_settings,
        sleep=time.sleep,
        clock=queue_clock,
        worker_options={
            "concurrency": concurrency,
            "lease_seconds": 300.0,
            "backoff": BackoffPolicy(base_seconds=1.0, max_seconds=10.0),
        },
    )
    await install_qbo(db, sandbox)
    if read_company and runtime.sender.profiles is not None:
        await runtime.sender.profiles.refresh(COMPANY)
    try:
        yield SendHarness(db, sandbox, time, tokens, runtime, queue_clock)
    finally:
        await runtime.aclose()
        await http.aclose()
