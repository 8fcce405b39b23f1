"""The QBO send handler: one claimed job in, one ``JobOutcome`` out.

    load (mappings, settings, earlier steps, the QuickBooks company — read from QBO the first time)
    → build the plan (shared, pure) → run it against QBO
    (``SendRun``: waves, batch calls, 6240/5010/610) → drift flagged (``drift``) → outcome

A company whose connection needs re-authorisation (or was disconnected) gets its job held, never
failed: reconnecting releases it (``espqb.queue.release_held``). Passing trouble at Intuit ends the
attempt with a retry; the queue's backoff (or Intuit's Retry-After) decides when.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import structlog
from pydantic import ValidationError

from espqb.config import Settings
from espqb.db import Database
from espqb.plan import PlanError, Target
from espqb.queue import ClaimedJob, JobOutcome
from espqb.queue.clock import Clock, utcnow
from espqb.sending.recording import StepRecorder
from qbo_gateway.client import AuthFailed, QboClient, QboFault
from qbo_gateway.company import CompanyProfiles
from qbo_gateway.connection.errors import NeedsReauthorization, NotConnected, TokenRefreshUnavailable
from qbo_gateway.lookups import QboLookups
from qbo_gateway.sender.attempt import SenderSettings
from qbo_gateway.sender.drift import report_drift
from qbo_gateway.sender.execution import SendRun
from qbo_gateway.sender.loading import AttemptInputs, load_inputs
from qbo_gateway.sender.outcome import job_outcome
from qbo_gateway.sender.results import AttemptInterrupted
from qbo_gateway.sender.store import ResultStore, WriteAhead

__all__ = ["QboSender"]

log = structlog.get_logger(__name__)

TARGET: Target = "qbo"


class QboSender:
    """The queue handler for target ``qbo`` (``Worker(handler=QboSender(...))``)."""

    def __init__(
        self,
        db: Database,
        client: QboClient,
        *,
        lookups: QboLookups | None = None,
        settings: SenderSettings | None = None,
        app_settings: Settings,
        clock: Clock = utcnow,
        profiles: CompanyProfiles | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.lookups = lookups
        self.settings = settings or SenderSettings()
        self.app_settings = app_settings  # the process's: who hears about a drifted job
        self.clock = clock
        # Reads the QuickBooks company before a send when none is stored yet (None: plan without it).
        self.profiles = profiles
        self.write_ahead = WriteAhead(db)  # the pending steps of a shared batch, in one transaction

    async def __call__(self, job: ClaimedJob) -> JobOutcome:
        return await self.send(job)

    async def send(self, job: ClaimedJob) -> JobOutcome:
        # While this attempt runs, the company's shared batches may wait a moment for its waves.
        async with self.client.coalescer.attending(job.company_id):
            return await self._send(job)

    async def _send(self, job: ClaimedJob) -> JobOutcome:
        try:
            async with self.db.transaction() as session:
                inputs = await load_inputs(session, job.company_id, job.id, job.payload)
        except ValidationError as exc:
            return JobOutcome.failed(
                f"The stored send request can no longer be read: {exc.error_count()} problem(s)."
            )
        try:
            inputs = await self._with_company(job, inputs)
        except (NeedsReauthorization, NotConnected) as problem:
            return JobOutcome.hold(problem.message)
        except TokenRefreshUnavailable as problem:
            return JobOutcome.retry(problem.message)
        except QboFault as fault:  # ``ensure`` raises only what passes or needs an admin
            if isinstance(fault, AuthFailed):
                return JobOutcome.hold(fault.plain)
            wait = timedelta(seconds=fault.retry_after) if fault.retry_after is not None else None
            return JobOutcome.retry(fault.plain, after=wait)
        try:
            plan = inputs.send.plan()
        except PlanError as error:
            return JobOutcome.failed(" ".join(p.message for p in error.problems))
        run = SendRun(
            job_id=job.id,
            company_id=job.company_id,
            plan=plan,
            inputs=inputs,
            api=self.client.company(job.company_id),
            store=ResultStore(
                self.db,
                StepRecorder(
                    company_id=job.company_id,
                    target=TARGET,
                    job_id=job.id,
                    order_number=plan.order_number,
                    clock=self.clock,
                ),
                self.write_ahead,
            ),
            lookups=self.lookups,
            settings=self.settings,
            first_attempt=job.attempt <= 1,
        )
        try:
            results = await run.execute()
        except AttemptInterrupted as stop:
            log.info("qbo send interrupted", job=str(job.id), hold=stop.hold, reason=stop.message)
            if stop.hold:
                return JobOutcome.hold(stop.message)
            return JobOutcome.retry(stop.message, after=stop.retry_in)
        except (NeedsReauthorization, NotConnected) as problem:
            return JobOutcome.hold(problem.message)
        except TokenRefreshUnavailable as problem:
            return JobOutcome.retry(problem.message)
        await report_drift(self.db, job.id, results, settings=self.app_settings)
        return job_outcome(results, plan)

    async def _with_company(self, job: ClaimedJob, inputs: AttemptInputs) -> AttemptInputs:
        """The plan needs the company's edition, currencies and tax codes: when none is stored yet
        (connected before editions were read, or the read after connecting failed), read it once."""
        if inputs.send.company is not None or self.profiles is None:
            return inputs
        company = await self.profiles.ensure(job.company_id)
        if company is None:
            return inputs
        return dataclasses.replace(inputs, send=dataclasses.replace(inputs.send, company=company))
