"""The QBO encoder per edition: the payload shapes of docs/quickbooks-online.md §6.3–§6.7, each checked
against Intuit's XSD (the vendored Finance.xsd) as every encoder payload is.

US with automated sales tax: ESP's tax as ``TxnTaxCodeRef`` + ``TotalTax``; US lines TAX/NON. Canada,
UK, Australia: every line (sales, discount, tax item, bill and PO lines) names one of the company's
codes by Id, ``GlobalTaxCalculation`` is TaxExcluded and no ``TxnTaxDetail`` is sent. Multi-currency:
a foreign party names its currency, documents carry the order's exchange rate.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from espqb.orders import a7102_request
from espqb.plan import DiscountLine, ItemLine, Plan, QuickBooksCompany, TaxCodeRef
from qb_sandbox.intuit import check_entity
from qbo_gateway.encoder import EncodeContext, PurchaseOrderLink, as_sparse_update, encode
from tests.plan.factories import SETTINGS, line, order, plan
from tests.qbo.editions.companies import AUSTRALIA, CANADA, MULTI_CURRENCY_US, UK, US_AST, US_MANUAL

ACCOUNTS = {"accounts receivable": "5", "accounts payable": "6"}
EDITIONS = {"us_ast": US_AST, "us": US_MANUAL, "ca": CANADA, "uk": UK, "au": AUSTRALIA}


def _context(p: Plan) -> EncodeContext:
    return EncodeContext(
        ids={op.key: str(100 + n) for n, op in enumerate(p.operations)}, account_ids=ACCOUNTS
    )


def _bodies(p: Plan) -> dict[str, tuple[str, dict[str, Any]]]:
    context = _context(p)
    out = {}
    for op in p.operations:
        receives = PurchaseOrderLink("900", ("1",) * len(op.lines)) if op.kind == "bill" else None  # type: ignore[union-attr]
        out[op.key] = encode(op, context, receives=receives)
    return out


BOTH = {"suppliers": {"S1": {"vendor": {"create": True}, "send_bill": True, "send_purchase_order": True}}}


def _choices(tax: str) -> dict[str, Any]:
    return {**BOTH, "tax": tax}


def _taxed_order(tax: str = "13.00", rate: str = "13", **extra: Any) -> Any:
    # 100.00 of taxable goods, a 20.00 non-taxable setup charge; cost 60.00.
    return order(
        [line("T1", 10, "10.00", "6.00")],
        str(Decimal("120.00") + Decimal(tax)),
        charges=[
            {
                "kind": "setup",
                "description": "Setup",
                "quantity": "1",
                "unit_price": "20.00",
                "taxable": False,
            }
        ],
        tax={"amount": tax, "rate_percent": rate},
        **extra,
    )


def _a7102(company: QuickBooksCompany, tax: str = "item") -> Plan:
    request = a7102_request()
    snapshot = request.order.model_copy(update={"currency": company.home_currency})
    return plan(snapshot, {**request.choices.model_dump(mode="json"), "tax": tax}, company=company)


def _all_valid(p: Plan) -> None:
    for key, (entity, body) in _bodies(p).items():
        assert check_entity(entity, body) == [], key
        assert check_entity(entity, as_sparse_update(body, "77", "3")) == [], key


@pytest.mark.parametrize("edition", sorted(EDITIONS))
def test_every_a7102_payload_of_every_edition_matches_intuits_schema(edition: str) -> None:
    _all_valid(_a7102(EDITIONS[edition]))


def test_us_automated_sales_tax_gets_the_code_with_the_total_tax() -> None:
    p = plan(_taxed_order("7.75", "7.75"), _choices("quickbooks_default"), company=US_AST)
    _entity, body = _bodies(p)["invoice"]
    # docs/quickbooks-online.md §6.3: a TotalTax without TxnTaxCodeRef is recomputed by AST.
    assert body["TxnTaxDetail"] == {
        "TxnTaxCodeRef": {"value": "3", "name": "California"},
        "TotalTax": Decimal("7.75"),
    }
    assert [line["SalesItemLineDetail"]["TaxCodeRef"] for line in body["Line"]] == [
        {"value": "TAX"},
        {"value": "NON"},
    ]
    assert "GlobalTaxCalculation" not in body
    assert check_entity("Invoice", body) == []


def test_us_manual_sales_tax_sends_the_companys_code_with_esps_figure() -> None:
    p = plan(_taxed_order("8.25", "8.25"), _choices("quickbooks_default"), company=US_MANUAL)
    _entity, body = _bodies(p)["invoice"]
    assert body["TxnTaxDetail"] == {
        "TxnTaxCodeRef": {"value": "2", "name": "Demo County"},
        "TotalTax": Decimal("8.25"),
    }


def test_a_plan_made_before_the_company_was_read_keeps_the_total_alone() -> None:
    p = plan(_taxed_order("8.25", "8.25"), _choices("quickbooks_default"))
    _entity, body = _bodies(p)["invoice"]
    assert body["TxnTaxDetail"] == {"TotalTax": Decimal("8.25")}


def test_us_tax_as_an_item_is_a_non_line_and_no_tax_detail() -> None:
    p = plan(_taxed_order("7.75", "7.75"), _choices("item"), company=US_AST)
    _entity, body = _bodies(p)["invoice"]
    assert "TxnTaxDetail" not in body
    assert {line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in body["Line"]} == {"NON"}


def test_a_canadian_invoice_names_hst_on_on_taxed_lines_and_the_zero_rated_code_elsewhere() -> None:
    p = plan(_taxed_order(currency="CAD"), _choices("quickbooks_default"), company=CANADA)
    _entity, body = _bodies(p)["invoice"]
    codes = [line["SalesItemLineDetail"]["TaxCodeRef"] for line in body["Line"]]
    assert codes == [{"value": "4", "name": "HST ON"}, {"value": "7", "name": "Zero-rated"}]
    assert body["GlobalTaxCalculation"] == "TaxExcluded"
    assert "TxnTaxDetail" not in body  # QBO computes 13 % of 100.00 from the line codes
    assert check_entity("Invoice", body) == []


def test_outside_the_us_the_tax_item_and_every_line_carry_the_no_tax_code() -> None:
    p = plan(_taxed_order("20.00", "20", currency="GBP"), _choices("item"), company=UK)
    _entity, body = _bodies(p)["invoice"]
    codes = {line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in body["Line"]}
    assert codes == {"12"}  # 0.0% Z on products, the setup charge and the tax line
    assert body["GlobalTaxCalculation"] == "TaxExcluded"
    assert "TxnTaxDetail" not in body
    assert sum(line["Amount"] for line in body["Line"]) == Decimal("140.00")


def test_a_discount_line_outside_the_us_carries_the_code_the_plan_gives_it() -> None:
    discounted = order(
        [line("T1", 10, "10.00", "6.00")],
        "99.00",
        discount={"amount": "10.00"},
        tax={"amount": "9.00", "rate_percent": "10"},
        currency="AUD",
    )
    p = plan(discounted, _choices("quickbooks_default"), company=AUSTRALIA)
    invoice = p.operation("invoice")
    context = _context(p)
    # QBO spreads a discount before tax over the taxed lines itself (the plan counted 10 % of 90.00):
    # the plan names no code on the discount line, and none is sent.
    body = encode(invoice, context)[1]
    (discount,) = [line for line in body["Line"] if line["DetailType"] == "DiscountLineDetail"]
    assert discount["DiscountLineDetail"] == {"PercentBased": False}
    assert body["ApplyTaxAfterDiscount"] is True
    # When a plan does name one, it goes in DiscountLineDetail.TaxCodeRef, where the XSD has it.
    coded = dataclasses.replace(
        invoice,
        lines=tuple(
            dataclasses.replace(line, tax_code=TaxCodeRef("21", "GST free"))
            if isinstance(line, DiscountLine)
            else line
            for line in invoice.lines
        ),
    )
    body = encode(coded, context)[1]
    (discount,) = [line for line in body["Line"] if line["DetailType"] == "DiscountLineDetail"]
    assert discount["DiscountLineDetail"]["TaxCodeRef"] == {"value": "21", "name": "GST free"}
    assert check_entity("Invoice", body) == []


def test_bills_and_purchase_orders_name_the_purchase_code_outside_the_us() -> None:
    p = plan(_taxed_order(currency="CAD"), _choices("quickbooks_default"), company=CANADA)
    bodies = _bodies(p)
    for key in ("bill:S1", "purchase_order:S1"):
        entity, body = bodies[key]
        assert body["GlobalTaxCalculation"] == "TaxExcluded", key
        details = [line["ItemBasedExpenseLineDetail"] for line in body["Line"]]
        assert {d["TaxCodeRef"]["value"] for d in details} == {"7"}, key  # Zero-rated: ESP's cost exactly
        assert check_entity(entity, body) == [], key


def test_a_chosen_purchase_code_is_sent_and_its_tax_is_in_the_planned_total() -> None:
    settings = SETTINGS.model_copy(
        update={"tax_default": SETTINGS.tax_default.model_copy(update={"purchase_code": "HST ON"})}
    )
    p = plan(_taxed_order(currency="CAD"), _choices("quickbooks_default"), company=CANADA, settings=settings)
    bill = p.operation("bill:S1")
    assert (bill.tax_amount, bill.total) == (Decimal("7.80"), Decimal("67.80"))  # 13 % of 60.00
    _entity, body = _bodies(p)["bill:S1"]
    assert {line["ItemBasedExpenseLineDetail"]["TaxCodeRef"]["value"] for line in body["Line"]} == {"4"}


def test_us_documents_carry_no_line_codes_on_purchases_nor_global_calculation() -> None:
    p = plan(_taxed_order("8.25", "8.25"), _choices("quickbooks_default"), company=US_MANUAL)
    bodies = _bodies(p)
    for key in ("bill:S1", "purchase_order:S1"):
        _entity, body = bodies[key]
        assert "GlobalTaxCalculation" not in body
        assert all("TaxCodeRef" not in line["ItemBasedExpenseLineDetail"] for line in body["Line"])


def test_a_foreign_currency_order_names_the_currency_on_new_parties_and_the_rate_on_documents() -> None:
    cad = _taxed_order("0.00", "0", currency="CAD", exchange_rate="0.731500")
    p = plan(cad, _choices("item"), company=MULTI_CURRENCY_US)
    bodies = _bodies(p)
    assert bodies["customer"][1]["CurrencyRef"] == {"value": "CAD"}
    assert bodies["vendor:S1"][1]["CurrencyRef"] == {"value": "CAD"}
    for key in ("invoice", "bill:S1", "purchase_order:S1"):
        _entity, body = bodies[key]
        assert body["CurrencyRef"] == {"value": "CAD"}, key
        assert body["ExchangeRate"] == Decimal("0.731500"), key
    for key, (entity, body) in bodies.items():
        assert check_entity(entity, body) == [], key


def test_a_payment_in_a_foreign_currency_carries_the_currency_and_rate() -> None:
    request = a7102_request()
    cad = request.order.model_copy(update={"currency": "CAD", "exchange_rate": Decimal("0.7315")})
    p = plan(cad, request.choices, company=MULTI_CURRENCY_US)
    entity, body = _bodies(p)["payment:P1"]
    assert (body["CurrencyRef"], body["ExchangeRate"]) == ({"value": "CAD"}, Decimal("0.7315"))
    assert check_entity(entity, body) == []


def test_a_home_currency_order_names_no_currency_on_parties_nor_a_rate() -> None:
    p = plan(
        _taxed_order("8.25", "8.25", exchange_rate="1.25"),
        _choices("quickbooks_default"),
        company=MULTI_CURRENCY_US,
    )
    bodies = _bodies(p)
    assert "CurrencyRef" not in bodies["customer"][1]
    assert "ExchangeRate" not in bodies["invoice"][1]


def test_a_code_without_a_quickbooks_id_is_resolved_by_name_through_the_list() -> None:
    p = plan(_taxed_order(currency="CAD"), _choices("quickbooks_default"), company=CANADA)
    invoice = p.operation("invoice")
    unnamed = dataclasses.replace(
        invoice,
        lines=tuple(
            dataclasses.replace(line, tax_code=TaxCodeRef("HST ON", "HST ON"))
            if isinstance(line, ItemLine)
            else line
            for line in invoice.lines
        ),
    )
    context = EncodeContext(ids=_context(p).ids, account_ids=ACCOUNTS, tax_code_ids={"hst on": "4"})
    body = encode(unnamed, context)[1]
    assert {line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in body["Line"]} == {"4"}
