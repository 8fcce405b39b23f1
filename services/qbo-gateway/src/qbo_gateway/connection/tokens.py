"""Access tokens for QuickBooks Online calls: the seam between the connection and the API client.

`TokenProvider.credentials(company_id)` hands out a usable access token, refreshing it first when it
expires within `refresh_margin`. The refresh is single-flight, so concurrent sends never race into
``invalid_grant`` with a refresh token another sender just rotated (docs/quickbooks-online.md §1.5 b):

- in this process, one asyncio lock per company: 50 concurrent callers make one refresh call;
- across processes, the connection row is locked (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's
  BEGIN IMMEDIATE) for the duration of the refresh, and re-read once the lock is held, so a refresh
  made by another process meanwhile is reused instead of repeated.

Intuit rotates the refresh token (docs/quickbooks-online.md §1.4: "always store and use the LATEST"): the new
one is encrypted and committed in the refresh's own transaction *before* the new access token is handed
out. Should that commit fail after Intuit answered, the old refresh token still works for 24 hours
after its successor was issued (same §), so the next attempt recovers.

A refresh answered with ``invalid_grant`` — revoked, expired, disconnected in QuickBooks — marks the
connection ``needs_reauth``: queued sends are held, admins are told at once (once per incident).
The API client calls `after_unauthorized` on a 401 and, if Intuit still answers 401 with the fresh
token, `mark_needs_reauthorization`. Tokens are never logged.
"""

from __future__ import annotations

import asyncio
import enum
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.audit import record_audit
from espqb.config import Settings
from espqb.db import Database
from espqb.db.models import QboConnection
from espqb.db.types import utcnow
from espqb.notifications import notify_company_admins
from espqb.observability import metrics
from espqb.queue.clock import Clock
from espqb.queue.holds import hold_jobs
from espqb.security.crypto import SecretBox
from qbo_gateway.connection import notices, repository
from qbo_gateway.connection.deadlines import ROLLING_REFRESH_LIFETIME, stable_hard_expiry
from qbo_gateway.connection.errors import NeedsReauthorization, NotConnected, TokenRefreshUnavailable
from qbo_gateway.connection.oauth import IntuitOAuth, TokenGrant, TokenRequestFailed
from qbo_gateway.connection.statuses import CONNECTED, NEEDS_REAUTH, NEEDS_REAUTH_HOLD_REASON, QBO

log = structlog.get_logger(__name__)

# Refresh this long before the access token (1 h, docs/quickbooks-online.md §1.4) runs out, so a call started
# just before expiry does not arrive after it.
REFRESH_MARGIN = timedelta(minutes=5)

# docs/quickbooks-online.md §1.5: retrying a refresh Intuit answered with invalid_grant never helps.
INVALID_GRANT_REASON = (
    "Intuit refused the stored authorisation (invalid_grant): it was revoked, disconnected in "
    "QuickBooks, or has expired."
)


@dataclass(frozen=True)
class QboCredentials:
    company_id: str
    realm_id: str
    access_token: str = field(repr=False)
    expires_at: datetime


class _Need(enum.Enum):
    EXPIRING = "expiring"  # refresh only when the access token is (nearly) expired
    REJECTED = "rejected"  # Intuit refused this access token: refresh unless someone already did
    KEEP_ALIVE = "keep_alive"  # refresh when the last refresh is older than the given age


@dataclass
class _Result:
    credentials: QboCredentials | None = None
    problem: Exception | None = None
    refreshed: bool = False


def store_grant(
    row: QboConnection, grant: TokenGrant, box: SecretBox, *, requested_at: datetime, new_authorisation: bool
) -> None:
    """Put a token answer on the connection row: both tokens encrypted, every expiry updated.

    Lifetimes count from when the request was sent, so our idea of the expiry is never later than
    Intuit's."""
    row.access_token_enc = box.encrypt(grant.access_token)
    row.refresh_token_enc = box.encrypt(grant.refresh_token)
    row.access_expires_at = grant.access_expires_at(requested_at)
    row.refresh_expires_at = grant.refresh_expires_at(requested_at) or requested_at + ROLLING_REFRESH_LIFETIME
    hard = grant.refresh_hard_expires_at(requested_at)
    if hard is not None:
        row.refresh_hard_expires_at = (
            hard if new_authorisation else stable_hard_expiry(row.refresh_hard_expires_at, hard)
        )
    elif new_authorisation:
        row.refresh_hard_expires_at = None
    row.last_refresh_at = requested_at
    row.last_error = None


