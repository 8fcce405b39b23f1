"""Terms, classes, locations, ship methods, sales reps and customer messages: the QuickBooks list
entries a document names are linked when the company has them, added when it may, and refused before
anything is written when it may not — with the same rules on both products."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from espqb.orders import OrderSnapshot
from espqb.plan import (
    BillOp,
    DocumentDefaults,
    InvoiceOp,
    ListEntryOp,
    Plan,
    PlanError,
    PurchaseOrderOp,
    QuickBooksCompany,
    Target,
)
from espqb.plan.company import ListEntry
from espqb.plan.lists import terms_days
from tests.plan.factories import SETTINGS, line, order, plan, supplier

BOTH = {"suppliers": {"S1": {"send_bill": True, "send_purchase_order": True}}}


def _order(**extra: Any) -> OrderSnapshot:
    extra.setdefault("suppliers", [supplier("S1")])
    return order([line("A7102", 100, "2.30", cost="1.15")], total="230.00", **extra)


def _company(target: Target = "qbo", **extra: Any) -> QuickBooksCompany:
    return QuickBooksCompany(product=target, lists_read=True, **extra)


def _plan(
    snapshot: OrderSnapshot, target: Target = "qbo", company: QuickBooksCompany | None = None, **settings: Any
) -> Plan:
    return plan(
        snapshot,
        BOTH,
        target=target,
        company=company,
        settings=SETTINGS.model_copy(update={"document_defaults": DocumentDefaults(**settings)}),
    )


def _docs(p: Plan) -> tuple[InvoiceOp, PurchaseOrderOp, BillOp]:
    invoice, po, bill = p.operation("invoice"), p.operation("purchase_order:S1"), p.operation("bill:S1")
    assert isinstance(invoice, InvoiceOp) and isinstance(po, PurchaseOrderOp) and isinstance(bill, BillOp)
    return invoice, po, bill


def _entries(p: Plan) -> dict[str, tuple[str, str, str | None, int | None]]:
    return {
        op.key: (
            op.action,
            op.name,
            op.existing.quickbooks_id if op.existing is not None else None,
            op.due_days,
        )
        for op in p.operations
        if isinstance(op, ListEntryOp)
    }


def _problems(raised: pytest.ExceptionInfo[PlanError]) -> dict[str, str]:
    return {problem.path: problem.message for problem in raised.value.problems}


@pytest.mark.parametrize("target", ["qbo", "qbd"])
def test_net_30_terms_are_added_when_missing_and_give_the_due_date(target: Target) -> None:
    p = _plan(_order(terms="Net 30"), target, _company(target))
    invoice, _po, _bill = _docs(p)
    assert _entries(p) == {"terms:net 30": ("create", "Net 30", None, 30)}
    assert invoice.details.terms_key == "terms:net 30"
    # 3 June + 30 days: the due date QuickBooks shows for Net 30.
    assert invoice.details.due_date == date(2024, 7, 3)
    # The list entry comes before the document that names it.
    keys = p.operation_keys()
    assert keys.index("terms:net 30") < keys.index("invoice")
    assert "terms:net 30" in invoice.references()


@pytest.mark.parametrize("target", ["qbo", "qbd"])
def test_terms_the_company_has_are_linked_with_its_spelling_and_days(target: Target) -> None:
    company = _company(
        target,
        terms=(ListEntry(id="3", name="Net 30", due_days=30), ListEntry(id="4", name="Net 45", due_days=45)),
    )
    p = _plan(_order(terms="net 30", due_date="2024-07-01"), target, company)
    invoice, _po, _bill = _docs(p)
    assert _entries(p) == {"terms:net 30": ("link", "Net 30", "3", 30)}
    # A due date the order gives wins over the terms' days.
    assert invoice.details.due_date == date(2024, 7, 1)


def test_terms_whose_days_cannot_be_told_are_refused_unless_the_order_gives_a_due_date() -> None:
    with pytest.raises(PlanError) as raised:
        _plan(_order(terms="End of month special"), "qbd", _company("qbd"))
    assert "how many days they give cannot be told" in _problems(raised)["order.terms"]
    p = _plan(_order(terms="End of month special", due_date="2024-06-30"), "qbd", _company("qbd"))
    assert _entries(p)["terms:end of month special"] == ("create", "End of month special", None, 27)


def test_supplier_terms_go_on_the_bill_and_the_po_and_set_the_bills_due_date() -> None:
    suppliers = [{**supplier("S1"), "terms": "Net 45", "invoice_date": "2024-06-10"}]
    p = _plan(_order(suppliers=suppliers, terms="Net 30"), "qbo", _company())
    invoice, po, bill = _docs(p)
    assert (invoice.details.terms_key, po.details.terms_key, bill.details.terms_key) == (
        "terms:net 30",
        "terms:net 45",
        "terms:net 45",
    )
    assert bill.details.due_date == date(2024, 7, 25)  # the supplier's invoice date + 45 days
    assert [k for k in _entries(p)] == ["terms:net 30", "terms:net 45"]


def test_the_settings_defaults_apply_when_the_order_names_none() -> None:
    company = _company(class_tracking="per_transaction", tracks_locations=True)
    p = _plan(
        _order(), "qbo", company, terms="Net 15", vendor_terms="Net 60", class_name="East", location="Boston"
    )
    invoice, po, bill = _docs(p)
    assert invoice.details.terms_key == "terms:net 15" and bill.details.terms_key == "terms:net 60"
    assert invoice.details.class_key == po.details.class_key == bill.details.class_key == "class:east"
    assert invoice.details.location_key == bill.details.location_key == "location:boston"
    # The order's own values win over the defaults.
    p = _plan(_order(class_name="West"), "qbo", company, class_name="East")
    assert _docs(p)[0].details.class_key == "class:west"


@pytest.mark.parametrize("target", ["qbo", "qbd"])
def test_a_class_is_not_written_while_class_tracking_is_off_and_the_job_says_so(target: Target) -> None:
    p = _plan(_order(class_name="West"), target, _company(target))
    invoice, po, bill = _docs(p)
    assert invoice.details.class_key is po.details.class_key is bill.details.class_key is None
    assert _entries(p) == {}
    said = [n for n in p.notes if "class “West” was not written: class tracking is off" in n]
    assert len(said) == 1  # once, not once per document


def test_online_per_line_class_tracking_puts_the_class_on_the_lines() -> None:
    company = _company(class_tracking="per_line", classes=(ListEntry(id="5", name="West"),))
    p = _plan(_order(class_name="west"), "qbo", company)
    invoice, po, _bill = _docs(p)
    assert _entries(p) == {"class:west": ("link", "West", "5", None)}
    assert invoice.details.class_on_lines and po.details.class_on_lines


def test_a_missing_sub_class_is_refused_with_what_to_do() -> None:
    with pytest.raises(PlanError) as raised:
        _plan(_order(class_name="Sales:West"), "qbd", _company("qbd", class_tracking="per_transaction"))
    assert "sub-class that is not in QuickBooks Desktop" in _problems(raised)["order.class_name"]


def test_locations_are_online_only_and_follow_the_companys_tracking() -> None:
    on = _company(
        tracks_locations=True, location_label="Store", locations=(ListEntry(id="2", name="Boston"),)
    )
    p = _plan(_order(location="Boston"), "qbo", on)
    assert _docs(p)[0].details.location_key == "location:boston"
    assert _entries(p) == {"location:boston": ("link", "Boston", "2", None)}
    off = _plan(_order(location="Boston"), "qbo", _company(location_label="Store"))
    assert any("store “Boston” was not written: location tracking is off" in n for n in off.notes)
    desktop = _plan(_order(location="Boston"), "qbd", _company("qbd"))
    assert _entries(desktop) == {}
    assert any("QuickBooks Desktop documents have no location" in n for n in desktop.notes)


def test_a_desktop_sales_rep_is_linked_by_initials_or_name_and_never_added() -> None:
    company = _company("qbd", sales_reps=(ListEntry(id="80000001-1", name="JD", description="Jane Doe"),))
    for wanted in ("JD", "jane doe"):
        p = _plan(_order(sales_rep=wanted), "qbd", company)
        assert _docs(p)[0].details.sales_rep_key == "sales_rep:jd"
        assert _entries(p) == {"sales_rep:jd": ("link", "JD", "80000001-1", None)}
    with pytest.raises(PlanError) as raised:
        _plan(_order(sales_rep="Bob Smith"), "qbd", company)
    message = _problems(raised)["order.sales_rep"]
    assert "not in QuickBooks Desktop's sales rep list" in message and "Sales Rep List" in message


def test_online_writes_the_sales_rep_into_its_custom_field_or_says_it_cannot() -> None:
    p = _plan(_order(sales_rep="Jane Doe"), "qbo", _company(sales_rep_field="2"))
    details = _docs(p)[0].details
    assert (details.sales_rep, details.sales_rep_in_field, details.sales_rep_key) == ("Jane Doe", "2", None)
    # Without a rep the field is still named, so that a re-send empties a rep the order dropped.
    p = _plan(_order(), "qbo", _company(sales_rep_field="2"))
    assert (_docs(p)[0].details.sales_rep, _docs(p)[0].details.sales_rep_in_field) == (None, "2")
    p = _plan(_order(sales_rep="Jane Doe"), "qbo", _company())
    assert _docs(p)[0].details.sales_rep is None
    assert any("sales rep “Jane Doe” was not written" in n for n in p.notes)


def test_when_the_settings_forbid_adding_entries_a_missing_one_is_refused_and_an_existing_one_linked() -> (
    None
):
    company = _company("qbd", terms=(ListEntry(id="1", name="Net 30", due_days=30),))
    with pytest.raises(PlanError) as raised:
        _plan(_order(terms="Net 30", ship_method="UPS Ground"), "qbd", company, create_list_entries=False)
    assert list(_problems(raised)) == ["order.ship_method"]
    assert "do not let ESP add list entries" in _problems(raised)["order.ship_method"]


def test_a_missing_name_longer_than_desktop_allows_is_refused_not_cut() -> None:
    # Cutting a list name would link or add another entry than the one meant.
    with pytest.raises(PlanError) as raised:
        _plan(_order(terms="Net 30 with two percent ten days early"), "qbd", _company("qbd"))
    assert "longer than the 31 characters" in _problems(raised)["order.terms"]


def test_without_a_known_company_entries_are_created_and_found_by_name_by_the_transport() -> None:
    p = _plan(_order(terms="Net 30", class_name="West"), "qbo", None)
    assert _entries(p) == {
        "terms:net 30": ("create", "Net 30", None, 30),
        "class:west": ("create", "West", None, None),
    }


@pytest.mark.parametrize(
    ("name", "days"),
    [
        ("Net 30", 30),
        ("net30", 30),
        ("2% 10 Net 30", 30),
        ("45 days", 45),
        ("Due on receipt", 0),
        ("COD", 0),
        ("Special", None),
    ],
)
def test_terms_days_from_the_name(name: str, days: int | None) -> None:
    assert terms_days(name) == days
