"""The plan: QuickBooks operations in execution order, every figure already computed.

Everything here is an immutable dataclass; an encoder reads it and writes JSON or qbXML, it never
changes it and never computes an amount. See the package docstring (``espqb.plan``) for how to
read the operations.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal

from espqb.plan.company import ListKind, TaxRegime
from espqb.plan.limits import Target

__all__ = [
    "AccountRef",
    "Action",
    "Address",
    "BillOp",
    "CurrencyRef",
    "CustomerOp",
    "DiscountLine",
    "DiscountStyle",
    "Existing",
    "GlobalTaxCalculation",
    "InvoiceDetails",
    "InvoiceLine",
    "InvoiceOp",
    "ItemLine",
    "ItemOp",
    "ItemRole",
    "ItemType",
    "ListEntryOp",
    "Operation",
    "PaymentOp",
    "Plan",
    "PlanTotals",
    "PurchaseDetails",
    "PurchaseLine",
    "PurchaseOrderOp",
    "SubtotalLine",
    "SupplierTotals",
    "TaxCodeRef",
    "TaxInstruction",
    "TaxLine",
    "TaxMode",
    "VendorOp",
]

# link: use an existing QuickBooks record as is; create: add a new one; update: modify the
# existing record in place (QBO sparse update with SyncToken, Desktop *Mod with EditSequence).
Action = Literal["link", "create", "update"]
ItemRole = Literal["product", "charge", "subtotal", "discount", "tax"]
# non_inventory: QBO NonInventory / Desktop ItemNonInventory; other_charge: QBO Service / Desktop
# ItemOtherCharge; subtotal and discount: Desktop ItemSubtotal / ItemDiscount (never used on QBO).
ItemType = Literal["non_inventory", "other_charge", "subtotal", "discount"]
TaxMode = Literal["item", "quickbooks_default", "code"]
# qbd_subtotal_then_discount: a subtotal line, then a discount-item line (a Desktop discount item
# applies to the line right above it, docs/web-connector.md §3.5); qbo_discount_line: one DiscountLineDetail.
DiscountStyle = Literal["qbd_subtotal_then_discount", "qbo_discount_line"]
# Whether the amounts sent include tax (QBO GlobalTaxCalculation; Desktop IsTaxIncluded), for
# companies outside the US only (docs/quickbooks-online.md §6.5, docs/web-connector.md §3.12).
GlobalTaxCalculation = Literal["TaxExcluded", "TaxInclusive", "NotApplicable"]


@dataclass(frozen=True, slots=True)
class Existing:
    """The QuickBooks record an operation links to or updates."""

    quickbooks_id: str | None  # None: known only by name (an unlinked record found by name)
    name: str | None = None
    version: str | None = None  # SyncToken / EditSequence; None: read it before updating
    # The dialog said "Create New", but a person linked this ESP record to this one (the CRM "QB"
    # link): it is used instead (no second QuickBooks record for one ESP record); the step says so.
    instead_of_create_new: bool = False

    @property
    def create_new_note(self) -> str:
        """What the step adds when the link won over the dialog's "Create New" ("" otherwise)."""
        if not self.instead_of_create_new:
            return ""
        return (
            "; the dialog said “Create New”, but this ESP record is linked to this QuickBooks record "
            "(the CRM “QB” link), so that record was used rather than adding a second one"
        )


@dataclass(frozen=True, slots=True)
class AccountRef:
    """A QuickBooks account by id and/or full name, as chosen in the dialog or the settings."""

    id: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class TaxCodeRef:
    """One of the company's tax codes: QBO TaxCode Id and Name; Desktop ListID and name (a sales tax
    code in Canada/UK, a sales tax item in the US)."""

    id: str | None
    name: str


@dataclass(frozen=True, slots=True)
class CurrencyRef:
    """A currency: its ISO 4217 code (QBO CurrencyRef) and, for Desktop, the name QuickBooks lists it
    under ("Canadian Dollar"; Desktop refers to currencies by name, docs/web-connector.md §3.13)."""

    code: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    line3: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