async def mark_row_needs_reauthorization(
    session: AsyncSession, row: QboConnection, reason: str, *, settings: Settings, now: datetime
) -> bool:
    """Flag the (locked) row, hold its queued sends and tell the admins. False when it was already
    flagged: the incident was reported then."""
    if row.status == NEEDS_REAUTH:
        return False
    row.status = NEEDS_REAUTH
    row.last_error = reason
    row.updated_at = now
    held = await hold_jobs(session, row.company_id, QBO, NEEDS_REAUTH_HOLD_REASON, clock=lambda: now)
    notice = notices.reauth_required(
        company_id=row.company_id,
        realm_id=row.realm_id,
        company_name=row.company_name,
        reason=reason,
        reauthorized_at=row.reauthorized_at,
        held_jobs=held,
    )
    await notify_company_admins(
        session,
        row.company_id,
        kind=notice.kind,
        subject=notice.subject,
        body=notice.body,
        dedupe_key=notice.dedupe_key,
        payload=notice.payload,
        settings=settings,
        clock=lambda: now,
    )
    await record_audit(
        session,
        row.company_id,
        "system",
        "qbo.needs_reauthorization",
        reason,
        {"held_jobs": held, "realm_id": row.realm_id},
    )
    log.warning("qbo connection needs re-authorisation", company=row.company_id, held_jobs=held)
    return True


