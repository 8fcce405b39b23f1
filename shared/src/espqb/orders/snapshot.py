"""The order as ESP sends it when a user presses "QB": everything needed to write its documents.

A snapshot is self-contained and immutable: the plan (``espqb.plan``) is computed from it, the
send choices, the company's settings and the known mappings alone. Figures are ``Decimal``; amounts
carry two places, unit prices/costs and quantities up to five (see ``espqb.money``).

Cross-field rules (every line's supplier is one of the order's suppliers, ids are unique) are
checked here and reported on the offending field; accounting rules (the order's total equals lines
− discount + tax, payments do not exceed it) are the plan's job and are reported by it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from espqb.orders.fields import (
    ExchangeRate,
    NonNegativeAmount,
    NonNegativeRate,
    Percent,
    PositiveAmount,
    Quantity,
    ShortText,
    Text,
)

__all__ = [
    "Address",
    "Charge",
    "ChargeKind",
    "Customer",
    "Discount",
    "OrderLine",
    "OrderSnapshot",
    "Payment",
    "Supplier",
    "Tax",
]

ChargeKind = Literal["setup", "run", "shipping", "other"]
CurrencyCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{3}$")
]


class _Model(BaseModel):
    # Unknown fields are refused (a typo must not silently drop data); snapshots never change.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Address(_Model):
    line1: Text | None = None
    line2: Text | None = None
    line3: Text | None = None
    city: Text | None = None
    state: Text | None = None
    postal_code: Text | None = None
    country: Text | None = None


class Customer(_Model):
    esp_id: ShortText = Field(description="ESP's customer id; the key of the customer mapping.")
    company_name: Text | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    email: Text | None = None
    phone: Text | None = None
    billing_address: Address | None = None
    shipping_address: Address | None = None

    @model_validator(mode="after")
    def _has_a_name(self) -> Customer:
        if not (self.company_name or self.first_name or self.last_name):
            raise PydanticCustomError(
                "customer_without_name",
                "the customer has neither a company name nor a contact name; QuickBooks needs a name",
            )
        return self


class Supplier(_Model):
    esp_id: ShortText = Field(description="ESP's supplier id; the key of the vendor mapping.")
    name: ShortText
    asi_number: Text | None = Field(default=None, description="The supplier's ASI number.")
    email: Text | None = None
    phone: Text | None = None
    address: Address | None = None
    ship_to: Address | None = Field(
        default=None,
        description="Drop-ship: where this supplier ships (the end customer's or the decorator's address); "
        "left out, the order's `ship_to`, else the customer's shipping address. Printed on its purchase order.",
    )
    invoice_number: ShortText | None = Field(
        default=None,
        description="The supplier's invoice number: the bill's number in QuickBooks (else the order number).",
    )
    invoice_date: date | None = Field(
        default=None, description="The supplier's invoice date: the bill's date."
    )
    due_date: date | None = Field(
        default=None,
        description="When the supplier's bill is due; left out, the bill's date plus the terms' days.",
    )
    terms: ShortText | None = Field(
        default=None,
        description="The supplier's payment terms (e.g. Net 30), on its bill and purchase order; left out, "
        "the settings' vendor terms.",
    )


class OrderLine(_Model):
    product_id: ShortText | None = Field(
        default=None,
        description="ESP's product id. When given it identifies the product; otherwise the supplier "
        "id and product number do.",
    )
    product_number: ShortText
    product_name: Text = ""
    description: Text | None = None
    quantity: Quantity
    unit_price: NonNegativeRate
    unit_cost: NonNegativeRate
    supplier_id: ShortText
    taxable: bool = True
    decoration_notes: Text | None = Field(
        default=None,
        description="Imprint/decoration instructions for the supplier (colours, location, proof): on the "
        "purchase order's message to the vendor.",
    )


class Charge(_Model):
    kind: ChargeKind
    description: Text | None = None
    quantity: Quantity = Decimal(1)
    unit_price: NonNegativeRate
    unit_cost: NonNegativeRate = Decimal(0)
    supplier_id: ShortText | None = Field(
        default=None, description="The supplier that bills this charge; none if the distributor keeps it."
    )
    taxable: bool = True


class Discount(_Model):
    """A discount on the whole order, as an amount or a percentage (exactly one)."""

    amount: NonNegativeAmount | None = None
    percent: Percent | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Discount:
        if (self.amount is None) == (self.percent is None):
            raise PydanticCustomError(
                "discount_amount_or_percent",
                "give the discount either as an amount or as a percent, not both",
            )
        return self


class Tax(_Model):
    amount: NonNegativeAmount = Field(description="The sales tax ESP computed for the order.")
    rate_percent: Percent | None = None
    name: Text | None = None


class Payment(_Model):
    id: ShortText = Field(description="ESP's payment id; the key of the payment mapping.")
    date: date
    amount: PositiveAmount
    method: Text | None = Field(default=None, description="e.g. Check, Visa, ACH")
    reference: Text | None = Field(default=None, description="Check number or card reference.")


def _a7102_schema_example(schema: dict[str, Any]) -> None:
    from espqb.orders.examples import a7102_example  # late import: the example builds this class

    schema["examples"] = [a7102_example().model_dump(mode="json")]


class OrderSnapshot(_Model):
    model_config = ConfigDict(json_schema_extra=_a7102_schema_example)

    order_number: ShortText
    order_date: date
    currency: CurrencyCode = "USD"
    exchange_rate: ExchangeRate | None = Field(
        default=None,
        description=(
            "Home-currency units per unit of `currency`, when ESP fixes the rate (e.g. 1.3612 for a CAD "
            "order in a USD company); left out, QuickBooks uses its own rate of the day. Ignored when the "
            "order is in the QuickBooks company's home currency."
        ),
    )
    customer: Customer
    lines: list[OrderLine] = Field(default_factory=list)
    charges: list[Charge] = Field(default_factory=list)
    discount: Discount | None = None
    tax: Tax | None = None
    payments: list[Payment] = Field(default_factory=list)
    suppliers: list[Supplier] = Field(default_factory=list)
    total: NonNegativeAmount = Field(description="ESP's order total; the plan checks it to the cent.")
    # Document details (all optional): where a bookkeeper looks for them on the invoice and the
    # purchase orders.
    customer_po_number: ShortText | None = Field(
        default=None, description="The customer's purchase-order number, which their payables team matches."
    )
    due_date: date | None = Field(
        default=None, description="When the invoice is due; not before the order date."
    )
    ship_to: Address | None = Field(
        default=None, description="Where the order ships, when not the customer's shipping address."
    )
    ship_date: date | None = None
    ship_method: ShortText | None = Field(default=None, description="e.g. UPS Ground")
    tracking_number: ShortText | None = None
    in_hands_date: date | None = Field(
        default=None, description="When the customer must have the goods: the purchase orders' expected date."
    )
    customer_message: Text | None = Field(
        default=None, description="Printed on the invoice for the customer."
    )
    memo: Text | None = Field(
        default=None, description="An internal note, kept on the documents beside ESP's order number."
    )
    terms: ShortText | None = Field(
        default=None,
        description="The customer's payment terms (e.g. Net 30): the invoice's terms, and its due date when "
        "`due_date` is left out; left out, the settings' default terms.",
    )
    sales_rep: ShortText | None = Field(
        default=None,
        description="The sales rep, by name or QuickBooks Desktop initials; on Desktop it must be in the "
        "company's sales rep list.",
    )
    class_name: ShortText | None = Field(
        default=None,
        description="The QuickBooks class (department, branch, rep…) the documents are tracked under, where "
        "the company tracks classes; left out, the settings' default class.",
    )
    location: ShortText | None = Field(
        default=None,
        description="The QuickBooks Online location (department) of the documents, where the company tracks "
        "locations; left out, the settings' default location.",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _cross_references(cls, data: Any, handler: ModelWrapValidatorHandler[OrderSnapshot]) -> OrderSnapshot:
        order = handler(data)
        problems = list(_cross_reference_problems(order))
        if problems:
            raise ValidationError.from_exception_data(cls.__name__, problems)
        return order

    def supplier(self, esp_id: str) -> Supplier:
        return next(s for s in self.suppliers if s.esp_id == esp_id)


def _problem(kind: str, message: str, loc: tuple[str | int, ...], value: object) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=loc, input=value)


def _cross_reference_problems(order: OrderSnapshot) -> list[InitErrorDetails]:
    problems: list[InitErrorDetails] = []
    if order.due_date is not None and order.due_date < order.order_date:
        problems.append(
            _problem(
                "due_before_order",
                f"the due date {order.due_date} is before the order date {order.order_date}",
                ("due_date",),
                order.due_date.isoformat(),
            )
        )
    for index, supplier in enumerate(order.suppliers):
        start = supplier.invoice_date or order.order_date
        if supplier.due_date is not None and supplier.due_date < start:
            problems.append(
                _problem(
                    "due_before_invoice",
                    f"the bill's due date {supplier.due_date} is before {start}",
                    ("suppliers", index, "due_date"),
                    supplier.due_date.isoformat(),
                )
            )
    if not order.lines and not order.charges:
        problems.append(
            _problem(
                "empty_order",
                "the order has no lines and no charges; there is nothing to send",
                ("lines",),
                [],
            )
        )
    known = {s.esp_id for s in order.suppliers}
    for index, line in enumerate(order.lines):
        if line.supplier_id not in known:
            problems.append(
                _problem(
                    "unknown_supplier",
                    f"line {index + 1} names supplier {line.supplier_id}, which is not among the order's suppliers",
                    ("lines", index, "supplier_id"),
                    line.supplier_id,
                )
            )
    for index, charge in enumerate(order.charges):
        if charge.supplier_id is not None and charge.supplier_id not in known:
            problems.append(
                _problem(
                    "unknown_supplier",
                    f"charge {index + 1} names supplier {charge.supplier_id}, which is not among the order's suppliers",
                    ("charges", index, "supplier_id"),
                    charge.supplier_id,
                )
            )
    problems += _duplicates([s.esp_id for s in order.suppliers], "suppliers", "esp_id", "supplier")
    problems += _duplicates([p.id for p in order.payments], "payments", "id", "payment")
    return problems


def _duplicates(ids: list[str], field: str, attribute: str, noun: str) -> list[InitErrorDetails]:
    seen: set[str] = set()
    found: list[InitErrorDetails] = []
    for index, value in enumerate(ids):
        if value in seen:
            found.append(
                _problem(
                    f"duplicate_{noun}",
                    f"{noun} id {value} appears more than once in the order",
                    (field, index, attribute),
                    value,
                )
            )
        seen.add(value)
    return found
