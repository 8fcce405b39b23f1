"""The figures ``espqb status`` prints (and ``--json`` writes), as plain values."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

__all__ = [
    "CompanySends",
    "DeadlineLike",
    "DeadlineOf",
    "QboConnectionState",
    "QueueDepth",
    "ReauthDeadline",
    "StatusReport",
    "WebConnectorPoll",
    "WebhookNotices",
]


class DeadlineLike(Protocol):
    """What ``qbo_gateway.connection.deadlines.Deadline`` offers (the shared library cannot import it)."""

    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime: ...


class DeadlineOf(Protocol):
    """The earliest re-authorisation deadline of a QBO connection row, e.g.
    ``functools.partial(earliest_deadline, policy_days=settings.reauth_policy_days)``."""

    def __call__(self, connection: Any, /) -> DeadlineLike: ...


@dataclass(frozen=True, slots=True)
class QueueDepth:
    target: str
    status: str
    jobs: int
    oldest_created_at: datetime | None


@dataclass(frozen=True, slots=True)
class CompanySends:
    company_id: str
    target: str
    succeeded: int
    partially_succeeded: int
    failed: int
    cancelled: int
    last_failure: str | None


@dataclass(frozen=True, slots=True)
class WebConnectorPoll:
    company_id: str
    username: str
    last_poll_at: datetime | None
    last_session_outcome: str | None
    last_connection_error: str | None
    failed_logins: int
    waiting_jobs: int


@dataclass(frozen=True, slots=True)
class QboConnectionState:
    company_id: str
    realm_id: str
    company_name: str | None
    status: str
    last_refresh_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class WebhookNotices:
    """Intuit's webhook notices (``qbo_webhook_notices``): those not applied yet, and those given up
    on after every retry (they stay for ops to read; nothing else will apply them)."""

    pending: int
    oldest_pending_at: datetime | None
    failed: int
    last_failure: str | None  # the latest one given up on: company, entity and error


@dataclass(frozen=True, slots=True)
class ReauthDeadline:
    company_id: str
    company_name: str | None
    status: str
    kind: str
    at: datetime
    days_left: int


@dataclass(frozen=True, slots=True)
class StatusReport:
    generated_at: datetime
    sends_since: datetime
    deadline_horizon_days: int
    queue: list[QueueDepth]
    sends: list[CompanySends]
    web_connector: list[WebConnectorPoll]
    qbo_connections: list[QboConnectionState]
    qbo_webhook_notices: WebhookNotices
    deadlines: list[ReauthDeadline] | None  # None: not computed (no deadline function given)

    def to_json(self) -> dict[str, Any]:
        return _plain(dataclasses.asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
