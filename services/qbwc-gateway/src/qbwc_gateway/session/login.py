"""``authenticate``: who is polling, is there anything to do, and the session ticket.

The Web Connector polls every few minutes for every company, so the common answer — right password,
nothing to do — costs one indexed query and one update, no parsing and no job loading. Only when
there is work does a session start: a fresh ticket (only its hash is stored, expiring), and the
take-over of whatever an interrupted session left in flight (docs/web-connector.md §1.2 #9: an authenticate
while a response was awaited means the response was lost).

Answers (docs/web-connector.md §1.4): ``nvu`` bad credentials (and when the Desktop integration is not
installed); ``none`` nothing to do; ``busy`` another live session of the company; ``""`` the company
file open in QuickBooks, or the path an admin configured. Wrong passwords never lock the user name:
they are slowed down per source address before reaching this module (``login_throttle``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from espqb.db.models import JobStatus, QbwcSession, SendJob
from espqb.security.passwords import hash_token, verify_password

from ..listcache.repository import LISTS_REQUESTED
from . import job_lifecycle, repository
from .options import SessionOptions
from .state import JobProgress, SessionState

NVU, NONE, BUSY = "nvu", "none", "busy"
# Tickets of polls that start no session carry this prefix, so closeConnection answers them
# without touching the database (the idle poll stays cheap).
UNSTORED_PREFIX = "x-"
RECOVERED = "recovered by a later session"
ORPHANED = (
    "The Web Connector session sending this order ended unexpectedly; the order will be sent again at the "
    "next update (what was already written is linked, not duplicated)."
)


def unstored_ticket(reason: str) -> str:
    return f"{UNSTORED_PREFIX}{reason}-{secrets.token_hex(8)}"


def is_unstored(ticket: str) -> bool:
    return ticket.startswith(UNSTORED_PREFIX)


def new_ticket() -> str:
    """A session's ticket: 256 random bits, never one that reads as unstored (a URL-safe token
    starts with "x-" once in 4,096 draws; its session would then be answered as if it had none)."""
    while is_unstored(ticket := secrets.token_urlsafe(32)):
        pass
    return ticket


def closing_words(unstored: str) -> str:
    reason = unstored.removeprefix(UNSTORED_PREFIX).partition("-")[0]
    return {
        NONE: "Nothing to send; QuickBooks is up to date.",
        BUSY: "Another update for this company is running; this one stopped.",
    }.get(reason, "Session ended.")


@dataclass(frozen=True, slots=True)
class LoginResult:
    answer: list[str]
    company_id: str | None = None
    session_started: bool = False
    # An unknown user name or a wrong password (what the login throttle counts).
    wrong_credentials: bool = False


def refused() -> LoginResult:
    return LoginResult([unstored_ticket(NVU), NVU], wrong_credentials=True)


def _live(row: QbwcSession, state: SessionState, now: datetime, options: SessionOptions) -> bool:
    """Another Web Connector is in the middle of a session for this company."""
    if row.closed_at is not None or row.expires_at <= now:
        return False
    if state.outstanding is not None:
        return False  # it was waiting for an answer: the answer was lost (docs/web-connector.md §1.2 #9)
    return now - state.touched_at < options.busy_window


def _lists_due(row: repository.LoginRow, now: datetime, options: SessionOptions) -> bool:
    """Read QuickBooks' lists without an order to send: the first time once someone asked for them
    (the drop-downs of the dialog or the Accounts tab), afterwards when they are older than allowed.
    Otherwise the first order reads them ("the first order takes longer")."""
    if row.cache_refreshed_at is None:
        return bool((row.pinned_company or {}).get(LISTS_REQUESTED))
    return now - row.cache_refreshed_at > options.cache_max_age


def _verdict(
    row: repository.LoginRow | None,
    password: str,
    *,
    pepper: str,
    now: datetime,
    options: SessionOptions,
    source: str | None = None,
) -> tuple[LoginResult | None, dict[str, object]]:
    """Pure: the answer to give without starting a session (None: start one), and what to write
    on the credential."""
    if row is None:
        return refused(), {}
    if not verify_password(password, row.password_hash, pepper):
        failures = row.failed_logins + 1
        return LoginResult([unstored_ticket(NVU), NVU], row.company_id, wrong_credentials=True), {
            "failed_logins": failures,
            "last_session_outcome": (
                f"Refused at {now:%Y-%m-%d %H:%M} UTC: wrong Web Connector password from "
                f"{source or 'an unknown address'} ({failures} since the last good one)."
            ),
        }
    poll: dict[str, object] = {"last_poll_at": now}
    if row.failed_logins:
        poll.update(failed_logins=0)
    if not row.installed:
        poll["last_session_outcome"] = "Refused: QuickBooks Desktop is not installed for this ESP company."
        return LoginResult([unstored_ticket(NVU), NVU], row.company_id), poll
    if not (row.has_jobs or row.has_unfinished_session or _lists_due(row, now, options)):
        return LoginResult([unstored_ticket(NONE), NONE], row.company_id), poll
    return None, poll


async def quick_answer(
    conn: AsyncConnection,
    username: str,
    password: str,
    *,
    pepper: str,
    now: datetime,
    options: SessionOptions,
    source: str | None = None,
) -> LoginResult | None:
    """The answer of a poll that starts no session — the common case, kept to one query and one
    update on a bare connection (see ``poll_connections``). None: there is work, start a session
    (:func:`start_session`)."""
    row = await repository.login_row(conn, username, now)
    result, updates = _verdict(row, password, pepper=pepper, now=now, options=options, source=source)
    if result is not None and updates and row is not None:
        await repository.update_credential(conn, row.company_id, **updates)
    return result


async def start_session(
    session: AsyncSession,
    username: str,
    password: str,
    *,
    pepper: str,
    now: datetime,
    options: SessionOptions,
    source: str | None = None,
) -> LoginResult:
    """Check again under the credential's lock, then start a session (or answer busy)."""
    row = await repository.login_row(session, username, now)
    result, poll = _verdict(row, password, pepper=pepper, now=now, options=options, source=source)
    if row is not None and poll:
        await repository.update_credential(session, row.company_id, **poll)
    if result is not None or row is None:
        return result or refused()

    await repository.credential(session, row.company_id, for_update=True)  # serialises concurrent logins
    state = SessionState(touched_at=now)
    older = await repository.unfinished_sessions(session, row.company_id)
    olders = [(s, SessionState.from_json(s.state, now=now)) for s in older]
    if any(_live(s, st, now, options) for s, st in olders):
        return LoginResult([unstored_ticket(BUSY), BUSY], row.company_id)

    ticket = new_ticket()
    ticket_hash = hash_token(ticket)
    owner = job_lifecycle.lease_owner(ticket_hash)
    expires = now + options.ticket_ttl
    adopted, left = _adopt(state, olders, now)
    jobs = await repository.jobs_by_id(session, adopted)
    for job in jobs.values():
        job_lifecycle.adopt(job, owner=owner, now=now, expires=expires)
    await _release_orphans(session, row.company_id, keep=adopted | left, now=now)
    session.add(
        QbwcSession(
            ticket_hash=ticket_hash,
            company_id=row.company_id,
            created_at=now,
            expires_at=expires,
            state=state.to_json(),
        )
    )
    path = (row.pinned_company or {}).get("configured_path") or ""
    return LoginResult([ticket, str(path)], row.company_id, session_started=True)


