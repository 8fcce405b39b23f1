"""espqb status: the Grafana dashboard's figures as tables in a terminal, read from the database.

The figures come from ``espqb.ops.read_status``; this file only lays them out.
"""

from __future__ import annotations

import asyncio
import functools
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from espqb.ops import StatusReport


def _when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    ago = now - moment
    if ago < timedelta(0):
        return f"{moment:%Y-%m-%d %H:%M} UTC"
    if ago < timedelta(hours=1):
        return f"{moment:%Y-%m-%d %H:%M} UTC ({int(ago.total_seconds() // 60)} min ago)"
    if ago < timedelta(days=2):
        return f"{moment:%Y-%m-%d %H:%M} UTC ({int(ago.total_seconds() // 3600)} h ago)"
    return f"{moment:%Y-%m-%d %H:%M} UTC ({ago.days} days ago)"


def _table(title: str, *columns: str) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left", title_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _tables(report: StatusReport) -> list[Table | str]:
    now = report.generated_at
    out: list[Table | str] = []

    queue = _table("Send queue (jobs not finished)", "Target", "Status", "Jobs", "Oldest")
    for depth in report.queue:
        queue.add_row(depth.target, depth.status, str(depth.jobs), _when(depth.oldest_created_at, now))
    out.append(queue if report.queue else "Send queue: empty")

    sends = _table(
        f"Sends finished in the last {int((now - report.sends_since).total_seconds() // 3600)} h",
        "Company",
        "Target",
        "Sent",
        "Partly",
        "Failed",
        "Cancelled",
        "Last failure",
    )
    for row in report.sends:
        sends.add_row(
            row.company_id,
            row.target,
            str(row.succeeded),
            str(row.partially_succeeded),
            str(row.failed),
            str(row.cancelled),
            row.last_failure or "",
        )
    out.append(sends if report.sends else "Sends in the last 24 h: none")

    polls = _table("Web Connector", "Company", "User", "Last poll", "Waiting", "Last session", "Problem")
    for poll in report.web_connector:
        problem = poll.last_connection_error or ""
        if poll.failed_logins:
            problem = f"{poll.failed_logins} wrong passwords since the last good one {problem}".strip()
        polls.add_row(
            poll.company_id,
            poll.username,
            _when(poll.last_poll_at, now),
            str(poll.waiting_jobs),
            poll.last_session_outcome or "",
            problem,
        )
    out.append(polls if report.web_connector else "Web Connector: no company has set it up")

    connections = _table(
        "QuickBooks Online connections", "Company", "Books", "Status", "Last token refresh", "Last error"
    )
    for connection in report.qbo_connections:
        connections.add_row(
            connection.company_id,
            connection.company_name or f"realm {connection.realm_id}",
            connection.status,
            _when(connection.last_refresh_at, now),
            connection.last_error or "",
        )
    out.append(connections if report.qbo_connections else "QuickBooks Online: no connections")

    notices = report.qbo_webhook_notices
    if notices.pending or notices.failed:
        table = _table("Intuit's webhook notices", "State", "Notices", "Oldest / latest problem")
        table.add_row("waiting to be applied", str(notices.pending), _when(notices.oldest_pending_at, now))
        table.add_row("given up after every retry", str(notices.failed), notices.last_failure or "")
        out.append(table)
    else:
        out.append("Intuit's webhook notices: all applied")

    deadlines = _table(
        f"Re-authorisation deadlines in the next {report.deadline_horizon_days} days",
        "Company",
        "Books",
        "Deadline",
        "Why",
        "Days left",
    )
    for deadline in report.deadlines or []:
        deadlines.add_row(
            deadline.company_id,
            deadline.company_name or "",
            f"{deadline.at:%Y-%m-%d %H:%M} UTC",
            deadline.kind,
            str(deadline.days_left),
        )
    out.append(
        deadlines
        if report.deadlines
        else f"Re-authorisation deadlines in the next {report.deadline_horizon_days} days: none"
    )
    return out


def status(
    as_json: bool = typer.Option(
        False, "--json", help="Print the figures as one JSON document instead of tables."
    ),
    days: int = typer.Option(
        14, "--days", min=1, help="Show re-authorisation deadlines this many days ahead."
    ),
) -> None:
    """Show the system at a glance: send queue by target and status, sends and failures per company
    (last 24 h), each Web Connector's last poll and outcome, QuickBooks Online connections with
    their token refresh errors, Intuit's webhook notices not applied (waiting, or given up on after
    every retry), and the re-authorisation deadlines coming up. Read from the database:
    the same figures as the Grafana dashboard."""
    from rich.console import Console

    from espqb.config import get_settings
    from espqb.db import Database
    from espqb.observability.logging import configure_from_settings
    from espqb.ops import read_status
    from qbo_gateway.connection.deadlines import earliest_deadline

    settings = get_settings()
    configure_from_settings(settings)
    deadline_of = functools.partial(earliest_deadline, policy_days=settings.reauth_policy_days)

    async def run() -> StatusReport:
        db = Database.from_url(settings.database_url)
        try:
            return await read_status(db, deadline_of=deadline_of, deadline_horizon=timedelta(days=days))
        finally:
            await db.dispose()

    report = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
        return
    console = Console(soft_wrap=False)
    for block in _tables(report):
        console.print(block)
        console.print()
