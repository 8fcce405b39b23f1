"""The system at a glance, from the database: what ``espqb status`` prints and the Grafana
dashboard shows (the dashboard from Prometheus, this from the rows the gauges are sampled from)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from espqb.db import Database
from espqb.db.models import QboConnection
from espqb.db.types import utcnow
from espqb.ops import queries
from espqb.ops.status_model import DeadlineOf, QboConnectionState, ReauthDeadline, StatusReport

__all__ = ["DEADLINE_HORIZON", "SENDS_WINDOW", "read_status", "upcoming_deadlines"]

SENDS_WINDOW = timedelta(hours=24)
# The brief's "coming up in the next 14 days": twice ESP's one-week notice, so a deadline shows up
# a week before admins are told about it.
DEADLINE_HORIZON = timedelta(days=14)
# A disconnected company has nothing left to re-authorise; a connection needing re-authorisation
# already missed its deadline and is listed with it (negative days left).
_DEADLINE_STATUSES = ("connected", "needs_reauth")


def upcoming_deadlines(
    connections: Iterable[QboConnection], deadline_of: DeadlineOf, *, now: datetime, horizon: timedelta
) -> list[ReauthDeadline]:
    """Connections whose earliest re-authorisation deadline is within ``horizon`` (or past), soonest first."""
    found: list[ReauthDeadline] = []
    for row in connections:
        if row.status not in _DEADLINE_STATUSES:
            continue
        deadline = deadline_of(row)
        if deadline.at - now <= horizon:
            found.append(
                ReauthDeadline(
                    company_id=row.company_id,
                    company_name=row.company_name,
                    status=row.status,
                    kind=str(deadline.kind),
                    at=deadline.at,
                    days_left=(deadline.at - now) // timedelta(days=1),
                )
            )
    return sorted(found, key=lambda d: (d.at, d.company_id))


async def read_status(
    db: Database,
    *,
    deadline_of: DeadlineOf | None = None,
    now: datetime | None = None,
    sends_window: timedelta = SENDS_WINDOW,
    deadline_horizon: timedelta = DEADLINE_HORIZON,
) -> StatusReport:
    now = now or utcnow()
    since = now - sends_window
    async with db.sessions() as session:
        queue = await queries.queue_depth(session)
        sends = await queries.sends_since(session, since)
        polls = await queries.web_connector_polls(session)
        connections = await queries.qbo_connections(session)
        notices = await queries.webhook_notices(session)
    return StatusReport(
        generated_at=now,
        sends_since=since,
        deadline_horizon_days=deadline_horizon // timedelta(days=1),
        queue=queue,
        sends=sends,
        web_connector=polls,
        qbo_connections=[
            QboConnectionState(
                row.company_id,
                row.realm_id,
                row.company_name,
                row.status,
                row.last_refresh_at,
                row.last_error,
            )
            for row in connections
        ],
        qbo_webhook_notices=notices,
        deadlines=(
            None
            if deadline_of is None
            else upcoming_deadlines(connections, deadline_of, now=now, horizon=deadline_horizon)
        ),
    )