def _adopt(
    state: SessionState, olders: list[tuple[QbwcSession, SessionState]], now: datetime
) -> tuple[set[str], set[str]]:
    """Take over what interrupted sessions left: at most one unanswered message set (recovered
    first), and the jobs they had taken. Returns (adopted job ids, job ids left to a later session)."""
    adopted: set[str] = set()
    left: set[str] = set()
    with_set = [row for row, old in olders if old.outstanding is not None]
    recovering = with_set[-1] if with_set else None
    state.next_tag = max([state.next_tag, *(old.next_tag for _, old in olders)])
    for row, old in olders:
        if old.outstanding is not None and row is not recovering:
            # Another unanswered set waits for the session after this one.
            left |= {p.job_id for p in old.active_jobs()} | old.outstanding.job_ids()
            continue
        if old.outstanding is not None:
            state.outstanding = old.outstanding
            keep_tags = old.outstanding.job_ids()
        else:
            keep_tags = set()
        for progress in old.active_jobs():
            if progress.job_id not in keep_tags:
                progress = JobProgress.from_json({**progress.to_json(), "tag": state.new_tag()})
            state.jobs[progress.job_id] = progress
            adopted.add(progress.job_id)
        row.closed_at = row.closed_at or now
        row.outcome = RECOVERED
    return adopted, left


async def _release_orphans(session: AsyncSession, company_id: str, *, keep: set[str], now: datetime) -> None:
    """Desktop jobs left running by a session whose state is gone go back to waiting."""
    rows = (
        await session.execute(
            select(SendJob).where(
                SendJob.company_id == company_id,
                SendJob.target == "qbd",
                SendJob.status == JobStatus.RUNNING,
            )
        )
    ).scalars()
    for job in rows:
        if str(job.id) not in keep:
            await job_lifecycle.finish(session, job, job_lifecycle.retry_next_session(ORPHANED), now=now)
