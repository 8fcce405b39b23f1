"""What /v1/qbo/* accepts and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from espqb.plan.company import QuickBooksCompany

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


class CompanyOut(BaseModel):
    """The QuickBooks Online company as the gateway last read it (CompanyInfo, Preferences, TaxCode,
    TaxRate, CompanyCurrency): what decides the shape of every document sent to it."""

    name: str | None = Field(default=None, description="CompanyInfo.CompanyName.")
    country: str = Field(
        description="ISO 3166 alpha-2 code of the country whose rules the books follow (CompanyInfo.Country): "
        "US, CA, GB, AU…"
    )
    country_name: str = Field(
        description="The country in words: United States, Canada, United Kingdom, Australia."
    )
    home_currency: str = Field(description="ISO 4217 code of the currency the books are kept in.")
    multi_currency: bool = Field(
        description="Multi-currency is on: documents may be in the home currency or one of `currencies`."
    )
    currencies: list[str] = Field(
        default_factory=list,
        description="The currencies the company has added besides the home currency (multi-currency only). "
        "An order in any other currency is refused with a 409 before anything is written.",
    )
    uses_sales_tax: bool = Field(
        description="The company charges sales tax (Preferences.TaxPrefs.UsingSalesTax)."
    )
    automated_sales_tax: bool = Field(
        description="US automated sales tax (Preferences.TaxPrefs.PartnerTaxEnabled): ESP's tax is sent as an "
        "override with one of the company's tax codes, or as a line with “Add Total Tax as an Item”."
    )
    tax_regime: Literal["us_automated", "us_manual", "per_line_codes"] = Field(
        description="us_automated: US with automated sales tax; us_manual: US, one tax code per invoice and "
        "taxable/non-taxable lines; per_line_codes: Canada, UK, Australia and other non-US companies, where "
        "every line names one of the company's tax codes and QuickBooks computes the tax from their rates."
    )
    tax_codes: int = Field(
        description="How many tax codes the company has (their rates: GET /v1/lookups/tax-codes)."
    )
    custom_txn_numbers: bool = Field(
        description="Custom transaction numbers are on (SalesFormsPrefs.CustomTxnNumbers): documents keep ESP's "
        "numbers; off, QuickBooks numbers them itself."
    )
    allow_discount: bool = Field(
        description="Discount lines are allowed on invoices (SalesFormsPrefs.AllowDiscount)."
    )
    read_at: datetime | None = Field(
        default=None,
        description="When it was read: after connecting, daily, after a change notice from Intuit, and before "
        "a send when none was stored.",
    )

    @classmethod
    def of(cls, company: QuickBooksCompany) -> CompanyOut:
        return cls(
            name=company.name,
            country=company.country,
            country_name=company.country_name,
            home_currency=company.home_currency,
            multi_currency=company.multi_currency,
            currencies=list(company.currencies),
            uses_sales_tax=company.uses_sales_tax,
            automated_sales_tax=company.automated_sales_tax,
            tax_regime=company.regime,
            tax_codes=len(company.tax_codes),
            custom_txn_numbers=company.custom_txn_numbers,
            allow_discount=company.allow_discount,
            read_at=company.read_at,
        )


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
    company: CompanyOut | None = Field(
        default=None,
        description="The QuickBooks company's edition, currencies and sales-form preferences as last read; "
        "null until it has been read (it is read right after connecting, or before the first send).",
    )


class DisconnectOut(ConnectionOut):
    revoked_at_intuit: bool = Field(
        description="False when Intuit could not be told; the tokens were deleted here all the same."
    )
