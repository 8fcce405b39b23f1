"""How a session ends: closeConnection, connectionError, and the words getLastError gives.

A session ending with a message set unanswered is marked *interrupted*: its jobs stay with it and
the next session recovers the set before anything else. Jobs it had taken but not finished go back
to waiting for the next update.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from espqb.config import Settings
from espqb.db.models import QbwcSession

from ..responses import hresult_words
from . import outcomes, repository
from .repository import INTERRUPTED
from .state import SessionState

UNFINISHED = "The update ended before this order was finished; it will be sent at the next update."


def summary(state: SessionState) -> str:
    """One line for the Web Connector's status column and the status page."""
    tally = state.tally
    if state.last_error and not tally.finished:
        return state.last_error
    parts: list[str] = []
    if tally.succeeded:
        parts.append(f"{tally.succeeded} order{'s' if tally.succeeded != 1 else ''} sent to QuickBooks")
    if tally.partly:
        parts.append(f"{tally.partly} partly sent")
    if tally.failed:
        parts.append(f"{tally.failed} failed")
    if tally.retry:
        parts.append(f"{tally.retry} to send at the next update")
    if not parts:
        parts.append("QuickBooks lists refreshed" if state.refreshed_this_session else "nothing to send")
    text = "; ".join(parts)
    if tally.failed or tally.partly:
        text += " (see the order's send status in ESP)"
    return text[0].upper() + text[1:] + "."


async def close(
    session: AsyncSession, row: QbwcSession, state: SessionState, *, now: datetime, settings: Settings
) -> str:
    if state.outstanding is not None:
        row.outcome = INTERRUPTED
        text = "Update interrupted: the next update checks what QuickBooks saved and finishes the orders."
    else:
        for progress in state.active_jobs():
            progress.retry_next_session = UNFINISHED
            jobs = await repository.jobs_by_id(session, [progress.job_id])
            await outcomes.finish(
                session, jobs[progress.job_id], progress, None, state, now=now, settings=settings
            )
        text = summary(state)
        row.outcome = text
    row.closed_at = now
    await repository.update_credential(session, row.company_id, last_session_outcome=text)
    return text


async def connection_failed(
    session: AsyncSession, row: QbwcSession, state: SessionState, hresult: str, message: str, *, now: datetime
) -> None:
    """The Web Connector could not open the company file: note why, keep any work in flight."""
    words = hresult_words(hresult, message)
    state.last_error = words
    keeps_work = state.outstanding is not None or bool(state.active_jobs())
    row.outcome = INTERRUPTED if keeps_work else f"Could not connect to QuickBooks: {words}"
    row.last_error = words
    row.closed_at = now
    await repository.update_credential(
        session,
        row.company_id,
        last_connection_error=f"{now:%Y-%m-%d %H:%M} UTC: {words}",
        last_session_outcome=f"Could not connect to QuickBooks: {words}",
    )
