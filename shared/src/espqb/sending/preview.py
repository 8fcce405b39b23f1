"""What "Send" would do, without doing it: the plan of an order as the dialog shows it before the
user presses Send (``POST /v1/orders/{order_number}/preview``).

The preview goes through the same checks and the same plan as a send — permissions, the send-time
refusals, the stored QuickBooks company, the mappings and the names this integration holds — and
writes nothing: no job, no mapping, no audit row. A refusal is not an error here: it is listed in
``problems`` with ``sendable`` false, so the dialog can show every reason at once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from espqb.api.errors import UnprocessableOrder
from espqb.integration import service as integration_service
from espqb.jobs.schemas import StepKind, Target
from espqb.orders.request import SendRequest
from espqb.plan import (
    BillOp,
    CustomerOp,
    DiscountLine,
    InvoiceOp,
    ItemLine,
    ItemOp,
    ListEntryOp,
    Operation,
    PaymentOp,
    Plan,
    PlanError,
    PurchaseOrderOp,
    SubtotalLine,
    TaxLine,
    VendorOp,
)
from espqb.security.jwt import Principal
from espqb.sending.checks import SendRefused, check_sendable
from espqb.sending.inputs import held_names, load_send_inputs
from espqb.sending.permissions import check_may_send

__all__ = ["PreviewOut", "preview_order"]

LineKind = Literal["item", "subtotal", "discount", "tax", "purchase"]


class PreviewLine(BaseModel):
    kind: LineKind = Field(
        description="item: a product or charge; subtotal/discount/tax lines; purchase: a bill or PO line"
    )
    item: str | None = Field(None, description="The QuickBooks item the line is written on, by name")
    description: str | None = None
    quantity: Decimal | None = None
    rate: Decimal | None = Field(None, description="Unit price (invoice) or unit cost (bill, purchase order)")
    amount: Decimal
    taxable: bool | None = Field(None, description="US: whether QuickBooks taxes the line")
    tax_code: str | None = Field(None, description="Outside the US: the company's tax code on the line")


class PreviewDetails(BaseModel):
    """What a bookkeeper reads on the document besides its lines, as it will be written (cut to
    QuickBooks' lengths; list entries by their QuickBooks names)."""

    po_number: str | None = Field(None, description="Invoice: the customer's PO number")
    terms: str | None = None
    due_date: date | None = None
    ship_date: date | None = None
    ship_method: str | None = None
    tracking_number: str | None = None
    sales_rep: str | None = None
    customer_message: str | None = None
    class_name: str | None = Field(None, description="The QuickBooks class")
    location: str | None = Field(None, description="QuickBooks Online: the location (department)")
    expected_date: date | None = Field(None, description="Purchase order: the in-hands date")
    vendor_message: str | None = Field(None, description="Purchase order: the decoration notes")
    memo: str | None = Field(None, description="The private memo, with ESP's order number")


class PreviewOperation(BaseModel):
    key: str = Field(description="The plan operation; the job's step of the same key reports what happened")
    kind: StepKind
    action: Literal["link", "create", "update"] = Field(
        description="link: an existing QuickBooks record is used as is; create: a new one is added; "
        "update: the document this order already has in QuickBooks is changed in place"
    )
    name: str | None = Field(
        None,
        description="Customers, vendors, items: the QuickBooks name (after fitting QuickBooks' length and "
        "avoiding names already taken); documents: the document number",
    )
    quickbooks_id: str | None = Field(None, description="The existing record linked or updated")
    currency: str | None = None
    total: Decimal | None = Field(None, description="Documents and payments: the amount QuickBooks will show")
    tax: Decimal | None = Field(None, description="Invoice: ESP's tax; bill, purchase order: purchase tax")
    lines: list[PreviewLine] = Field(default_factory=list)
    list_kind: (
        Literal["terms", "class", "location", "ship_method", "sales_rep", "customer_message"] | None
    ) = Field(None, description="list_entry: which QuickBooks list the entry is in")
    details: PreviewDetails | None = Field(None, description="Documents: their details besides the lines")


class PreviewTotals(BaseModel):
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal = Field(description="Equals ESP's order total")
    payments_applied: Decimal
    balance_due: Decimal


class PreviewProblem(BaseModel):
    path: str = Field(description="The field, rooted at the send request or at the settings")
    message: str


class PreviewOut(BaseModel):
    order_number: str
    target: Target
    sendable: bool = Field(description="Whether Send would be accepted and could write these documents")
    operations: list[PreviewOperation] = Field(
        default_factory=list,
        description="In the order they are written; empty when the order cannot be planned",
    )
    totals: PreviewTotals | None = None
    warnings: list[str] = Field(default_factory=list, description="What a person should know before sending")
    problems: list[PreviewProblem] = Field(default_factory=list, description="Why Send would be refused")


async def preview_order(
    session: AsyncSession,
    principal: Principal,
    order_number: str,
    request: SendRequest,
    *,
    service_product: str | None = None,
) -> PreviewOut:
    """The plan a send of ``request`` would follow now; raises only what a send would raise before its
    checks (no integration, a user who may not send, a body for another order)."""
    if request.order.order_number != order_number:
        raise UnprocessableOrder(
            f"The URL names order {order_number} but the body carries order {request.order.order_number}."
        )
    company_id = principal.company_id
    integration = await integration_service.require_installed(session, company_id)
    settings = await integration_service.read_settings(session, company_id)
    check_may_send(principal, settings, request)
    target: Target = "qbd" if integration.product == "qbd" else "qbo"
    problems: list[PreviewProblem] = []
    try:
        await check_sendable(session, integration, request, settings, service_product=service_product)
    except SendRefused as refused:
        errors = refused.extra.get("errors") or [{"path": "", "message": refused.detail}]
        problems += [PreviewProblem(path=e["path"], message=e["message"]) for e in errors]
    names = await held_names(session, company_id, target)
    inputs = await load_send_inputs(
        session,
        company_id,
        target,
        request,
        settings=integration_service.plan_settings(settings),
        names=names.names,
    )
    try:
        plan = inputs.plan()
    except PlanError as error:
        problems += [PreviewProblem(path=p.path, message=p.message) for p in error.problems]
        return PreviewOut(order_number=order_number, target=target, sendable=False, problems=problems)
    return PreviewOut(
        order_number=order_number,
        target=target,
        sendable=not problems,
        operations=_operations(plan),
        totals=PreviewTotals(
            subtotal=plan.totals.invoice_subtotal,
            discount=plan.totals.discount,
            tax=plan.totals.tax,
            total=plan.totals.invoice_total,
            payments_applied=plan.totals.payments_applied,
            balance_due=plan.totals.balance_due,
        ),
        warnings=list(plan.notes),
        problems=problems,
    )


def _operations(plan: Plan) -> list[PreviewOperation]:
    names = {op.key: op.name for op in plan.operations if isinstance(op, ItemOp | ListEntryOp)}
    return [_operation(op, names) for op in plan.operations]


def _details(op: InvoiceOp | PurchaseOrderOp | BillOp, names: dict[str, str]) -> PreviewDetails:
    d = op.details

    def name(key: str | None) -> str | None:
        return names.get(key) if key is not None else None

    common = {
        "terms": name(d.terms_key),
        "due_date": d.due_date,
        "ship_method": d.ship_method or name(d.ship_method_key),
        "class_name": name(d.class_key),
        "location": name(d.location_key),
        "memo": op.memo,
    }
    if isinstance(op, InvoiceOp):
        i = op.details
        return PreviewDetails(
            **common,
            po_number=i.po_number,
            ship_date=i.ship_date,
            tracking_number=i.tracking_number,
            sales_rep=i.sales_rep or name(i.sales_rep_key),
            customer_message=i.customer_message or name(i.customer_message_key),
        )
    p = op.details
    return PreviewDetails(**common, expected_date=p.expected_date, vendor_message=p.vendor_message)


def _operation(op: Operation, items: dict[str, str]) -> PreviewOperation:
    existing = op.existing
    common = {"key": op.key, "kind": op.kind, "action": op.action}
    found = existing.quickbooks_id if existing is not None else None
    match op:
        case CustomerOp() | VendorOp():
            currency = op.currency.code if op.currency is not None else None
            return PreviewOperation(**common, name=op.name, quickbooks_id=found, currency=currency)
        case ItemOp():
            return PreviewOperation(**common, name=op.name, quickbooks_id=found)
        case ListEntryOp():
            return PreviewOperation(**common, name=op.name, quickbooks_id=found, list_kind=op.list_kind)
        case InvoiceOp():
            return PreviewOperation(
                **common,
                name=op.doc_number,
                quickbooks_id=found,
                currency=op.currency,
                total=op.total,
                tax=op.tax_amount,
                lines=[_invoice_line(line, items) for line in op.lines],
                details=_details(op, items),
            )
        case PaymentOp():
            return PreviewOperation(
                **common, name=op.reference, quickbooks_id=found, currency=op.currency, total=op.amount
            )
        case PurchaseOrderOp() | BillOp():
            return PreviewOperation(
                **common,
                name=op.doc_number,
                quickbooks_id=found,
                currency=op.currency,
                total=op.total,
                tax=op.tax_amount,
                lines=[
                    PreviewLine(
                        kind="purchase",
                        item=items.get(line.item_key),
                        description=line.description,
                        quantity=line.quantity,
                        rate=line.unit_cost,
                        amount=line.amount,
                        tax_code=line.tax_code.name if line.tax_code else None,
                    )
                    for line in op.lines
                ],
                details=_details(op, items),
            )
    raise AssertionError(f"unknown operation {op!r}")  # pragma: no cover - the union is exhaustive


def _invoice_line(line: object, items: dict[str, str]) -> PreviewLine:
    match line:
        case ItemLine():
            return PreviewLine(
                kind="item",
                item=items.get(line.item_key),
                description=line.description,
                quantity=line.quantity,
                rate=line.unit_price,
                amount=line.amount,
                taxable=line.taxable,
                tax_code=line.tax_code.name if line.tax_code else None,
            )
        case SubtotalLine():
            return PreviewLine(kind="subtotal", item=items.get(line.item_key), amount=line.amount)
        case DiscountLine():
            return PreviewLine(
                kind="discount",
                item=items.get(line.item_key) if line.item_key else None,
                description=line.description,
                amount=-line.amount,
                tax_code=line.tax_code.name if line.tax_code else None,
            )
        case TaxLine():
            return PreviewLine(
                kind="tax",
                item=items.get(line.item_key),
                description=line.description,
                amount=line.amount,
                taxable=False,
                tax_code=line.tax_code.name if line.tax_code else None,
            )
    raise AssertionError(f"unknown invoice line {line!r}")  # pragma: no cover
