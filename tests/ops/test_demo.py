"""`espqb-dev demo` (`make demo`): the whole story on both products, and a verdict that can say no.

The full runs start the Intuit sandbox and both gateways on loopback ports over a temporary SQLite
database, exactly as `make demo` does (a few seconds each). The checks themselves are also fed
hand-made books, right and tampered, to prove they catch a wrong figure.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from espqb.orders import a7102_request
from espqb_devtools.demo import command, story_qbd
from espqb_devtools.demo.books import AppliedPayment, Books, DocLine, Invoice, Payment, Purchase
from espqb_devtools.demo.checks import Check, a7102_checks, failures, order_checks
from espqb_devtools.demo.jobs import JobView, parse_job
from espqb_devtools.demo.orders import two_supplier_request
from espqb_devtools.demo.services import StartupError
from espqb_devtools.main import app

runner = CliRunner()
A7102_FIGURES = ("218.50", "100.00", "118.50")


def _demo(database: Path) -> Any:
    return runner.invoke(app, ["demo", "--database-url", f"sqlite+aiosqlite:///{database}"])


def _sections(output: str) -> dict[str, str]:
    """The printout cut at its section rules: QuickBooks Online, Online Canada, Desktop, Desktop
    Canada, Checks."""
    rules = {
        "qbo": "QuickBooks Online ─",
        "qbo-ca": "QuickBooks Online, Canada ─",
        "qbd": "QuickBooks Desktop ─",
        "qbd-ca": "QuickBooks Desktop, Canada ─",
        "checks": " Checks ─",
    }
    starts = [output.index(rule) for rule in rules.values()]
    assert starts == sorted(starts), output
    ends = [*starts[1:], len(output)]
    return {name: output[start:end] for name, start, end in zip(rules, starts, ends, strict=True)}


def test_the_demo_sends_both_orders_to_both_products_and_every_figure_matches(tmp_path: Path) -> None:
    result = _demo(tmp_path / "demo.sqlite3")

    assert result.exit_code == 0, result.output
    sections = _sections(result.output)
    for product in ("qbo", "qbd"):
        printed = sections[product]
        assert "Invoice 10245 for Lakeside Dental Group" in printed
        assert "Invoice 10246 for Northshore Realty" in printed
        for figure in A7102_FIGURES:
            assert figure in printed, (product, figure)
        assert "-11.50" in printed or "−11.50" in printed
        # The two-supplier order: one bill and one purchase order per supplier, and its partial payment.
        for vendor in ("Lakeshore Pen Works", "Red Rock Drinkware"):
            assert printed.count(vendor) >= 2, (product, vendor)
        assert "370.50" in printed
        assert "Job for order 10246" in printed and "bill:S30552" in printed
        # Where a bookkeeper looks: the customer's PO, Net 30 and the due date it gives, the rep, the
        # branch's class, shipping; each purchase order to its own drop-ship address on the in-hands date.
        for detail in (
            "NR-2024-0612",
            "Net 30",
            "2024-07-03",
            "Duluth",
            "UPS Ground",
            "1Z999AA10123456784",
            "350 Harbor Drive, Duluth, MN, 55802",
            "12 Kiln Road, Superior, WI, 54880",
            "2024-06-24",
            "Net 15",
            "terms:net 30",
        ):
            assert detail in printed, (product, detail)
        assert re.search(r"Sales Rep +Dana Whitfield" if product == "qbo" else r"Rep +DW\b", printed), product
    for product, label in (("qbo-ca", "QuickBooks Online, Canada"), ("qbd-ca", "QuickBooks Desktop, Canada")):
        printed = sections[product]
        # A Canadian company read as such, and the HST order with ESP's 13 % to the cent.
        assert "country CA, a tax code on every line, CAD only" in printed, product
        assert "HST ON (13 %)" in printed or "H (13 %)" in printed, product
        assert "Invoice 10247 for Lakeshore Dental" in printed, product
        assert "28.41" in printed and "246.91" in printed and "146.91" in printed, product
        (summary,) = [line for line in sections["checks"].splitlines() if line.startswith(f"{label} ")]
        assert summary.split()[-3:] == ["12", "0", "PASS"], summary
    assert "QuickBooks Online        " in sections["checks"] and "DIFFERS" not in sections["checks"]
    assert "PASS: all" in sections["checks"]


def test_the_demo_refuses_a_database_an_earlier_run_used(tmp_path: Path) -> None:
    database = tmp_path / "used.sqlite3"
    assert _demo(database).exit_code == 0

    again = _demo(database)

    assert again.exit_code == 2
    assert "company demo-qbo already exists in this database" in again.output


def test_a_figure_quickbooks_holds_differently_fails_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QuickBooks Desktop "loses" a cent on the A7102 invoice: the demo must say so and exit 1."""
    real_reader: Callable[..., Books] = story_qbd.read_qbd_books

    def reader_with_a_wrong_cent(*args: Any) -> Books:
        books = real_reader(*args)
        return dataclasses.replace(books, invoices=tuple(_off_by_a_cent(i) for i in books.invoices))

    monkeypatch.setattr(story_qbd, "read_qbd_books", reader_with_a_wrong_cent)

    result = _demo(tmp_path / "demo.sqlite3")

    assert result.exit_code == 1, result.output
    assert "FAIL: " in result.output
    assert (
        "QuickBooks Desktop, order 10245, invoice total: expected 218.50, QuickBooks has 218.49"
        in result.output
    )
    assert "A7102 example: total: expected 218.50, QuickBooks has 218.49" in result.output


