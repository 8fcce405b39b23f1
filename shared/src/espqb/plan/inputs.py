"""What the planner needs besides the order and the dialog's choices.

``PlanSettings`` mirrors the company's settings tabs (Details, Accounts) plus the names of the
helper items the plan uses. ``KnownMappings`` is what the database already knows about this
company's QuickBooks file: which ESP customer/supplier/product is which QuickBooks record, which
documents of this order were already written (with the version token an update needs), and which
names are already taken in QuickBooks, so new names can avoid them.

Both are plain data (pydantic, frozen); loading them is the caller's job.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from espqb.orders.choices import QuickBooksRef
from espqb.orders.fields import ShortText
from espqb.orders.snapshot import ChargeKind

__all__ = [
    "ChargeItemNames",
    "DefaultAccounts",
    "DocumentDefaults",
    "ItemNameSource",
    "KnownMappings",
    "MappedRecord",
    "NamesInUse",
    "PlanSettings",
    "TakenName",
    "TaxDefault",
    "TaxOption",
]

ItemNameSource = Literal["product_number", "product_name"]
TaxOption = Literal["item", "quickbooks_default", "code"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DefaultAccounts(_Model):
    """The Accounts tab. ``None`` leaves the choice to QuickBooks' own default where it has one."""

    ar: QuickBooksRef | None = None
    income: QuickBooksRef | None = None
    ap: QuickBooksRef | None = None
    cogs: QuickBooksRef | None = None
    # The account the Desktop discount item posts to; the income account when not set.
    discount: QuickBooksRef | None = None
    # The account the "Add Total Tax as an Item" item posts to. Tax collected is owed to the state,
    # so a sales-tax liability account is the right choice; the income account when not set.
    tax: QuickBooksRef | None = None


class TaxDefault(_Model):
    """How the invoice's tax reaches QuickBooks when the dialog does not say, and, for companies
    outside the US, which of the company's tax codes go on the lines (by QuickBooks id or name)."""

    option: TaxOption = "item"
    code: ShortText | None = None
    # Outside the US every line names one of the company's tax codes (docs/quickbooks-online.md §6.5).
    # Left out, the plan picks the code matching the order's tax (by name, else by rate) and the
    # company's zero-rated/exempt code for lines without tax.
    sales_code: ShortText | None = Field(
        default=None, description="Outside the US: the code on taxable invoice lines (e.g. HST ON)."
    )
    no_tax_code: ShortText | None = Field(
        default=None,
        description="Outside the US: the code on invoice lines without tax (e.g. Exempt, Zero-rated).",
    )
    purchase_code: ShortText | None = Field(
        default=None,
        description=(
            "Outside the US: the code on bill and purchase-order lines; left out, the zero-rated/exempt "
            "code, so the documents equal ESP's cost."
        ),
    )

    @model_validator(mode="after")
    def _code_when_needed(self) -> TaxDefault:
        if self.option == "code" and self.code is None:
            raise PydanticCustomError(
                "tax_code_missing", "the default tax option is a tax code, but no code is set"
            )
        return self


class DocumentDefaults(_Model):
    """What the documents carry when the order does not say (issue 13: document details)."""

    terms: ShortText | None = Field(
        default=None, description="The invoice's payment terms when the order names none (e.g. Net 30)."
    )
    vendor_terms: ShortText | None = Field(
        default=None, description="The bills' and purchase orders' terms when the supplier names none."
    )
    class_name: ShortText | None = Field(
        default=None, description="The QuickBooks class of every document when the order names none."
    )
    location: ShortText | None = Field(
        default=None,
        description="The QuickBooks Online location (department) of every document when the order names none.",
    )
    create_list_entries: bool = Field(
        default=True,
        description=(
            "Terms, classes, locations, ship methods and customer messages missing from QuickBooks are added; "
            "false refuses the send instead (sales reps are never added)."
        ),
    )


class ChargeItemNames(_Model):
    """The QuickBooks item each kind of extra charge is written on."""

    setup: ShortText = "Setup Charge"
    run: ShortText = "Run Charge"
    shipping: ShortText = "Shipping"
    other: ShortText = "Other Charge"

    def for_kind(self, kind: ChargeKind) -> str:
        name: str = getattr(self, kind)
        return name


class PlanSettings(_Model):
    item_name_source: ItemNameSource = "product_number"
    set_customers_billable: bool = False
    # Details tab: which documents users may send at all.
    allow_invoices: bool = True
    allow_bills: bool = True
    allow_purchase_orders: bool = True
    # What the dialog does when the user leaves a document unticked/untouched.
    send_invoice_by_default: bool = True
    send_bill_by_default: bool = True
    send_purchase_order_by_default: bool = False
    default_accounts: DefaultAccounts = Field(default_factory=DefaultAccounts)
    tax_default: TaxDefault = Field(default_factory=TaxDefault)
    charge_items: ChargeItemNames = Field(default_factory=ChargeItemNames)
    document_defaults: DocumentDefaults = Field(default_factory=DocumentDefaults)
    subtotal_item_name: ShortText = "Subtotal"
    discount_item_name: ShortText = "Discount"
    tax_item_name: ShortText = "Total Tax"
    # Whether a discount lowers the taxable amount (QBO ApplyTaxAfterDiscount; on Desktop the
    # discount item's tax code, docs/web-connector.md §3.5).
    discount_before_tax: bool = True


class MappedRecord(_Model):
    """A QuickBooks record already linked to an ESP record."""

    quickbooks_id: ShortText = Field(description="QBO Id; Desktop ListID or TxnID.")
    name: str | None = Field(default=None, description="Its QuickBooks name (list records).")
    version: str | None = Field(default=None, description="QBO SyncToken; Desktop EditSequence.")
    linked_in_crm: bool = Field(
        default=False, description="Linked by a person (the CRM “QB” link), not by a send."
    )


class TakenName(_Model):
    """A name QuickBooks already uses.

    ``owner`` says which ESP record it belongs to, in the form of a plan key (``customer:C1``,
    ``vendor:S1``, ``item:S1/A7102``, ``item:charge:setup``); ``None`` means a QuickBooks record not
    linked to ESP (entered by hand, an employee, another app...).
    """

    name: str
    owner: str | None = None
    quickbooks_id: str | None = None


class NamesInUse(_Model):
    # QuickBooks keeps customers, vendors, employees and other names in one list whose names must be
    # unique across all of them (docs/web-connector.md §3.4; QBO's DisplayName likewise,
    # docs/quickbooks-online.md §2.3 error 6240).
    names: tuple[TakenName, ...] = ()
    items: tuple[TakenName, ...] = ()


class KnownMappings(_Model):
    customers: dict[str, MappedRecord] = Field(default_factory=dict, description="By ESP customer id.")
    vendors: dict[str, MappedRecord] = Field(default_factory=dict, description="By ESP supplier id.")
    items: dict[str, MappedRecord] = Field(
        default_factory=dict,
        description="By item key (see espqb.plan.items: product key or charge:<kind>...).",
    )
    # Documents of this order already in QuickBooks.
    invoice: MappedRecord | None = None
    payments: dict[str, MappedRecord] = Field(default_factory=dict, description="By ESP payment id.")
    bills: dict[str, MappedRecord] = Field(default_factory=dict, description="By ESP supplier id.")
    purchase_orders: dict[str, MappedRecord] = Field(default_factory=dict, description="By ESP supplier id.")
    names_in_use: NamesInUse = Field(default_factory=NamesInUse)
