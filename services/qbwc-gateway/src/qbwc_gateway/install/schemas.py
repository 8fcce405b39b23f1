"""What the QuickBooks Desktop install and status pages read and write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PasswordOut(BaseModel):
    username: str = Field(description="The Web Connector user name (also in the .qwc file).")
    password: str = Field(description="Shown once: paste it into the Web Connector. Only a hash is kept.")
    generated_at: datetime
    note: str


class CompanyFileBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str | None = Field(
        default=None,
        max_length=500,
        description="Full path of the company file the Web Connector should open, or null to use the "
        "company file open in QuickBooks (the default).",
    )


class WebConnectorOut(BaseModel):
    username: str | None
    password_set_at: datetime | None
    last_poll_at: datetime | None = Field(description="When the Web Connector last called.")
    last_session_outcome: str | None
    last_connection_error: str | None
    failed_logins: int = Field(
        description="Wrong passwords since the last good one. They never lock the Web Connector out: "
        "attempts are slowed down per source address instead."
    )


class CacheOut(BaseModel):
    refreshed_at: datetime | None = Field(description="When QuickBooks' lists were last read.")
    age_seconds: int | None
    fresh: bool
    entries: dict[str, int] = Field(description="Cached records per QuickBooks list type.")


class PendingOut(BaseModel):
    waiting: int = Field(description="Sends waiting for the Web Connector.")
    sending: int = Field(description="Sends in a Web Connector session right now.")
    oldest_waiting_since: datetime | None


class LastSessionOut(BaseModel):
    started_at: datetime
    closed_at: datetime | None
    outcome: str | None


class QbwcStatusOut(BaseModel):
    installed: bool
    web_connector: WebConnectorOut
    company_file: dict[str, Any] | None = Field(
        description="The QuickBooks company file this ESP company is pinned to (after the first session)."
    )
    qbxml_version: str | None
    cache: CacheOut
    pending: PendingOut
    last_session: LastSessionOut | None
