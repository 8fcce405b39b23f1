"""What /v1/qbo/* accepts and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

ConnectionStatus = Literal["not_connected", "connected", "needs_reauth", "disconnected"]


class ConnectRequest(BaseModel):
    confirm_realm_change: bool = Field(
        default=False,
        description="Allow this sign-in to connect QuickBooks books other than the ones connected before. "
        "ESP then forgets every link (customers, vendors, items, documents) into the previous books.",
    )


class ConnectOut(BaseModel):
    authorization_url: str = Field(description="Open this Intuit sign-in page in the admin's browser.")
    expires_at: datetime = Field(description="The sign-in must be completed before this time (10 minutes).")
    confirm_realm_change: bool


class DeadlineOut(BaseModel):
    kind: Literal["policy", "refresh_rolling", "refresh_hard"] = Field(
        description="policy: ESP's every-180-days rule; refresh_rolling: Intuit's 100-day refresh-token expiry "
        "(kept away by a daily refresh); refresh_hard: Intuit's five-year cap."
    )
    at: datetime
    days_left: int


class ConnectionOut(BaseModel):
    status: ConnectionStatus
    realm_id: str | None = None
    company_name: str | None = None
    connected_at: datetime | None = None
    reauthorized_at: datetime | None = None
    last_refresh_at: datetime | None = None
    last_error: str | None = None
    reauthorize_by: DeadlineOut | None = Field(default=None, description="The earliest of `deadlines`.")
    deadlines: list[DeadlineOut] = Field(default_factory=list)
    reminder_due: bool = Field(
        default=False, description="Admins are being reminded (within the notice period)."
    )
    notice_days: int


class DisconnectOut(ConnectionOut):
    revoked_at_intuit: bool = Field(
        description="False when Intuit could not be told; the tokens were deleted here all the same."
    )
