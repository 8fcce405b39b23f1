"""Print one product's story (its QuickBooks documents and job timelines) and the final verdict."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console

from .checks import Check, failures
from .story import StoryResult
from .tables import (
    checks_table,
    invoice_table,
    items_table,
    parties_table,
    payments_table,
    purchases_table,
    summary_table,
    timeline_table,
)

__all__ = ["print_books", "print_verdict"]


def print_books(console: Console, result: StoryResult) -> None:
    books = result.books
    console.print()
    console.print(f"[bold]{books.product}: the books of {books.company}[/bold]")
    for table in (
        parties_table("Customers", books.customers),
        parties_table("Vendors", books.vendors),
        items_table(books.items),
        *(invoice_table(invoice, books) for invoice in books.invoices),
        payments_table(books),
        purchases_table("Purchase orders", books.purchase_orders),
        purchases_table("Bills", books.bills),
    ):
        console.print()
        console.print(table)
    for job in result.jobs:
        console.print()
        console.print(timeline_table(job, books.product))


def print_verdict(console: Console, checks: Sequence[Check]) -> bool:
    """The checks, the summary per product and one last line; True when every figure matches."""
    for product in dict.fromkeys(check.product for check in checks):
        console.print()
        console.print(checks_table(product, [c for c in checks if c.product == product]))
    console.print()
    console.print(summary_table(checks))
    wrong = failures(checks)
    console.print()
    if wrong:
        console.print(f"[bold red]FAIL[/bold red]: {len(wrong)} figure(s) differ from the orders:")
        for check in wrong:
            console.print(
                f"  {check.product}, order {check.order_number}, {check.what}: "
                f"expected {check.expected}, QuickBooks has {check.actual}"
            )
        return False
    console.print(
        f"[bold green]PASS[/bold green]: all {len(checks)} figures match their orders on both products."
    )
    return True
