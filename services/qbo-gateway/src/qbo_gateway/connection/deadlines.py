"""When a QuickBooks Online connection must be re-authorised (pure: no I/O, no clock of its own).

Three clocks, the earliest wins (docs/quickbooks-online.md §1.4, and the "[derived]" note after §1.6):

- ``policy``: ESP's own rule, re-authorise every REAUTH_POLICY_DAYS (180) days after the last
  (re)authorisation — what ESP's help article promises ("every six months");
- ``refresh_rolling``: Intuit's refresh token expires 100 days after it was last used; the daily
  keep-alive refresh (reminders.keep_alive) keeps this one far away, so it only comes near when
  refreshing has been failing;
- ``refresh_hard``: Intuit's five-year cap on every authorisation, reported as
  ``x_refresh_token_hard_expires_in`` only when asked for; unknown (absent) otherwise.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

# docs/quickbooks-online.md §1.4: "valid for 100 days. This is a rolling expiry date that is extended each
# time the token is used to refresh an access token".
ROLLING_REFRESH_LIFETIME = timedelta(days=100)


class DeadlineKind(enum.StrEnum):
    POLICY = "policy"
    REFRESH_ROLLING = "refresh_rolling"
    REFRESH_HARD = "refresh_hard"


# When two clocks end at the same moment the reminder names the one that explains it best: the hard
# cap cannot be extended by anything, the policy is ESP's, the rolling expiry is a symptom.
_TIE_ORDER = {DeadlineKind.REFRESH_HARD: 0, DeadlineKind.POLICY: 1, DeadlineKind.REFRESH_ROLLING: 2}


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    at: datetime

    def days_left(self, now: datetime) -> int:
        """Whole days from `now` until the deadline (negative once it has passed)."""
        return (self.at - now) // timedelta(days=1)


class DeadlineSource(Protocol):
    """The parts of a `QboConnection` the deadlines are computed from."""

    @property
    def reauthorized_at(self) -> datetime: ...
    @property
    def last_refresh_at(self) -> datetime | None: ...
    @property
    def refresh_expires_at(self) -> datetime | None: ...
    @property
    def refresh_hard_expires_at(self) -> datetime | None: ...


def reauth_deadlines(connection: DeadlineSource, policy_days: int) -> list[Deadline]:
    """Every known deadline of the connection, earliest first."""
    deadlines = [Deadline(DeadlineKind.POLICY, connection.reauthorized_at + timedelta(days=policy_days))]
    rolling = connection.refresh_expires_at
    if rolling is None:
        # Intuit did not say (x_refresh_token_expires_in missing): count from the last refresh.
        rolling = (connection.last_refresh_at or connection.reauthorized_at) + ROLLING_REFRESH_LIFETIME
    deadlines.append(Deadline(DeadlineKind.REFRESH_ROLLING, rolling))
    if connection.refresh_hard_expires_at is not None:
        deadlines.append(Deadline(DeadlineKind.REFRESH_HARD, connection.refresh_hard_expires_at))
    return sorted(deadlines, key=lambda d: (d.at, _TIE_ORDER[d.kind]))


def earliest_deadline(connection: DeadlineSource, policy_days: int) -> Deadline:
    """The deadline that decides when the connection must be re-authorised."""
    return reauth_deadlines(connection, policy_days)[0]


def reminder_due(deadline: Deadline, now: datetime, notice_days: int) -> bool:
    """Whether admins should be told now: the deadline is `notice_days` away or closer (or past)."""
    return deadline.at - now <= timedelta(days=notice_days)


def stable_hard_expiry(stored: datetime | None, reported: datetime) -> datetime:
    """The hard cap as stored after a refresh.

    Intuit reports the cap as seconds from *its* now, so each refresh computes a slightly different
    moment for the same cap (network time, clock skew). Keeping the stored value while the two agree
    within a day keeps the deadline — and so its once-only reminder — stable; a real change (a new
    authorisation) is far larger than that.
    """
    if stored is not None and abs(stored - reported) < timedelta(days=1):
        return stored
    return reported
