"""The OAuth `state` parameter: what binds Intuit's redirect back to the admin who started it.

A state is 32 random bytes, handed to the browser once (in the authorisation URL) and never
stored: `oauth_states` keeps only its SHA-256, with the company, the user, whether the admin
confirmed switching to other books, and an expiry ten minutes out. Consuming it is one conditional
UPDATE (unused and unexpired → used), so two callbacks racing with the same state — a double click,
a replay — cannot both pass (docs/quickbooks-online.md §1.3: check the state; the code it carries is single
use).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.db.models import OAuthState
from espqb.errors import EspqbError

STATE_LIFETIME = timedelta(minutes=10)
# Spent and expired states are kept a while (they explain "already used" vs "unknown"), then purged.
_STATE_RETENTION = timedelta(days=1)
_MAX_STATE_LENGTH = 200

states = cast(Table, OAuthState.__table__)


def hash_state(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedState:
    value: str
    expires_at: datetime


@dataclass(frozen=True)
class ConsumedState:
    company_id: str
    user_id: str
    confirm_realm_change: bool


class StateProblem(enum.StrEnum):
    MISSING = "missing"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


class StateRejected(EspqbError):
    """The OAuth ``state`` of a callback is missing, unknown, expired or used; the callback answers
    with the page for that problem."""

    slug, title = "oauth-state-rejected", "The connection attempt is not valid"

    def __init__(self, problem: StateProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


async def issue_state(
    session: AsyncSession, *, company_id: str, user_id: str, confirm_realm_change: bool, now: datetime
) -> IssuedState:
    await session.execute(delete(states).where(states.c.expires_at < now - _STATE_RETENTION))
    value = secrets.token_urlsafe(32)
    expires_at = now + STATE_LIFETIME
    session.add(
        OAuthState(
            state_hash=hash_state(value),
            company_id=company_id,
            user_id=user_id,
            confirm_realm_change=confirm_realm_change,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()
    return IssuedState(value, expires_at)


async def consume_state(session: AsyncSession, value: str | None, *, now: datetime) -> ConsumedState:
    """Spend the state once; raises `StateRejected` saying why it cannot be spent."""
    if not value:
        raise StateRejected(StateProblem.MISSING)
    if len(value) > _MAX_STATE_LENGTH:
        raise StateRejected(StateProblem.UNKNOWN)
    digest = hash_state(value)
    spent = (
        await session.execute(
            update(states)
            .where(states.c.state_hash == digest, states.c.used_at.is_(None), states.c.expires_at > now)
            .values(used_at=now)
            .returning(states.c.company_id, states.c.user_id, states.c.confirm_realm_change)
        )
    ).first()
    if spent is not None:
        return ConsumedState(spent.company_id, spent.user_id, bool(spent.confirm_realm_change))
    row = (await session.execute(select(states.c.used_at).where(states.c.state_hash == digest))).first()
    if row is None:
        raise StateRejected(StateProblem.UNKNOWN)
    raise StateRejected(StateProblem.USED if row.used_at is not None else StateProblem.EXPIRED)
