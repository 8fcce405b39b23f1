"""Connecting a company to QuickBooks Online, showing the connection, and letting go of it.

The callback is its own boundary (it is reached by a browser, not an ESP token): it spends the
state in one transaction, talks to Intuit with no transaction open, and stores the connection in a
second one — so whatever fails before that second transaction leaves nothing stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.api.errors import Conflict, UpstreamUnavailable
from espqb.audit import record_audit
from espqb.db.models import JobStatus, QboConnection
from espqb.integration import repository as integration_repository
from espqb.integration import service as integration_service
from espqb.integration.quickbooks_company import read_quickbooks_company
from espqb.integration.service import UninstallHook
from espqb.mappings import repository as mappings
from espqb.queue.holds import hold_jobs, release_held
from espqb.security.jwt import Principal
from qbo_gateway.connection import pages, repository
from qbo_gateway.connection.company_info import CompanyInfoUnavailable, read_company_name
from qbo_gateway.connection.deadlines import reauth_deadlines, reminder_due
from qbo_gateway.connection.errors import not_connected_problem
from qbo_gateway.connection.oauth import TokenGrant, TokenRequestFailed
from qbo_gateway.connection.runtime import ConnectionRuntime
from qbo_gateway.connection.schemas import CompanyOut, ConnectionOut, ConnectOut, DeadlineOut, DisconnectOut
from qbo_gateway.connection.state import (
    ConsumedState,
    StateProblem,
    StateRejected,
    consume_state,
    issue_state,
)
from qbo_gateway.connection.statuses import (
    CONNECTED,
    DISCONNECTED,
    DISCONNECTED_HOLD_REASON,
    NEEDS_REAUTH,
    NEEDS_REAUTH_HOLD_REASON,
    NOT_CONNECTED,
    QBO,
)
from qbo_gateway.connection.tokens import store_grant

log = structlog.get_logger(__name__)

# Realm ids are decimal numbers (docs/quickbooks-online.md §1.3; e.g. 9341453050000001); the column holds 32.
_REALM_ID = re.compile(r"^[0-9]{1,32}$")
_MAX_PARAM = 2048


@dataclass(frozen=True)
class CallbackParams:
    code: str | None
    state: str | None
    realm_id: str | None
    error: str | None
    error_description: str | None


# -- POST /v1/qbo/connect --------------------------------------------------------------------------


async def begin_connect(
    session: AsyncSession, rt: ConnectionRuntime, principal: Principal, *, confirm_realm_change: bool
) -> ConnectOut:
    integration = await integration_service.require_installed(session, principal.company_id)
    if integration.product != QBO:
        raise Conflict(
            "QuickBooks Desktop is installed for this company; QuickBooks Online cannot be connected."
        )
    now = rt.clock()
    issued = await issue_state(
        session,
        company_id=principal.company_id,
        user_id=principal.user_id,
        confirm_realm_change=confirm_realm_change,
        now=now,
    )
    try:
        url = await rt.oauth.authorization_url(issued.value)
    except TokenRequestFailed as exc:
        raise UpstreamUnavailable(
            f"Intuit's sign-in service could not be reached ({exc.description})."
        ) from None
    await record_audit(
        session,
        principal.company_id,
        principal.user_id,
        "qbo.connect_started",
        "Started connecting QuickBooks Online",
        {"confirm_realm_change": confirm_realm_change},
    )
    return ConnectOut(
        authorization_url=url, expires_at=issued.expires_at, confirm_realm_change=confirm_realm_change
    )


# -- GET /v1/qbo/callback --------------------------------------------------------------------------


_STATE_PAGES = {
    StateProblem.MISSING: pages.state_missing,
    StateProblem.UNKNOWN: pages.state_unknown,
    StateProblem.EXPIRED: pages.state_expired,
    StateProblem.USED: pages.state_used,
}


def _too_long(params: CallbackParams) -> bool:
    values = (params.code, params.state, params.realm_id, params.error, params.error_description)
    return any(v is not None and len(v) > _MAX_PARAM for v in values)


async def complete_callback(rt: ConnectionRuntime, params: CallbackParams) -> pages.Page:
    if _too_long(params):
        return pages.incomplete_answer()
    try:
        # Spent in its own transaction: whatever happens next, this state cannot be used again.
        async with rt.db.transaction() as session:
            state = await consume_state(session, params.state, now=rt.clock())
    except StateRejected as rejected:
        log.info("qbo callback refused", problem=rejected.problem.value)
        return _STATE_PAGES[rejected.problem]()
    if params.error:
        # RFC 6749 §4.1.2.1; Intuit answers error=access_denied when the user presses Cancel.
        if params.error == "access_denied":
            return pages.access_denied()
        return pages.intuit_error(params.error, params.error_description)
    realm_id = params.realm_id or ""
    if not params.code or not _REALM_ID.match(realm_id):
        return pages.incomplete_answer()

    async with rt.db.transaction() as session:
        existing = await repository.get(session, state.company_id)
        if existing is not None and existing.realm_id != realm_id and not state.confirm_realm_change:
            # Checked before the exchange, so the code is never spent on the wrong books.
            return pages.realm_change_needs_confirmation(existing.company_name, existing.realm_id, realm_id)

    requested_at = rt.clock()
    try:
        grant = await rt.oauth.exchange_code(params.code)
    except TokenRequestFailed as exc:
        log.warning(
            "qbo code exchange failed", company=state.company_id, error=exc.error, status=exc.http_status
        )
        return pages.exchange_failed(_describe(exc))
    try:
        company_name = await read_company_name(rt.http, rt.settings, realm_id, grant.access_token)
    except CompanyInfoUnavailable as exc:
        log.warning("qbo company info unreadable", company=state.company_id, status=exc.http_status)
        await _give_back(rt, grant, state.company_id)
        return pages.company_unreadable(str(exc))

    async with rt.db.transaction() as session:
        page = await _store_connection(session, rt, state, realm_id, company_name, grant, requested_at)
    if page.status_code != 200:
        await _give_back(rt, grant, state.company_id)
    elif rt.profiles is not None:
        # The edition, currencies and tax codes the plan needs (docs/quickbooks-online.md §6.8). The
        # connection is stored already: a failure here is logged, and the company is read again before
        # the first send and by the daily check.
        await rt.profiles.refresh_quietly(state.company_id, actor=state.user_id)
    return page


def _describe(exc: TokenRequestFailed) -> str:
    return f"{exc.error}: {exc.description}" if exc.description else exc.error


async def _give_back(rt: ConnectionRuntime, grant: TokenGrant, company_id: str) -> None:
    """Revoke tokens we were given but will not keep (nothing may stay authorised that is not stored)."""
    try:
        await rt.oauth.revoke(grant.refresh_token)
    except TokenRequestFailed as exc:
        log.warning("qbo revoke of unused tokens failed", company=company_id, error=exc.error)


async def _store_connection(
    session: AsyncSession,
    rt: ConnectionRuntime,
    state: ConsumedState,
    realm_id: str,
    company_name: str | None,
    grant: TokenGrant,
    requested_at: datetime,
) -> pages.Page:
    company_id, actor = state.company_id, state.user_id
    integration = await integration_repository.get_integration(session, company_id)
    if integration is None or integration.status != "installed" or integration.product != QBO:
        return pages.not_installed()
    row = await repository.get_locked(session, company_id)
    now = rt.clock()
    if row is None:
        row = QboConnection(company_id=company_id, realm_id=realm_id, connected_at=now)
        session.add(row)
        event, message = "qbo.connected", f"Connected QuickBooks Online company {realm_id}"
    elif row.realm_id != realm_id:
        if not state.confirm_realm_change:  # another callback changed the books meanwhile
            return pages.realm_change_needs_confirmation(row.company_name, row.realm_id, realm_id)
        # Links into the old books would make updates land on the wrong (or a missing) record.
        await mappings.remove_all(session, company_id, QBO)
        await record_audit(
            session,
            company_id,
            actor,
            "qbo.realm_changed",
            f"Switched QuickBooks Online from company {row.realm_id} to {realm_id}; links to the old books were removed",
            {"old_realm_id": row.realm_id, "old_company_name": row.company_name, "new_realm_id": realm_id},
        )
        row.realm_id, row.connected_at = realm_id, now
        # What was read about the old books says nothing about the new ones (read again below).
        integration.quickbooks_company = None
        for forget in rt.books_changed:
            forget(company_id)
        event, message = "qbo.connected", f"Connected QuickBooks Online company {realm_id}"
    else:
        event, message = "qbo.reauthorized", f"Re-authorised QuickBooks Online company {realm_id}"
    row.company_name = company_name or row.company_name
    row.status = CONNECTED
    row.reauthorized_at = now
    row.updated_at = now
    store_grant(row, grant, rt.secret_box, requested_at=requested_at, new_authorisation=True)
    await session.flush()
    released = await release_held(session, company_id, QBO, actor=actor, clock=rt.clock)
    await record_audit(
        session,
        company_id,
        actor,
        event,
        message,
        {"realm_id": realm_id, "company_name": row.company_name, "released_jobs": released},
    )
    log.info("qbo connected", company=company_id, realm=realm_id, released_jobs=released)
    return pages.connected(row.company_name, realm_id, released)


# -- GET /v1/qbo/connection ------------------------------------------------------------------------


def connection_view(
    row: QboConnection | None, *, policy_days: int, notice_days: int, now: datetime
) -> ConnectionOut:
    if row is None:
        return ConnectionOut(status=NOT_CONNECTED, notice_days=notice_days)
    base = ConnectionOut(
        status=row.status,  # type: ignore[arg-type]
        realm_id=row.realm_id,
        company_name=row.company_name,
        connected_at=row.connected_at,
        reauthorized_at=row.reauthorized_at,
        last_refresh_at=row.last_refresh_at,
        last_error=row.last_error,
        notice_days=notice_days,
    )
    if row.status == DISCONNECTED:
        return base
    deadlines = reauth_deadlines(row, policy_days)
    shown = [DeadlineOut(kind=d.kind.value, at=d.at, days_left=d.days_left(now)) for d in deadlines]
    base.deadlines = shown
    base.reauthorize_by = shown[0]
    base.reminder_due = row.status == CONNECTED and reminder_due(deadlines[0], now, notice_days)
    return base


async def read_connection(session: AsyncSession, rt: ConnectionRuntime, company_id: str) -> ConnectionOut:
    row = await repository.get(session, company_id)
    view = connection_view(
        row,
        policy_days=rt.settings.reauth_policy_days,
        notice_days=rt.settings.reauth_notice_days,
        now=rt.clock(),
    )
    if row is not None:
        company = await read_quickbooks_company(session, company_id)
        view.company = CompanyOut.of(company) if company is not None else None
    return view


# -- POST /v1/qbo/disconnect, uninstall --------------------------------------------------------------


async def revoke_and_forget(
    session: AsyncSession, rt: ConnectionRuntime, row: QboConnection, *, actor: str, event: str
) -> bool:
    """Revoke the grant at Intuit, delete both tokens, hold queued sends. True when Intuit confirmed
    the revocation (or there was nothing left to revoke)."""
    revoked = True
    ciphertext = row.refresh_token_enc or row.access_token_enc
    if ciphertext is not None:
        try:
            # Revoking the refresh token revokes the whole grant (docs/quickbooks-online.md §1.5).
            await rt.oauth.revoke(rt.secret_box.decrypt(ciphertext))
        except (TokenRequestFailed, ValueError) as exc:
            revoked = False
            log.warning(
                "qbo revoke failed; tokens deleted anyway", company=row.company_id, error=type(exc).__name__
            )
    row.access_token_enc = row.refresh_token_enc = None
    row.access_expires_at = row.refresh_expires_at = row.refresh_hard_expires_at = None
    row.status = DISCONNECTED
    row.last_error = (
        None if revoked else "Intuit could not be told about the disconnection; the tokens were deleted here."
    )
    row.updated_at = rt.clock()
    await session.flush()
    held = await hold_jobs(
        session, row.company_id, QBO, DISCONNECTED_HOLD_REASON, actor=actor, clock=rt.clock
    )
    await record_audit(
        session,
        row.company_id,
        actor,
        event,
        f"Disconnected QuickBooks Online company {row.realm_id}",
        {"realm_id": row.realm_id, "revoked_at_intuit": revoked, "held_jobs": held},
    )
    return revoked


async def disconnect(session: AsyncSession, rt: ConnectionRuntime, principal: Principal) -> DisconnectOut:
    row = await repository.get_locked(session, principal.company_id)
    if row is None:
        raise not_connected_problem(disconnected=False)
    revoked = await revoke_and_forget(session, rt, row, actor=principal.user_id, event="qbo.disconnected")
    view = connection_view(
        row,
        policy_days=rt.settings.reauth_policy_days,
        notice_days=rt.settings.reauth_notice_days,
        now=rt.clock(),
    )
    return DisconnectOut(**view.model_dump(), revoked_at_intuit=revoked)


def uninstall_hook(rt: ConnectionRuntime) -> UninstallHook:
    """An `espqb.integration.service.UninstallHook`: uninstalling QBO revokes and deletes the tokens."""

    async def on_uninstall(session: AsyncSession, company_id: str, product: str) -> None:
        if product != QBO:
            return
        row = await repository.get_locked(session, company_id)
        if row is not None and row.status != DISCONNECTED:
            await revoke_and_forget(session, rt, row, actor="system", event="qbo.disconnected_by_uninstall")

    return on_uninstall


# -- new sends ---------------------------------------------------------------------------------------


async def start_state(session: AsyncSession, company_id: str) -> tuple[JobStatus, str | None] | None:
    """An `espqb.sending.service.StartStateHook`: a new QBO send starts held while the connection
    needs re-authorisation, and is refused (409) when the company is not connected at all."""
    integration = await integration_repository.get_integration(session, company_id)
    if integration is None or integration.product != QBO:
        return None
    row = await repository.get(session, company_id)
    if row is None or row.status == DISCONNECTED:
        raise not_connected_problem(disconnected=row is not None)
    if row.status == NEEDS_REAUTH:
        return JobStatus.HELD, NEEDS_REAUTH_HOLD_REASON
    return None
