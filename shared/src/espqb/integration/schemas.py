"""What the Integrations page reads and writes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from espqb.plan.company import QuickBooksCompany
from espqb.plan.inputs import ChargeItemNames, DefaultAccounts, DocumentDefaults, ItemNameSource, TaxDefault

Product = Literal["qbo", "qbd"]


class InstallRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"product": "qbo"}]})

    product: Product = Field(
        description="`qbo` = QuickBooks Online, `qbd` = QuickBooks Desktop (Web Connector)."
    )


class IntegrationOut(BaseModel):
    product: Product | None = Field(description="The installed product, or null when none is installed.")
    status: Literal["installed", "uninstalled", "not_installed"]
    installed_at: datetime | None = None
    uninstalled_at: datetime | None = None
    next_steps: str = Field(description="What the admin does next, in words.")
    quickbooks_company: QuickBooksCompany | None = Field(
        default=None,
        description=(
            "The QuickBooks company the integration writes to, as last read from QuickBooks: country "
            "(US, CA, GB, AU…), home currency, multi-currency and the currencies added, automated sales "
            "tax (QuickBooks Online, US), the company's tax codes with their rates. Null until read "
            "(QuickBooks Online: when connected; Desktop: at the Web Connector's first session)."
        ),
    )


class SettingsBody(BaseModel):
    """The settings tabs. Details: who may send and which documents, billable customers, item names.
    Accounts: default QuickBooks accounts. (Customers: see /v1/mappings and the CRM link routes.)"""

    model_config = ConfigDict(extra="forbid")

    who_may_send: Literal["everyone", "selected"] = "everyone"
    allowed_teams: list[str] = Field(
        default_factory=list, description="With `selected`: teams whose members may send."
    )
    allowed_users: list[str] = Field(default_factory=list, description="With `selected`: users who may send.")
    allow_invoices: bool = True
    allow_bills: bool = True
    allow_purchase_orders: bool = True
    set_customers_billable: bool = Field(
        False, description="Bill/PO lines carry the customer, marked billable."
    )
    item_name_source: ItemNameSource = Field(
        "product_number", description="Which ESP field names the QuickBooks item."
    )
    default_accounts: DefaultAccounts = Field(default_factory=DefaultAccounts)
    tax_default: TaxDefault = Field(default_factory=TaxDefault)
    charge_items: ChargeItemNames = Field(default_factory=ChargeItemNames)
    document_defaults: DocumentDefaults = Field(
        default_factory=DocumentDefaults,
        description="Terms, class and location the documents carry when the order names none.",
    )
    notify_emails: list[EmailStr] = Field(
        default_factory=list, description="Admins e-mailed about re-authorisation deadlines and failures."
    )


class SettingsOut(SettingsBody):
    model_config = ConfigDict(extra="forbid")

    updated_at: datetime | None = None
    updated_by: str | None = None
