"""Reading the company from QuickBooks Online and keeping it with the integration.

When it is read:

* right after connecting (the OAuth callback, ``qbo_gateway.connection.service``) — a failure there is
  logged and never undoes the connection: it is read again later;
* daily, by the scheduler, for every connected company whose copy is older than a day;
* when a ``Preferences``, ``TaxCode``, ``TaxRate``, ``Currency`` or ``CompanyCurrency`` change notice
  arrives (``qbo_gateway.webhooks.processing``);
* before planning a send when none is stored (``ensure``): read once — sends running at the same time
  wait for that one read — stored, and passed on to the plan.

Stored through ``espqb.integration.quickbooks_company`` (an audit row says what changed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime, timedelta

import structlog

from espqb.db import Database
from espqb.db.types import utcnow
from espqb.integration.quickbooks_company import read_quickbooks_company, store_quickbooks_company
from espqb.plan.company import QuickBooksCompany
from espqb.queue.clock import Clock
from qbo_gateway.client import AuthFailed, QboClient, QboFault
from qbo_gateway.company.reading import read_company

__all__ = ["CompanyProfiles"]

log = structlog.get_logger(__name__)

# A company QBO would not describe (a refusal, not passing trouble) is not asked again for this long
# by sends; the daily check and a webhook still try.
RETRY_REFUSED_AFTER = timedelta(minutes=15)
DAILY = timedelta(hours=20)  # "older than a day", with room for the scheduler's own drift


class CompanyProfiles:
    def __init__(
        self,
        db: Database,
        client: QboClient,
        *,
        clock: Clock = utcnow,
        retry_refused_after: timedelta = RETRY_REFUSED_AFTER,
    ) -> None:
        self.db = db
        self.client = client
        self.clock = clock
        self.retry_refused_after = retry_refused_after
        self._locks: dict[str, asyncio.Lock] = {}
        self._refused: dict[str, datetime] = {}

    def _lock(self, company_id: str) -> asyncio.Lock:
        return self._locks.setdefault(company_id, asyncio.Lock())

    async def stored(self, company_id: str) -> QuickBooksCompany | None:
        async with self.db.sessions() as session:
            return await read_quickbooks_company(session, company_id)

    async def _read_and_store(self, company_id: str, actor: str) -> QuickBooksCompany:
        company = await read_company(self.client.company(company_id), now=self.clock)
        async with self.db.transaction() as session:
            changed = await store_quickbooks_company(session, company_id, company, actor=actor)
        self._refused.pop(company_id, None)
        log.info(
            "qbo company read",
            company=company_id,
            country=company.country,
            regime=company.regime,
            multi_currency=company.multi_currency,
            tax_codes=len(company.tax_codes),
            changed=changed,
        )
        return company

    async def refresh(self, company_id: str, *, actor: str = "system") -> QuickBooksCompany:
        """Read it now and store it; raises what the client raises."""
        async with self._lock(company_id):
            return await self._read_and_store(company_id, actor)

    async def refresh_quietly(self, company_id: str, *, actor: str = "system") -> QuickBooksCompany | None:
        """``refresh``, with any failure logged instead of raised (None): for the callback, the daily
        check and webhooks, where it is simply read again later."""
        try:
            return await self.refresh(company_id, actor=actor)
        except Exception as error:
            log.warning(
                "qbo company not read; it will be read again later",
                company=company_id,
                problem=type(error).__name__,
                detail=str(error)[:300],
            )
            return None

    async def ensure(self, company_id: str) -> QuickBooksCompany | None:
        """The stored company; read and stored first when there is none.

        Passing trouble and an unusable connection are raised (the send is retried or held). A refusal
        from QBO is logged and answered ``None`` (the send is planned as before editions were known),
        and sends do not ask again for ``retry_refused_after``."""
        found = await self.stored(company_id)
        if found is not None:
            return found
        async with self._lock(company_id):
            found = await self.stored(company_id)  # read by a send that held the lock before us
            if found is not None:
                return found
            refused_at = self._refused.get(company_id)
            if refused_at is not None and self.clock() - refused_at < self.retry_refused_after:
                return None
            try:
                return await self._read_and_store(company_id, "system")
            except QboFault as fault:
                if fault.retryable or isinstance(fault, AuthFailed):
                    raise
                self._refused[company_id] = self.clock()
                log.warning(
                    "qbo company could not be read; planning without it",
                    company=company_id,
                    code=fault.code,
                    detail=fault.plain[:300],
                )
                return None

    async def refresh_stale(self, company_ids: Iterable[str], *, max_age: timedelta = DAILY) -> int:
        """Read every company of ``company_ids`` whose copy is missing or older than ``max_age``; how
        many were read. One company's trouble never stops the others."""
        read = 0
        for company_id in company_ids:
            stored = await self.stored(company_id)
            if stored is not None and stored.read_at is not None and self.clock() - stored.read_at < max_age:
                continue
            read += int(await self.refresh_quietly(company_id) is not None)
        return read

    def forget(self, company_id: str) -> None:
        """Another QuickBooks company was connected: a refusal about the old one no longer holds."""
        self._refused.pop(company_id, None)
