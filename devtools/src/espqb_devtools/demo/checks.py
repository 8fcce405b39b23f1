"""Compare what QuickBooks holds with the order it came from, figure by figure (pure).

The expected figures are worked out here from the order snapshot itself (quantity × unit price and
unit cost, the discount as an amount or a percentage, ESP's tax and total, the payments), not taken
from the accounting plan: the demo checks the whole pipeline, the plan included. The help article's
A7102 figures are checked once more as the article publishes them, so a change to the example would show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from espqb.money import decimal_places, format_money, line_amount, percent_of
from espqb.orders import OrderSnapshot, SendRequest, Supplier

from .books import Books, Invoice, by_id, total_of
from .jobs import JobView

__all__ = ["A7102_FIGURES", "Check", "a7102_checks", "failures", "order_checks"]

MISSING = "missing"

# ESP's help article, to the cent: 100 × 2.30, discount −11.50, total, payment applied, balance due.
A7102_FIGURES: tuple[tuple[str, Decimal], ...] = (
    ("subtotal", Decimal("230.00")),
    ("discount", Decimal("-11.50")),
    ("total", Decimal("218.50")),
    ("payment applied", Decimal("100.00")),
    ("balance due", Decimal("118.50")),
)


@dataclass(frozen=True, slots=True)
class Check:
    product: str
    order_number: str
    what: str
    expected: str
    actual: str

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


def show(value: Decimal | None) -> str:
    """Money as a bookkeeper reads it; a figure QuickBooks holds with more than two places is shown
    whole, so it cannot look equal to the expected one."""
    if value is None:
        return MISSING
    return format_money(value) if decimal_places(value) <= 2 else f"{value:f}"


def failures(checks: Sequence[Check]) -> list[Check]:
    return [c for c in checks if not c.ok]


@dataclass(frozen=True, slots=True)
class _Expected:
    subtotal: Decimal
    discount: Decimal  # negative
    tax: Decimal
    total: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid


def _expected(order: OrderSnapshot) -> _Expected:
    subtotal = total_of(line_amount(line.quantity, line.unit_price) for line in order.lines) + total_of(
        line_amount(charge.quantity, charge.unit_price) for charge in order.charges
    )
    discount = Decimal("0.00")
    if order.discount is not None and order.discount.amount is not None:
        discount = order.discount.amount
    elif order.discount is not None and order.discount.percent is not None:
        discount = percent_of(subtotal, order.discount.percent)
    return _Expected(
        subtotal=subtotal,
        discount=-discount,
        tax=order.tax.amount if order.tax is not None else Decimal("0.00"),
        total=order.total,
        paid=total_of(p.amount for p in order.payments),
    )


def supplier_cost(order: OrderSnapshot, supplier_id: str) -> Decimal:
    """Σ quantity × unit cost of the lines and charges this supplier bills."""
    return total_of(
        line_amount(line.quantity, line.unit_cost) for line in order.lines if line.supplier_id == supplier_id
    ) + total_of(
        line_amount(charge.quantity, charge.unit_cost)
        for charge in order.charges
        if charge.supplier_id == supplier_id
    )


def order_checks(request: SendRequest, job: JobView, books: Books) -> list[Check]:
    order = request.order

    def check(what: str, expected: str, actual: str) -> Check:
        return Check(books.product, order.order_number, what, expected, actual)

    checks = [check("job status", "succeeded", job.status)]
    invoice = by_id(books.invoices, job.qb_id("invoice"))
    if request.choices.send_invoice is not False:
        checks.append(check("invoice in QuickBooks", "yes", "yes" if invoice else MISSING))
    if invoice is not None:
        checks += [check(*figures) for figures in _invoice_figures(order, invoice, job, books)]
    for supplier in order.suppliers:
        checks += [check(*figures) for figures in _supplier_figures(request, supplier, job, books)]
    return checks


def _invoice_figures(
    order: OrderSnapshot, invoice: Invoice, job: JobView, books: Books
) -> list[tuple[str, str, str]]:
    expected = _expected(order)
    figures = [
        ("invoice number", order.order_number, invoice.number),
        ("invoice subtotal", show(expected.subtotal), show(invoice.subtotal)),
        ("invoice discount", show(expected.discount), show(invoice.discount)),
        ("invoice tax", show(expected.tax), show(invoice.tax)),
        ("invoice total", show(expected.total), show(invoice.total)),
    ]
    for payment in order.payments:
        found = by_id(books.payments, job.qb_id(f"payment:{payment.id}"))
        figures += [
            (f"payment {payment.id} amount", show(payment.amount), show(found.amount if found else None)),
            (
                f"payment {payment.id} applied to the invoice",
                show(payment.amount),
                show(found.applied_to(invoice.qb_id) if found else None),
            ),
        ]
    figures.append(("balance due", show(expected.balance), show(invoice.balance)))
    return figures


def _supplier_figures(
    request: SendRequest, supplier: Supplier, job: JobView, books: Books
) -> list[tuple[str, str, str]]:
    """The bill and the purchase order asked for, each = Σ quantity × unit cost of the supplier's lines."""
    choice = request.choices.suppliers.get(supplier.esp_id)
    cost = show(supplier_cost(request.order, supplier.esp_id))
    figures: list[tuple[str, str, str]] = []
    for kind, label, pool, wanted in (
        ("bill", "bill", books.bills, choice.send_bill if choice else None),
        (
            "purchase_order",
            "purchase order",
            books.purchase_orders,
            choice.send_purchase_order if choice else None,
        ),
    ):
        found = by_id(pool, job.qb_id(f"{kind}:{supplier.esp_id}"))
        if wanted is False or (wanted is None and found is None):
            continue  # not asked for, or left to settings that did not send it
        figures += [
            (f"{label} {supplier.name}: total", cost, show(found.total if found else None)),
            (f"{label} {supplier.name}: vendor", supplier.name, found.vendor if found else MISSING),
        ]
    return figures


def a7102_checks(product: str, order_number: str, job: JobView, books: Books) -> list[Check]:
    """The help article's figures, exactly, on the invoice the A7102 job wrote."""
    invoice = by_id(books.invoices, job.qb_id("invoice"))
    actual = _a7102_actual(invoice, books) if invoice is not None else {}
    return [
        Check(product, order_number, f"A7102 example: {what}", show(figure), show(actual.get(what)))
        for what, figure in A7102_FIGURES
    ]


def _a7102_actual(invoice: Invoice, books: Books) -> dict[str, Decimal]:
    applied = total_of(payment.applied_to(invoice.qb_id) for payment in books.payments)
    return {
        "subtotal": invoice.subtotal,
        "discount": invoice.discount,
        "total": invoice.total,
        "payment applied": applied,
        "balance due": invoice.balance,
    }
