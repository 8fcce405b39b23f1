"""What the user picked in the "Send to QuickBooks" dialog.

Every choice is optional: whatever is left out comes from the company's settings (Details and
Accounts tabs) and the known mappings, so ``SendChoices()`` is a valid request meaning "send with
the defaults".
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from espqb.orders.fields import ShortText

__all__ = [
    "CreateNew",
    "ExistingRecord",
    "PartyChoice",
    "QuickBooksRef",
    "SendChoices",
    "SupplierChoices",
    "TaxChoice",
    "TaxCodeChoice",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuickBooksRef(_Model):
    """A QuickBooks list entry (account, tax code) by id, by full name, or both."""

    id: ShortText | None = Field(default=None, description="QBO Id or Desktop ListID.")
    name: ShortText | None = Field(default=None, description="Full name as shown in QuickBooks.")

    @model_validator(mode="after")
    def _id_or_name(self) -> QuickBooksRef:
        if self.id is None and self.name is None:
            raise PydanticCustomError("ref_empty", "give the QuickBooks id or the name (or both)")
        return self


class ExistingRecord(_Model):
    """Use this QuickBooks customer/vendor as is (chosen in the dialog or linked in CRM)."""

    quickbooks_id: ShortText


class CreateNew(_Model):
    """ "Create New Customer" / "Create New Vendor"."""

    create: Literal[True]


PartyChoice = ExistingRecord | CreateNew


class TaxCodeChoice(_Model):
    """An explicit QuickBooks tax code (QBO TxnTaxCodeRef; Desktop sales tax item)."""

    code: ShortText


# "item" = "Add Total Tax as an Item"; "quickbooks_default" = let QuickBooks' own setting apply.
TaxChoice = Literal["item", "quickbooks_default"] | TaxCodeChoice


class SupplierChoices(_Model):
    vendor: PartyChoice | None = None
    send_bill: bool | None = None
    send_purchase_order: bool | None = None
    ap_account: QuickBooksRef | None = None
    cogs_account: QuickBooksRef | None = None


def _choices_example(schema: dict[str, Any]) -> None:
    schema["examples"] = [
        {
            "customer": {"create": True},
            "send_invoice": True,
            "tax": "item",
            "suppliers": {
                "S61125": {"vendor": {"create": True}, "send_bill": True, "send_purchase_order": True}
            },
        }
    ]


class SendChoices(_Model):
    model_config = ConfigDict(json_schema_extra=_choices_example)

    customer: PartyChoice | None = Field(
        default=None, description="Omitted: the linked QuickBooks customer if there is one, else create one."
    )
    send_invoice: bool | None = Field(default=None, description="Omitted: the company's default.")
    tax: TaxChoice | None = Field(default=None, description="Omitted: the company's tax default.")
    ar_account: QuickBooksRef | None = None
    income_account: QuickBooksRef | None = None
    suppliers: dict[str, SupplierChoices] = Field(
        default_factory=dict, description="Per ESP supplier id; suppliers left out use the defaults."
    )