# ------------------------------------------------------------------------------------ list records


@dataclass(frozen=True, slots=True)
class CustomerOp:
    kind: ClassVar[str] = "customer"
    key: str
    action: Action
    existing: Existing | None
    esp_customer_id: str
    name: str | None  # the QuickBooks name to create with; None when linking by id only
    company_name: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    billing_address: Address | None
    shipping_address: Address | None
    # Set when a multi-currency company gets a customer in a foreign currency: a name's currency can
    # only be chosen when it is created (docs/quickbooks-online.md §6.7).
    currency: CurrencyRef | None = None

    def references(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class VendorOp:
    kind: ClassVar[str] = "vendor"
    key: str
    action: Action
    existing: Existing | None
    supplier_id: str
    name: str | None
    company_name: str | None
    asi_number: str | None
    email: str | None
    phone: str | None
    address: Address | None
    currency: CurrencyRef | None = None

    def references(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class ItemOp:
    kind: ClassVar[str] = "item"
    key: str
    action: Action
    existing: Existing | None
    esp_key: str  # the key of the item mapping: product key, charge:<kind>, special:<helper>
    role: ItemRole
    item_type: ItemType
    name: str
    sku: str | None
    description: str | None
    taxable: bool
    income_account: AccountRef | None  # for non_inventory / other_charge / discount items
    expense_account: AccountRef | None  # set when the item is also bought (bills, purchase orders)

    def references(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class ListEntryOp:
    """An entry of a reference list a document names: terms, a class, a location (QBO Department), a
    ship method, a sales rep or a customer message (``espqb.plan.company.ListKind``).

    ``link``: the company's lists have it (``existing.quickbooks_id``; Desktop refers to it by
    ``name``, its full name). ``create``: the company's lists, as last read, do not have it — the
    transport looks it up by name first (it may have been added since) and adds it only when it is
    still missing: QBO Term (Name, DueDays) / Class / Department; Desktop StandardTermsAdd (Name,
    StdDueDays) / ClassAdd / ShipMethodAdd / CustomerMsgAdd. Sales reps are never created (a Desktop
    sales rep stands for an employee, vendor or other name): the plan refuses an unknown one. Never
    ``update``.
    """

    kind: ClassVar[str] = "list_entry"
    key: str  # "terms:Net 30", "class:West", "location:Boston", "ship_method:UPS", "sales_rep:JD"...
    action: Action
    existing: Existing | None
    list_kind: ListKind
    name: str  # fitted to the product's limit for that list
    due_days: int | None = None  # terms: days from the document date to the due date

    def references(self) -> tuple[str, ...]:
        return ()


# -------------------------------------------------------------------------------------- invoice


@dataclass(frozen=True, slots=True)
class ItemLine:
    """A product or extra-charge line: quantity × unit price = amount (rounded once, half up)."""

    kind: ClassVar[str] = "item"
    item_key: str
    description: str | None
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    taxable: bool  # US tax code to send: TAX/Tax when true, NON/Non when false
    source: str  # where it came from: "order.lines[0]", "order.charges[1]"
    tax_code: TaxCodeRef | None = None  # outside the US: the company's code for this line


@dataclass(frozen=True, slots=True)
class SubtotalLine:
    """Desktop only: a subtotal-item line summing the lines above it (QuickBooks computes it)."""

    kind: ClassVar[str] = "subtotal"
    item_key: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DiscountLine:
    """Reduces the invoice by ``amount`` (a positive figure).

    Encode the amount, not the percentage: QuickBooks would recompute a percentage with its own
    rounding. ``percent`` is what the user entered, for the line's description.
    """

    kind: ClassVar[str] = "discount"
    item_key: str | None  # the Desktop discount item operation; None on QBO (DiscountLineDetail)
    amount: Decimal
    percent: Decimal | None
    before_tax: bool  # the discount lowers the taxable amount (QBO ApplyTaxAfterDiscount)
    description: str
    tax_code: TaxCodeRef | None = None  # outside the US: Desktop's discount item line code


@dataclass(frozen=True, slots=True)
class TaxLine:
    """ "Add Total Tax as an Item": ESP's tax as an ordinary, non-taxable line."""

    kind: ClassVar[str] = "tax"
    item_key: str
    amount: Decimal
    rate_percent: Decimal | None
    description: str
    tax_code: TaxCodeRef | None = None  # outside the US: the company's no-tax code


InvoiceLine = ItemLine | SubtotalLine | DiscountLine | TaxLine


@dataclass(frozen=True, slots=True)
class TaxInstruction:
    """How the invoice's tax reaches QuickBooks.

    * ``item``: a :class:`TaxLine` carries ``amount``; every other line is non-taxable so that
      QuickBooks does not add tax a second time (the double-tax trap, docs/quickbooks-online.md §2.4).
    * ``quickbooks_default``: QBO gets ``amount`` as the total-tax override in TxnTaxDetail,
      because US automated sales tax would otherwise recompute it (docs/quickbooks-online.md §2.4); Desktop
      uses the customer's or company's sales tax item and computes the tax itself.
    * ``code``: as above, with ``code`` as QBO's TxnTaxCodeRef / Desktop's ItemSalesTaxRef.

    ``override_total`` is true where the encoder must send ``amount`` as the transaction's total
    tax (QBO US: ``TxnTaxCodeRef`` = ``code_ref`` plus ``TotalTax``; an override without the code is
    ignored by automated sales tax, docs/quickbooks-online.md §6.3). Where it is false and the mode is
    not ``item``, QuickBooks computes the tax; ``expected`` is what the plan computed QuickBooks will
    get from the rates it knows, already checked to equal ``amount`` (the plan refuses otherwise);
    ``None`` when the rates are not known (the transport compares after writing).

    ``regime`` is the company's (``espqb.plan.company``); ``global_calculation`` is set outside the
    US, where every line carries ``ItemLine.tax_code``.
    """

    mode: TaxMode
    code: str | None
    amount: Decimal
    rate_percent: Decimal | None
    override_total: bool
    regime: TaxRegime = "us_manual"
    code_ref: TaxCodeRef | None = None
    global_calculation: GlobalTaxCalculation | None = None
    expected: Decimal | None = None


@dataclass(frozen=True, slots=True)
class InvoiceDetails:
    """What a bookkeeper reads on the invoice besides lines and totals, fitted to the product's limits.

    ``po_number_in_field``: QBO writes the customer's PO number into the company's sales-form custom
    field of that definition Id (docs/quickbooks-online.md §7.2, §7.11); None there puts it at the
    head of the customer memo instead. Desktop always has ``PONumber``. ``tracking_number`` goes to
    QBO's ``TrackingNum`` and to Desktop's ``Other`` (Desktop has no tracking field, §3.17).
    """

    po_number: str | None = None
    po_number_in_field: str | None = None
    due_date: date | None = None
    ship_date: date | None = None
    ship_method: str | None = None  # QBO: ShipMethodRef's value (a plain string there)
    tracking_number: str | None = None
    customer_message: str | None = None  # QBO: CustomerMemo
    # Keys of ListEntryOp operations of this plan (None: not written):
    terms_key: str | None = None  # QBO SalesTermRef / Desktop TermsRef
    class_key: str | None = None  # QBO ClassRef / Desktop ClassRef
    class_on_lines: bool = False  # QBO per-line class tracking: ClassRef on every line, not the header
    location_key: str | None = None  # QBO DepartmentRef
    sales_rep_key: str | None = None  # Desktop SalesRepRef
    ship_method_key: str | None = None  # Desktop ShipMethodRef
    customer_message_key: str | None = None  # Desktop CustomerMsgRef
    # QBO: the sales rep's name in the sales-form custom field of this DefinitionId.
    sales_rep: str | None = None
    sales_rep_in_field: str | None = None

    def list_keys(self) -> tuple[str, ...]:
        keys = (
            self.terms_key,
            self.class_key,
            self.location_key,
            self.sales_rep_key,
            self.ship_method_key,
            self.customer_message_key,
        )
        return tuple(k for k in keys if k is not None)


@dataclass(frozen=True, slots=True)
class PurchaseDetails:
    """A purchase order's extra fields: the expected date (the order's in-hands date), the ship
    method and the message to the vendor (the decoration notes); a bill's due date."""

    expected_date: date | None = None
    due_date: date | None = None
    ship_method: str | None = None  # QBO: ShipMethodRef's value
    vendor_message: str | None = None
    # Keys of ListEntryOp operations of this plan (None: not written):
    terms_key: str | None = None  # QBO SalesTermRef / Desktop TermsRef (bills and purchase orders)
    class_key: str | None = None  # QBO ClassRef; Desktop: PO header ClassRef, each bill line's ClassRef
    class_on_lines: bool = False
    location_key: str | None = None  # QBO DepartmentRef (bills and purchase orders)
    ship_method_key: str | None = None  # Desktop PO ShipMethodRef

    def list_keys(self) -> tuple[str, ...]:
        keys = (self.terms_key, self.class_key, self.location_key, self.ship_method_key)
        return tuple(k for k in keys if k is not None)


@dataclass(frozen=True, slots=True)
class InvoiceOp:
    kind: ClassVar[str] = "invoice"
    key: str
    action: Action
    existing: Existing | None
    customer_key: str
    doc_number: str
    txn_date: date
    currency: str
    memo: str
    ar_account: AccountRef | None
    email: str | None
    billing_address: Address | None
    shipping_address: Address | None
    lines: tuple[InvoiceLine, ...]
    discount_style: DiscountStyle | None  # None when there is no discount
    tax: TaxInstruction
    subtotal: Decimal
    discount: Decimal
    tax_amount: Decimal
    total: Decimal
    # Home-currency units per unit of ``currency`` (QBO/Desktop ExchangeRate), when the order gives
    # one; None lets QuickBooks use its own rate of the day. Always None in the home currency.
    exchange_rate: Decimal | None = None
    details: InvoiceDetails = dataclasses.field(default_factory=lambda: InvoiceDetails())

    def references(self) -> tuple[str, ...]:
        items = tuple(line.item_key for line in self.lines if line.item_key is not None)
        return (self.customer_key, *dict.fromkeys(items), *self.details.list_keys())


@dataclass(frozen=True, slots=True)
class PaymentOp:
    """An ESP payment, applied in full to this order's invoice."""

    kind: ClassVar[str] = "payment"
    key: str
    action: Action
    existing: Existing | None
    payment_id: str
    customer_key: str
    invoice_key: str
    txn_date: date
    amount: Decimal
    method: str | None
    reference: str | None
    memo: str
    ar_account: AccountRef | None
    currency: str | None = None  # the invoice's; None in single-currency plans made before editions
    exchange_rate: Decimal | None = None

    def references(self) -> tuple[str, ...]:
        return (self.customer_key, self.invoice_key)


# ---------------------------------------------------------------------------- purchase documents


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    """quantity × unit cost = amount, posted to ``expense_account`` (COGS or expense).

    When ``customer_key`` is set the line names the customer; ``billable`` marks it Billable
    (BillableStatus) where the target accepts it.
    """

    item_key: str
    description: str | None
    quantity: Decimal
    unit_cost: Decimal
    amount: Decimal
    expense_account: AccountRef | None
    customer_key: str | None
    billable: bool
    source: str
    tax_code: TaxCodeRef | None = None  # outside the US: the company's purchase tax code


@dataclass(frozen=True, slots=True)
class PurchaseOrderOp:
    kind: ClassVar[str] = "purchase_order"
    key: str
    action: Action
    existing: Existing | None
    supplier_id: str
    vendor_key: str
    doc_number: str
    txn_date: date
    currency: str
    memo: str
    ap_account: AccountRef | None
    ship_address: Address | None
    lines: tuple[PurchaseLine, ...]
    total: Decimal  # Σ line amounts + ``tax_amount``: what QuickBooks shows as the PO's total
    tax_amount: Decimal = Decimal("0.00")  # purchase tax QuickBooks adds outside the US (expected)
    global_calculation: GlobalTaxCalculation | None = None
    exchange_rate: Decimal | None = None
    details: PurchaseDetails = dataclasses.field(default_factory=lambda: PurchaseDetails())

    def references(self) -> tuple[str, ...]:
        return (*_purchase_references(self.vendor_key, self.lines), *self.details.list_keys())


@dataclass(frozen=True, slots=True)
class BillOp:
    kind: ClassVar[str] = "bill"
    key: str
    action: Action
    existing: Existing | None
    supplier_id: str
    vendor_key: str
    doc_number: str
    txn_date: date
    currency: str
    memo: str
    ap_account: AccountRef | None
    lines: tuple[PurchaseLine, ...]
    total: Decimal  # Σ line amounts + ``tax_amount``
    # The purchase order this bill receives, when both are sent for the supplier: the encoders link
    # the bill to it (QBO: LinkedTxn to the PurchaseOrder; Desktop: the bill's lines LinkToTxn the
    # PO's lines), so the PO shows as received and closed instead of staying open beside the bill.
    purchase_order_key: str | None = None
    tax_amount: Decimal = Decimal("0.00")
    global_calculation: GlobalTaxCalculation | None = None
    exchange_rate: Decimal | None = None
    details: PurchaseDetails = dataclasses.field(default_factory=lambda: PurchaseDetails())

    def references(self) -> tuple[str, ...]:
        refs = (*_purchase_references(self.vendor_key, self.lines), *self.details.list_keys())
        return (*refs, self.purchase_order_key) if self.purchase_order_key else refs


def _purchase_references(vendor_key: str, lines: tuple[PurchaseLine, ...]) -> tuple[str, ...]:
    keys = [vendor_key]
    for line in lines:
        keys.append(line.item_key)
        if line.customer_key is not None:
            keys.append(line.customer_key)
    return tuple(dict.fromkeys(keys))


Operation = CustomerOp | VendorOp | ItemOp | ListEntryOp | InvoiceOp | PaymentOp | PurchaseOrderOp | BillOp


# ------------------------------------------------------------------------------------ the plan


@dataclass(frozen=True, slots=True)
class SupplierTotals:
    supplier_id: str
    cost_total: Decimal  # what the supplier's lines cost, whether or not a document is sent
    bill_total: Decimal | None  # None when no bill is sent
    po_total: Decimal | None  # None when no purchase order is sent


@dataclass(frozen=True, slots=True)
class PlanTotals:
    invoice_subtotal: Decimal  # Σ line amounts (products and extra charges)
    taxable_subtotal: Decimal  # Σ amounts of the lines ESP marked taxable
    discount: Decimal
    tax: Decimal
    invoice_total: Decimal  # subtotal − discount + tax; equals ESP's order total
    payments_applied: Decimal
    balance_due: Decimal
    suppliers: tuple[SupplierTotals, ...]

    def supplier(self, supplier_id: str) -> SupplierTotals:
        return next(s for s in self.suppliers if s.supplier_id == supplier_id)


@dataclass(frozen=True, slots=True)
class Plan:
    target: Target
    order_number: str
    operations: tuple[Operation, ...]
    totals: PlanTotals
    notes: tuple[str, ...] = ()  # things a user should know that are not errors

    def operation(self, key: str) -> Operation:
        for op in self.operations:
            if op.key == key:
                return op
        raise KeyError(key)

    def operation_keys(self) -> tuple[str, ...]:
        return tuple(op.key for op in self.operations)

    keys = operation_keys  # the earlier name, kept for callers that use it

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (figures as strings such as "218.50"), for logs, job rows and the CLI."""
        return {
            "target": self.target,
            "order_number": self.order_number,
            "operations": [_jsonable(op) for op in self.operations],
            "totals": _jsonable(self.totals),
            "notes": list(self.notes),
        }


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        kind = getattr(type(value), "kind", None)
        if isinstance(kind, str):
            out["kind"] = kind
        for f in dataclasses.fields(value):
            out[f.name] = _jsonable(getattr(value, f.name))
        return out
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
