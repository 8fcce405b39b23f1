"""The demo's printout: QuickBooks documents, job timelines and the checks, as rich tables.

Only presentation lives here; every figure comes from ``books``/``jobs`` records as read, and money
is printed with ``espqb.money.format_money`` (or whole, when QuickBooks holds more than two places).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from rich import box
from rich.table import Table
from rich.text import Text

from .books import Books, DocLine, Invoice, Item, LineRole, Party, Purchase, by_id, total_of
from .checks import Check, show
from .jobs import JobView

__all__ = [
    "checks_table",
    "invoice_table",
    "items_table",
    "parties_table",
    "payments_table",
    "purchases_table",
    "summary_table",
    "timeline_table",
]

_BOX = box.SIMPLE_HEAD


def _qty(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _rate(value: Decimal | None) -> str:
    return "" if value is None else show(value)


def _table(title: str, *columns: str, numeric: Sequence[str] = ()) -> Table:
    table = Table(title=title, title_justify="left", box=_BOX, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, justify="right" if column in numeric else "left", overflow="fold")
    return table


def parties_table(title: str, parties: Sequence[Party]) -> Table:
    table = _table(title, "QB id", "Name", "Balance", numeric=("Balance",))
    for party in parties:
        table.add_row(party.qb_id, party.name, show(party.balance) if party.balance is not None else "")
    return table


def items_table(items: Sequence[Item]) -> Table:
    table = _table("Items", "QB id", "Name", "Type", "Description")
    for item in items:
        table.add_row(item.qb_id, item.name, item.kind, item.description)
    return table


def _line_row(line: DocLine) -> tuple[str, str, str, str, str]:
    return (line.item, line.description, _qty(line.quantity), _rate(line.rate), show(line.amount))


def _label(invoice: Invoice, role: LineRole, default: str) -> str:
    """A totals row named as its QuickBooks line is ("Discount 5%", "Sales tax 8.25%"), else ``default``."""
    return next(
        (line.description for line in invoice.lines if line.role == role and line.description), default
    )


def invoice_table(invoice: Invoice, books: Books) -> Table:
    """The invoice laid out as QuickBooks shows it: the product lines, then Subtotal (before tax),
    Discount, Tax, Total. QuickBooks' own subtotal, discount and tax lines are shown once, as those
    totals: QuickBooks Online's subtotal line adds up every line above it, the "Add Total Tax as an
    Item" line included, so listing it would show a Subtotal with the tax in it above one without."""
    title = f"Invoice {invoice.number} for {invoice.customer} (QB id {invoice.qb_id})"
    table = _table(title, "Item", "Description", "Qty", "Rate", "Amount", numeric=("Qty", "Rate", "Amount"))
    for line in invoice.lines:
        if line.role == "item":
            table.add_row(*_line_row(line))
    table.add_section()
    applied = total_of(payment.applied_to(invoice.qb_id) for payment in books.payments)
    for label, figure in (
        ("Subtotal", invoice.subtotal),
        (_label(invoice, "discount", "Discount"), invoice.discount),
        (_label(invoice, "tax", "Tax"), invoice.tax),
        ("Total", invoice.total),
        ("Payments applied", applied),
        ("Balance due", invoice.balance),
    ):
        table.add_row("", Text(label, style="bold"), "", "", Text(show(figure), style="bold"))
    if invoice.details:
        table.add_section()
        for label, value in invoice.details:
            table.add_row(label, value, "", "", "")
    return table


def payments_table(books: Books) -> Table:
    table = _table("Payments", "QB id", "Customer", "Reference", "Amount", "Applied to", numeric=("Amount",))
    for payment in books.payments:
        applied = ", ".join(
            f"invoice {invoice.number if invoice else a.invoice_id}: {show(a.amount)}"
            for a in payment.applied
            for invoice in [by_id(books.invoices, a.invoice_id)]
        )
        table.add_row(payment.qb_id, payment.customer, payment.reference, show(payment.amount), applied)
    return table


def purchases_table(title: str, documents: Sequence[Purchase]) -> Table:
    table = _table(
        title, "Number", "Vendor", "Item", "Qty", "Cost", "Amount", numeric=("Qty", "Cost", "Amount")
    )
    for document in documents:
        for index, line in enumerate(document.lines):
            first = index == 0
            table.add_row(
                f"{document.number} (QB id {document.qb_id})" if first else "",
                document.vendor if first else "",
                line.item,
                _qty(line.quantity),
                _rate(line.rate),
                show(line.amount),
            )
        table.add_row("", "", Text("Total", style="bold"), "", "", Text(show(document.total), style="bold"))
        for label, value in document.details:
            table.add_row("", label, value, "", "", "")
        table.add_section()
    return table


def timeline_table(job: JobView, product: str) -> Table:
    attempts = f"{job.attempts} attempt{'s' if job.attempts != 1 else ''}"
    title = f"Job for order {job.order_number} ({product}): {job.status} ({job.status_label}), {attempts}"
    table = _table(title, "At", "Step", "Action", "Status", "QB id", "What happened", numeric=("At",))

    def at(moment: datetime) -> str:
        return f"+{(moment - job.created_at).total_seconds():.3f}s"

    table.add_row(at(job.created_at), "job", "", "queued", "", "Order sent with the QB button")
    for step in job.steps:
        style = None if step.status == "succeeded" else "bold"
        table.add_row(
            at(step.at),
            step.key,
            step.action,
            step.status,
            step.qb_id or "",
            step.error or step.summary or "",
            style=style,
        )
    if job.finished_at is not None:
        table.add_row(at(job.finished_at), "job", "", job.status, "", job.last_error or job.status_label)
    for warning in job.warnings:
        table.add_row("", "warning", "", "", "", warning)
    return table


def checks_table(product: str, checks: Sequence[Check]) -> Table:
    table = _table(
        f"Checks, {product}: QuickBooks against the orders",
        "Order",
        "Figure",
        "Expected",
        "In QuickBooks",
        "",
    )
    for check in checks:
        verdict = Text("ok", style="green") if check.ok else Text("DIFFERS", style="bold red")
        table.add_row(check.order_number, check.what, check.expected, check.actual, verdict)
    return table


def summary_table(checks: Sequence[Check]) -> Table:
    table = _table("Summary", "Product", "Checks", "Differences", "Result", numeric=("Checks", "Differences"))
    products = list(dict.fromkeys(check.product for check in checks))
    for product in products:
        mine = [c for c in checks if c.product == product]
        wrong = sum(1 for c in mine if not c.ok)
        result = Text("PASS", style="bold green") if wrong == 0 else Text("FAIL", style="bold red")
        table.add_row(product, str(len(mine)), str(wrong), result)
    return table