def _off_by_a_cent(invoice: Invoice) -> Invoice:
    if invoice.number != "10245":
        return invoice
    return dataclasses.replace(invoice, total=invoice.total - Decimal("0.01"))


def test_a_crash_is_one_readable_line_and_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_stack(url: str) -> Any:
        raise StartupError("qbo-gateway did not start (see the messages above)")

    monkeypatch.setattr(command, "running_stack", no_stack)

    result = _demo(tmp_path / "demo.sqlite3")

    assert result.exit_code == 2
    assert "demo crashed: StartupError: qbo-gateway did not start" in result.output
    assert "Traceback" not in result.output


# --- the checks, on hand-made books --------------------------------------------------------------------


def _step(key: str, qb_id: str) -> dict[str, Any]:
    return {
        "key": key,
        "kind": key.split(":")[0],
        "action": "create",
        "status": "succeeded",
        "qb_id": qb_id,
        "updated_at": "2024-05-14T10:00:01Z",
    }


def _a7102_job(**changes: Any) -> JobView:
    data = {
        "id": "job-1",
        "order_number": "10245",
        "target": "qbo",
        "status": "succeeded",
        "created_at": "2024-05-14T10:00:00Z",
        "finished_at": "2024-05-14T10:00:02Z",
        "steps": [
            _step("invoice", "INV"),
            _step("payment:P1", "PAY"),
            _step("bill:S61125", "BILL"),
            _step("purchase_order:S61125", "PO"),
        ],
    }
    data.update(changes)
    return parse_job(data)


def _line(role: str, amount: str, quantity: str | None = None, rate: str | None = None) -> DocLine:
    return DocLine(
        role=role,  # type: ignore[arg-type]
        item=role,
        description="",
        quantity=Decimal(quantity) if quantity else None,
        rate=Decimal(rate) if rate else None,
        amount=Decimal(amount),
    )


def _a7102_books(
    *,
    discount: str = "-11.50",
    total: str = "218.50",
    balance: str = "118.50",
    payment: str = "100.00",
    bill_total: str = "115.00",
    bill_vendor: str = "Hit Promotional Products",
) -> Books:
    invoice = Invoice(
        qb_id="INV",
        number="10245",
        customer="Lakeside Dental Group",
        lines=(
            _line("item", "230.00", "100", "2.30"),
            _line("subtotal", "230.00"),
            _line("discount", discount),
        ),
        computed_tax=Decimal("0"),
        total=Decimal(total),
        balance=Decimal(balance),
    )
    purchase = (_line("item", "115.00", "100", "1.15"),)
    return Books(
        product="QuickBooks Test",
        company="Test books",
        customers=(),
        vendors=(),
        items=(),
        invoices=(invoice,),
        payments=(
            Payment(
                "PAY",
                "Lakeside Dental Group",
                "4411",
                Decimal(payment),
                (AppliedPayment("INV", Decimal(payment)),),
            ),
        ),
        bills=(Purchase("BILL", "10245", bill_vendor, purchase, Decimal(bill_total)),),
        purchase_orders=(Purchase("PO", "10245", "Hit Promotional Products", purchase, Decimal("115.00")),),
    )