class TokenProvider:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        secret_box: SecretBox,
        oauth: IntuitOAuth,
        clock: Clock = utcnow,
        *,
        refresh_margin: timedelta = REFRESH_MARGIN,
    ) -> None:
        self._db = db
        self._settings = settings
        self._box = secret_box
        self._oauth = oauth
        self._clock = clock
        self._margin = refresh_margin
        self._locks: dict[str, asyncio.Lock] = {}

    # -- the API client's side ------------------------------------------------------------------

    async def credentials(self, company_id: str) -> QboCredentials:
        """A usable access token for the company's realm; raises `NotConnected`,
        `NeedsReauthorization` or `TokenRefreshUnavailable`."""
        async with self._db.transaction() as session:
            row = await repository.get(session, company_id)
            current = self._check_usable(company_id, row)
        if current is not None:
            return current
        return await self._single_flight(company_id, _Need.EXPIRING)

    async def after_unauthorized(self, company_id: str, rejected_access_token: str) -> QboCredentials:
        """Intuit answered 401 to `rejected_access_token`: a fresh token, refreshing once unless
        another caller already replaced the rejected one."""
        return await self._single_flight(company_id, _Need.REJECTED, rejected=rejected_access_token)

    async def mark_needs_reauthorization(self, company_id: str, reason: str) -> None:
        """Intuit refuses even a fresh token: hold the company's sends and tell its admins (once)."""
        async with self._db.transaction() as session:
            row = await repository.get_locked(session, company_id)
            if row is None or row.status != CONNECTED:
                return
            await mark_row_needs_reauthorization(
                session, row, reason, settings=self._settings, now=self._clock()
            )

    # -- keep-alive ------------------------------------------------------------------------------

    async def refresh_if_older_than(self, company_id: str, max_age: timedelta) -> bool:
        """Refresh when the last refresh is older than `max_age` (keeps the 100-day rolling expiry
        far away); False when someone refreshed recently enough."""
        result = await self._run_locked(company_id, _Need.KEEP_ALIVE, max_age=max_age)
        if result.problem is not None:
            raise result.problem
        return result.refreshed

    # -- internals -------------------------------------------------------------------------------

    def _lock(self, company_id: str) -> asyncio.Lock:
        lock = self._locks.get(company_id)
        if lock is None:
            lock = self._locks[company_id] = asyncio.Lock()
        return lock

    def _check_usable(self, company_id: str, row: QboConnection | None) -> QboCredentials | None:
        """The stored access token if it stays valid beyond the margin; raises when there is no
        working connection at all."""
        if row is None or row.refresh_token_enc is None:
            raise NotConnected(company_id, "QuickBooks Online is not connected for this company.")
        if row.status == NEEDS_REAUTH:
            raise NeedsReauthorization(
                company_id, row.last_error or "QuickBooks Online needs to be re-authorised."
            )
        if row.status != CONNECTED:
            raise NotConnected(company_id, "QuickBooks Online was disconnected for this company.")
        return self._stored(row, valid_for=self._margin)

    def _stored(self, row: QboConnection, *, valid_for: timedelta) -> QboCredentials | None:
        if row.access_token_enc is None or row.access_expires_at is None:
            return None
        if row.access_expires_at - self._clock() <= valid_for:
            return None
        return QboCredentials(
            row.company_id, row.realm_id, self._box.decrypt(row.access_token_enc), row.access_expires_at
        )

    async def _single_flight(
        self, company_id: str, need: _Need, *, rejected: str | None = None
    ) -> QboCredentials:
        result = await self._run_locked(company_id, need, rejected=rejected)
        if result.problem is not None:
            raise result.problem
        assert result.credentials is not None
        return result.credentials

    async def _run_locked(
        self, company_id: str, need: _Need, *, rejected: str | None = None, max_age: timedelta | None = None
    ) -> _Result:
        # The transaction (and the row lock) is held across the call to Intuit on purpose: a second
        # process must wait for our rotated refresh token rather than spend the old one.
        async with self._lock(company_id), self._db.transaction() as session:
            row = await repository.get_locked(session, company_id)
            try:
                current = self._check_usable(company_id, row)
            except (NotConnected, NeedsReauthorization) as problem:
                return _Result(problem=problem)
            assert row is not None
            if not self._needs_refresh(row, need, current, rejected, max_age):
                return _Result(credentials=current or self._stored(row, valid_for=timedelta(0)))
            return await self._refresh(session, row)

    def _needs_refresh(
        self,
        row: QboConnection,
        need: _Need,
        current: QboCredentials | None,
        rejected: str | None,
        max_age: timedelta | None,
    ) -> bool:
        if need is _Need.EXPIRING:
            return current is None
        if need is _Need.REJECTED:
            # Someone else already replaced the rejected token: use theirs.
            return (
                current is None or rejected is None or secrets.compare_digest(current.access_token, rejected)
            )
        assert max_age is not None
        return row.last_refresh_at is None or self._clock() - row.last_refresh_at >= max_age

    async def _refresh(self, session: AsyncSession, row: QboConnection) -> _Result:
        company_id = row.company_id
        requested_at = self._clock()
        assert row.refresh_token_enc is not None  # _check_usable refused rows without one
        try:
            grant = await self._oauth.refresh(self._box.decrypt(row.refresh_token_enc))
        except TokenRequestFailed as exc:
            metrics.TOKEN_REFRESH_FAILURES.labels(exc.error).inc()
            if exc.invalid_grant:
                await mark_row_needs_reauthorization(
                    session, row, INVALID_GRANT_REASON, settings=self._settings, now=requested_at
                )
                return _Result(problem=NeedsReauthorization(company_id, INVALID_GRANT_REASON))
            row.last_error = f"Renewing the QuickBooks Online access failed: {exc.description or exc.error}"
            log.warning(
                "qbo token refresh failed", company=company_id, error=exc.error, status=exc.http_status
            )
            # A token that is still valid (we refresh ahead of expiry) is better than none.
            still_valid = self._stored(row, valid_for=timedelta(0))
            if still_valid is not None:
                return _Result(credentials=still_valid)
            return _Result(problem=TokenRefreshUnavailable(company_id, row.last_error))
        store_grant(row, grant, self._box, requested_at=requested_at, new_authorisation=False)
        row.updated_at = requested_at
        await session.flush()
        metrics.TOKEN_REFRESHES.inc()
        log.info("qbo token refreshed", company=company_id)
        assert row.access_expires_at is not None
        return _Result(
            credentials=QboCredentials(company_id, row.realm_id, grant.access_token, row.access_expires_at),
            refreshed=True,
        )
