"""What the QuickBooks Desktop install and status pages read and write."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from espqb.plan.company import TaxRegime


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


class TaxCodeOut(BaseModel):
    id: str | None = Field(description="Its ListID in the company file.")
    name: str
    label: str = Field(description='How ESP names it: "H (13 %)".')
    taxable: bool
    sales_percent: str | None = Field(description="The rate QuickBooks adds on sales (null: not known).")
    purchase_percent: str | None = Field(description="Canada/UK: the rate it adds on purchases.")


class DesktopCompanyOut(BaseModel):
    """The QuickBooks company file as the last Web Connector session read it."""

    edition: Literal["us", "ca", "uk"] | str = Field(
        description="QuickBooks Desktop's edition, from HostQuery's Country (US, CA, UK; the Web "
        "Connector's qbXMLCountry is the cross-check): us, ca or uk."
    )
    country: str = Field(description='ISO 3166 alpha-2 ("GB" for a UK file).')
    country_name: str
    name: str | None = Field(description="The company's name in QuickBooks.")
    home_currency: str = Field(description="ISO 4217 code of the currency the books are kept in.")
    multi_currency: bool
    currencies: list[str] = Field(
        description="Other currencies the company file has (ISO codes), with multi-currency on."
    )
    tax_regime: TaxRegime = Field(
        description="us_manual: the invoice's sales tax item computes the tax over the taxable lines "
        "(US); per_line_codes: every line carries one of the company's sales tax codes (Canada, UK)."
    )
    uses_sales_tax: bool
    default_sales_tax_item: str | None = Field(
        description="US: the sales tax item QuickBooks uses by default."
    )
    tax_codes: list[TaxCodeOut] = Field(
        description="US: the sales tax items and groups; Canada/UK: the sales tax codes with their rates."
    )
    read_at: datetime | None = Field(description="When a Web Connector session last read it.")


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
    company: DesktopCompanyOut | None = Field(
        description="The QuickBooks company file's edition, currencies and tax codes as the last session "
        "read them (null until a session has read its lists)."
    )