def _all_checks(books: Books, job: JobView | None = None) -> list[Check]:
    job = job or _a7102_job()
    return order_checks(a7102_request(), job, books) + a7102_checks(books.product, "10245", job, books)


def _differences(checks: list[Check]) -> dict[str, tuple[str, str]]:
    return {c.what: (c.expected, c.actual) for c in failures(checks)}


def test_books_that_match_the_a7102_order_pass_every_check() -> None:
    checks = _all_checks(_a7102_books())

    assert failures(checks) == []
    assert {"invoice total", "balance due", "bill Hit Promotional Products: total"} <= {
        c.what for c in checks
    }


def test_a_tampered_discount_is_reported_with_both_figures() -> None:
    differences = _differences(_all_checks(_a7102_books(discount="-11.00", total="219.00", balance="119.00")))

    assert differences["invoice discount"] == ("-11.50", "-11.00")
    assert differences["invoice total"] == ("218.50", "219.00")
    assert differences["balance due"] == ("118.50", "119.00")
    assert differences["A7102 example: discount"] == ("-11.50", "-11.00")


def test_a_partial_payment_applied_short_and_a_bill_for_the_wrong_vendor_are_reported() -> None:
    differences = _differences(
        _all_checks(_a7102_books(payment="90.00", bill_total="116.15", bill_vendor="Someone Else"))
    )

    assert differences["payment P1 amount"] == ("100.00", "90.00")
    assert differences["payment P1 applied to the invoice"] == ("100.00", "90.00")
    assert differences["A7102 example: payment applied"] == ("100.00", "90.00")
    assert differences["bill Hit Promotional Products: total"] == ("115.00", "116.15")
    assert differences["bill Hit Promotional Products: vendor"] == (
        "Hit Promotional Products",
        "Someone Else",
    )


def test_a_third_decimal_in_quickbooks_is_a_difference_not_rounded_away() -> None:
    differences = _differences(_all_checks(_a7102_books(total="218.499")))

    assert differences["invoice total"] == ("218.50", "218.499")


def test_a_failed_job_and_its_missing_documents_are_reported() -> None:
    job = _a7102_job(status="failed", steps=[_step("invoice", "INV")])

    differences = _differences(_all_checks(_a7102_books(), job))

    assert differences["job status"] == ("succeeded", "failed")
    assert differences["payment P1 amount"] == ("100.00", "missing")
    assert differences["bill Hit Promotional Products: total"] == ("115.00", "missing")
    assert differences["purchase order Hit Promotional Products: total"] == ("115.00", "missing")


def test_supplier_costs_are_quantity_times_unit_cost_per_supplier() -> None:
    """The two-supplier order: the mugs' supplier also bills the set-up charge."""
    request = two_supplier_request()
    job = parse_job(
        {
            "id": "job-2",
            "order_number": "10246",
            "target": "qbd",
            "status": "succeeded",
            "created_at": "2024-06-03T10:00:00Z",
            "steps": [_step("bill:S20417", "B1"), _step("bill:S30552", "B2")],
        }
    )
    pens = Purchase("B1", "10246", "Lakeshore Pen Works", (), Decimal("137.50"))
    mugs_without_setup = Purchase("B2", "10246", "Red Rock Drinkware", (), Decimal("148.80"))
    books = dataclasses.replace(_a7102_books(), invoices=(), payments=(), bills=(pens, mugs_without_setup))

    differences = _differences(order_checks(request, job, books))

    assert "bill Lakeshore Pen Works: total" not in differences
    assert differences["bill Red Rock Drinkware: total"] == ("173.80", "148.80")
    assert differences["invoice in QuickBooks"] == ("yes", "missing")
