"""The demo's invoice table reads like the invoice in QuickBooks: product lines, then Subtotal before
tax, the discount, the tax and the total, and those figures add up (`espqb-dev demo` prints it)."""

from __future__ import annotations

import re
from decimal import Decimal

from rich.console import Console

from espqb_devtools.demo.books import Books, DocLine, Invoice, LineRole
from espqb_devtools.demo.tables import invoice_table


def _line(role: LineRole, item: str, description: str, amount: str, qty: str | None = None) -> DocLine:
    quantity = Decimal(qty) if qty else None
    rate = Decimal(amount) / quantity if quantity else None
    return DocLine(role, item, description, quantity, rate, Decimal(amount))


def _online_invoice_with_tax_as_an_item() -> Invoice:
    """Order 10246 as QuickBooks Online holds it: the "Total Tax" item line comes before Online's own
    subtotal line, which therefore adds the tax in (652.00 of products + 51.10 of tax = 703.10)."""
    return Invoice(
        qb_id="1",
        number="10246",
        customer="Northshore Realty",
        lines=(
            _line("item", "P455", "Soft-touch pen", "300.00", "250"),
            _line("item", "M11", "Ceramic mug", "312.00", "48"),
            _line("item", "Setup Charge", "Set-up, mug imprint", "40.00", "1"),
            _line("tax", "Total Tax", "Sales tax 8.25%", "51.10", "1"),
            _line("subtotal", "Subtotal", "", "703.10"),
            _line("discount", "Discount", "Discount 5%", "-32.60"),
        ),
        computed_tax=Decimal("0"),
        total=Decimal("670.50"),
        balance=Decimal("670.50"),
    )


def _printed(invoice: Invoice) -> list[str]:
    books = Books("QuickBooks Online", "Test books", (), (), (), (invoice,), (), (), ())
    console = Console(width=120, record=True, color_system=None)
    console.print(invoice_table(invoice, books))
    return console.export_text().splitlines()


def _figure(rows: list[str], label: str) -> tuple[int, Decimal]:
    """The row index and the amount of the one row whose label is ``label``."""
    found = [(i, row) for i, row in enumerate(rows) if re.search(rf"\s{re.escape(label)}\s", row)]
    assert len(found) == 1, (label, rows)
    index, row = found[0]
    amount = re.findall(r"[-−]?\d+\.\d\d", row)[-1]
    return index, Decimal(amount.replace("−", "-"))


def test_the_online_invoice_shows_subtotal_before_tax_then_tax_then_total_and_they_add_up() -> None:
    rows = _printed(_online_invoice_with_tax_as_an_item())

    subtotal_at, subtotal = _figure(rows, "Subtotal")
    discount_at, discount = _figure(rows, "Discount 5%")
    tax_at, tax = _figure(rows, "Sales tax 8.25%")
    total_at, total = _figure(rows, "Total")

    assert subtotal == Decimal("652.00")  # the products, before tax
    assert subtotal_at < discount_at < tax_at < total_at
    assert subtotal + discount + tax == total == Decimal("670.50")
    assert not any("703.10" in row for row in rows), rows  # no Subtotal with the tax in it
    for product in ("P455", "M11", "Setup Charge"):
        assert any(product in row for row in rows[:subtotal_at]), product
