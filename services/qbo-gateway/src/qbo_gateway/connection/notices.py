"""The words admins receive about their QuickBooks Online connection (webhook and e-mail alike)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from qbo_gateway.connection.deadlines import Deadline, DeadlineKind
from qbo_gateway.connection.statuses import RECONNECT_HOW

REAUTH_DUE = "qbo.reauth_due"
REAUTH_REQUIRED = "qbo.reauth_required"


@dataclass(frozen=True)
class Notice:
    kind: str
    subject: str
    body: str
    payload: dict[str, Any]
    dedupe_key: str


def _day(moment: datetime) -> str:
    return moment.strftime("%d %B %Y").lstrip("0")


def _books(company_name: str | None, realm_id: str) -> str:
    return (
        f"{company_name} (QuickBooks company {realm_id})"
        if company_name
        else f"QuickBooks company {realm_id}"
    )


def _why(deadline: Deadline, policy_days: int, reauthorized_at: datetime) -> str:
    if deadline.kind is DeadlineKind.POLICY:
        return (
            f"ESP asks for the QuickBooks Online connection to be re-authorised every {policy_days} days; "
            f"it was last authorised on {_day(reauthorized_at)}."
        )
    if deadline.kind is DeadlineKind.REFRESH_HARD:
        return "Intuit limits every QuickBooks Online authorisation to five years, and this one reaches that limit."
    return (
        "Intuit's sign-in for this connection expires 100 days after it was last renewed, and renewing it "
        "has not succeeded lately."
    )


def reauth_due(
    *,
    company_id: str,
    realm_id: str,
    company_name: str | None,
    deadline: Deadline,
    policy_days: int,
    reauthorized_at: datetime,
    now: datetime,
) -> Notice:
    days = deadline.days_left(now)
    when = f"in {days} day{'s' if days != 1 else ''}" if days >= 0 else "now (the date has passed)"
    subject = f"Re-authorise QuickBooks Online by {_day(deadline.at)}"
    body = (
        f"The connection between ESP and {_books(company_name, realm_id)} must be re-authorised by "
        f"{_day(deadline.at)} ({when}).\n\n"
        f"{_why(deadline, policy_days, reauthorized_at)}\n\n"
        f"{RECONNECT_HOW} Signing in to the same QuickBooks company keeps everything as it is.\n\n"
        "If nobody re-authorises it in time, orders sent to QuickBooks wait (nothing is lost) until someone does."
    )
    return Notice(
        kind=REAUTH_DUE,
        subject=subject,
        body=body,
        payload={
            "realm_id": realm_id,
            "company_name": company_name,
            "deadline_kind": deadline.kind.value,
            "deadline_at": deadline.at.isoformat(),
            "days_left": days,
        },
        dedupe_key=f"{REAUTH_DUE}:{company_id}:{deadline.kind.value}:{deadline.at.isoformat()}",
    )


def reauth_required(
    *,
    company_id: str,
    realm_id: str,
    company_name: str | None,
    reason: str,
    reauthorized_at: datetime,
    held_jobs: int,
) -> Notice:
    waiting = f" {held_jobs} order send{'s are' if held_jobs != 1 else ' is'} waiting." if held_jobs else ""
    body = (
        f"QuickBooks Online no longer accepts ESP's authorisation for {_books(company_name, realm_id)}: {reason}\n\n"
        f"Orders sent to QuickBooks are held, not lost, and continue by themselves once the connection is "
        f"re-authorised.{waiting}\n\n{RECONNECT_HOW}"
    )
    return Notice(
        kind=REAUTH_REQUIRED,
        subject="QuickBooks Online needs to be re-authorised now",
        body=body,
        payload={
            "realm_id": realm_id,
            "company_name": company_name,
            "reason": reason,
            "held_jobs": held_jobs,
        },
        # One incident per authorisation: a second failure before reconnecting says nothing new, a
        # failure after reconnecting (new reauthorized_at) is a new incident.
        dedupe_key=f"{REAUTH_REQUIRED}:{company_id}:{reauthorized_at.isoformat()}",
    )
