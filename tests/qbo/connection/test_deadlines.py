"""The three re-authorisation clocks and which one decides (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from qbo_gateway.connection.deadlines import (
    Deadline,
    DeadlineKind,
    earliest_deadline,
    reauth_deadlines,
    reminder_due,
    stable_hard_expiry,
)

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@dataclass
class Connection:
    reauthorized_at: datetime = T0
    last_refresh_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    refresh_hard_expires_at: datetime | None = None


def test_policy_counts_from_the_last_authorisation() -> None:
    connection = Connection(refresh_expires_at=T0 + 400 * DAY)
    assert earliest_deadline(connection, 180) == Deadline(DeadlineKind.POLICY, T0 + 180 * DAY)
    assert earliest_deadline(connection, 90).at == T0 + 90 * DAY


def test_rolling_expiry_decides_when_refreshing_stopped() -> None:
    connection = Connection(refresh_expires_at=T0 + 40 * DAY, refresh_hard_expires_at=T0 + 1800 * DAY)
    assert earliest_deadline(connection, 180) == Deadline(DeadlineKind.REFRESH_ROLLING, T0 + 40 * DAY)


def test_rolling_expiry_unknown_is_counted_from_the_last_refresh() -> None:
    connection = Connection(last_refresh_at=T0 + 10 * DAY)
    kinds = {d.kind: d.at for d in reauth_deadlines(connection, 180)}
    assert kinds == {DeadlineKind.POLICY: T0 + 180 * DAY, DeadlineKind.REFRESH_ROLLING: T0 + 110 * DAY}


def test_hard_cap_decides_when_it_comes_first_and_wins_a_tie() -> None:
    connection = Connection(refresh_expires_at=T0 + 20 * DAY, refresh_hard_expires_at=T0 + 20 * DAY)
    deadlines = reauth_deadlines(connection, 180)
    assert [d.kind for d in deadlines] == [
        DeadlineKind.REFRESH_HARD,
        DeadlineKind.REFRESH_ROLLING,
        DeadlineKind.POLICY,
    ]


def test_reminder_is_due_within_the_notice_period_and_after_the_deadline() -> None:
    deadline = Deadline(DeadlineKind.POLICY, T0)
    assert not reminder_due(deadline, T0 - 7 * DAY - timedelta(seconds=1), 7)
    assert reminder_due(deadline, T0 - 7 * DAY, 7)
    assert reminder_due(deadline, T0 + DAY, 7)
    assert deadline.days_left(T0 - 7 * DAY) == 7
    assert deadline.days_left(T0 + timedelta(hours=1)) == -1


def test_hard_expiry_reported_again_with_jitter_keeps_the_stored_moment() -> None:
    stored = T0 + 1800 * DAY
    assert stable_hard_expiry(stored, stored + timedelta(seconds=3)) == stored
    assert stable_hard_expiry(None, stored) == stored
    assert stable_hard_expiry(stored, stored + 30 * DAY) == stored + 30 * DAY
