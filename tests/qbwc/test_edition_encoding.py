"""QuickBooks Desktop editions without a database: the company a session reads (HostRet, the
preferences, the sales tax lists, the currency list) and the qbXML written for each edition.

The company is read the way a session reads it: the simulated company file answers the
``strHCPResponse`` and the list queries the cache sends, and ``session.edition`` builds the
``QuickBooksCompany`` from them. Every message validates against Intuit's qbxmlops130.xsd; what the
XSD cannot tell (docs/web-connector.md §3.11: it does not encode editions) is checked element by element.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from espqb.orders import a7102_request
from espqb.orders.request import SendRequest
from espqb.plan import KnownMappings, MappedRecord, Plan, PlanSettings, build_plan
from espqb.plan.company import QuickBooksCompany
from qb_sandbox.desktop import CompanyFile, assert_valid_qbxml
from qbwc_gateway.encoder import CompanyFilePrefs, JobMemory, MessageSetDraft, encode_job, message_set
from qbwc_gateway.listcache import CacheRefresh, cached_entry, list_query
from qbwc_gateway.listcache.lists import SPECS_BY_NAME, lists_to_read
from qbwc_gateway.responses import parse_hcp, parse_response_set
from qbwc_gateway.session.edition import FileFacts, company_of, file_facts
from qbwc_gateway.session.state import SessionState

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
SETTINGS = PlanSettings.model_validate(
    {"default_accounts": {"income": {"name": "Sales"}, "cogs": {"name": "Cost of Goods Sold"}}}
)


# ----------------------------------------------------------------------------------- reading


def read(file: CompanyFile) -> tuple[QuickBooksCompany, CompanyFilePrefs]:
    """What a session learns about ``file``: its HCP answer, then every cached list."""
    hcp = parse_hcp(file.hcp_response())
    facts = file_facts(hcp, file.country)
    entries = []
    for spec in lists_to_read(sales_tax_on=facts.sales_tax_on, multi_currency_on=facts.multi_currency_on):
        answer = parse_response_set(
            file.process(message_set([list_query(spec, "r", since=None)], version="13.0"))
        )
        entries += [e for r in answer.responses for e in (cached_entry(ret) for ret in r.rets) if e]
    prefs = CompanyFilePrefs(
        country=facts.country,
        sales_tax_on=facts.sales_tax_on,
        taxable_code=facts.taxable_code,
        non_taxable_code=facts.non_taxable_code,
        payment_methods=frozenset({"check"}),
    )
    return company_of(facts, entries, read_at=NOW), prefs


def codes(company: QuickBooksCompany) -> dict[str, tuple[bool, str | None, str | None]]:
    def rate(rates: tuple[Any, ...], value: Decimal) -> str | None:
        return f"{value.normalize():f}" if rates else None

    return {
        c.name: (c.taxable, rate(c.sales_rates, c.sales_percent), rate(c.purchase_rates, c.purchase_percent))
        for c in company.tax_codes
    }


def test_a_canadian_file_is_read_with_its_codes_and_their_tax_items_rates() -> None:
    company, prefs = read(CompanyFile(edition="ca", seed_demo=True))

    assert (company.product, company.country, company.home_currency) == ("qbd", "CA", "CAD")
    assert company.regime == "per_line_codes" and not company.multi_currency
    assert codes(company) == {
        "E": (False, None, None),
        "G": (True, "5", "5"),
        "H": (True, "13", "13"),
        "Z": (True, "0", "0"),
    }
    h = company.tax_code("H")
    assert h is not None and h.id and h.sales_rates[0].name == "HST ON on Sales"
    assert (company.default_taxable_code, company.default_non_taxable_code) == ("H", "E")
    assert prefs.country == "CA" and not prefs.us


def test_a_uk_file_is_gb_in_pounds() -> None:
    company, _ = read(CompanyFile(edition="uk", seed_demo=True))

    assert (company.country, company.home_currency, company.regime) == ("GB", "GBP", "per_line_codes")
    assert codes(company)["S"] == (True, "20", "20")
    assert codes(company)["O"] == (False, None, None)
    no_tax = company.no_tax_code()
    assert no_tax is not None and no_tax.name == "O"  # the file's default non-taxable code


def test_a_us_file_lists_its_sales_tax_items_as_what_item_sales_tax_ref_names() -> None:
    company, prefs = read(CompanyFile(seed_demo=True))

    assert (company.country, company.home_currency, company.regime) == ("US", "USD", "us_manual")
    assert codes(company) == {"State Sales Tax": (True, "8.25", None)}
    assert company.default_sales_tax_item == "State Sales Tax"
    assert prefs.us


def test_a_multi_currency_file_maps_iso_codes_to_quickbooks_currency_names() -> None:
    company, _ = read(CompanyFile(edition="ca", multi_currency=True, seed_demo=True))

    assert company.multi_currency and company.home_currency == "CAD"
    assert company.currencies == ("AUD", "EUR", "GBP", "USD")
    assert company.currency_names["USD"] == "US Dollar"
    assert company.accepts_currency("USD") and not company.accepts_currency("JPY")


def test_without_multi_currency_the_currency_list_is_not_read_and_only_the_home_currency_is_taken() -> None:
    file = CompanyFile(edition="uk", seed_demo=True)
    facts = file_facts(parse_hcp(file.hcp_response()), "UK")

    assert "Currency" not in {s.name for s in lists_to_read(sales_tax_on=True, multi_currency_on=False)}
    assert "Currency" in {s.name for s in lists_to_read(sales_tax_on=True, multi_currency_on=True)}
    company = company_of(facts, [], read_at=NOW)
    assert company.home_currency == "GBP" and company.currencies == ()
    assert not company.accepts_currency("EUR")


def test_hostret_country_wins_and_the_web_connectors_country_is_a_cross_check() -> None:
    hcp = parse_hcp(CompanyFile(edition="uk", seed_demo=True).hcp_response())

    assert hcp.host.country == "UK" and hcp.preferences.home_currency == "British Pound Sterling"
    agree = file_facts(hcp, "UK")
    assert agree.country == "GB" and not agree.countries_disagree
    disagree = file_facts(hcp, "US")
    assert disagree.country == "GB" and disagree.countries_disagree
    assert FileFacts.from_json(disagree.to_json()) == disagree


def test_a_group_whose_items_are_not_all_known_has_no_known_rate() -> None:
    facts = file_facts(parse_hcp(CompanyFile(seed_demo=True).hcp_response()), "US")

    class Row:
        def __init__(self, list_type: str, list_id: str, name: str, data: dict[str, Any]) -> None:
            self.list_type, self.list_id, self.full_name, self.is_active, self.data = (
                list_type,
                list_id,
                name,
                True,
                data,
            )

    rows = [
        Row("ItemSalesTax", "1", "State", {"TaxRate": "6"}),
        Row("ItemSalesTax", "2", "County", {"TaxRate": "1.25"}),
        Row(
            "ItemSalesTaxGroup", "3", "Duluth", {"ItemSalesTaxRef": [{"ListID": "1"}, {"FullName": "county"}]}
        ),
        Row("ItemSalesTaxGroup", "4", "Elsewhere", {"ItemSalesTaxRef": [{"ListID": "1"}, {"ListID": "9"}]}),
    ]
    company = company_of(facts, rows, read_at=NOW)

    assert codes(company)["Duluth"] == (True, "7.25", None)
    assert codes(company)["Elsewhere"] == (True, None, None)


def test_the_sales_tax_codes_and_currencies_are_read_whole_at_every_refresh() -> None:
    since = datetime(2026, 12, 1, tzinfo=UTC)
    code_query = list_query(SPECS_BY_NAME["SalesTaxCode"], "r1", since=since)
    currency_query = list_query(SPECS_BY_NAME["Currency"], "r2", since=since)
    item_query = list_query(SPECS_BY_NAME["Item"], "r3", since=since)

    assert code_query.find("FromModifiedDate") is None and currency_query.find("FromModifiedDate") is None
    assert item_query.find("FromModifiedDate") is not None
    included = [e.text for e in code_query.findall("IncludeRetElement")]
    assert {"ItemSalesTaxRef", "ItemPurchaseTaxRef"} <= set(included)
    assert_valid_qbxml(message_set([code_query, currency_query, item_query], version="13.0"))
    refresh = CacheRefresh.begin(now=NOW, last_refreshed_at=since, sales_tax_on=True, multi_currency_on=True)
    assert {"SalesTaxCode", "Currency"} <= set(refresh.lists)


def test_the_session_keeps_the_company_it_read_between_callbacks() -> None:
    company, prefs = read(CompanyFile(edition="ca", multi_currency=True, seed_demo=True))
    facts = file_facts(parse_hcp(CompanyFile(edition="ca").hcp_response()), "CA")
    state = SessionState(touched_at=NOW, prefs=prefs, facts=facts, company=company, company_stored=True)

    again = SessionState.from_json(state.to_json(), now=NOW)

    assert again.company == company and again.facts == facts and again.company_stored
    assert again.prefs.country == "CA"


# ----------------------------------------------------------------------------------- writing


def a7102(
    currency: str = "USD", esp_tax: str | None = None, rate: str | None = None, **choices: Any
) -> SendRequest:
    """A7102 in ``currency``, with ESP's tax ``esp_tax`` at ``rate`` %; ``choices`` fill the dialog."""
    request = a7102_request().model_dump(mode="json")
    order = request["order"]
    order["currency"] = currency
    if esp_tax is not None:
        order["tax"] = {"amount": esp_tax, "rate_percent": rate}
        order["total"] = str(Decimal("218.50") + Decimal(esp_tax))
    if "exchange_rate" in choices:
        order["exchange_rate"] = choices.pop("exchange_rate")
    request["choices"].update(choices)
    return SendRequest.model_validate(request)


def plan_for(
    request: SendRequest,
    company: QuickBooksCompany,
    mappings: KnownMappings | None = None,
    settings: PlanSettings = SETTINGS,
) -> Plan:
    return build_plan(request.order, request.choices, settings, mappings or KnownMappings(), "qbd", company)


def encode(plan: Plan, prefs: CompanyFilePrefs) -> etree._Element:
    draft = MessageSetDraft(max_bytes=2_000_000, max_jobs=50)
    assert draft.offer(
        encode_job(plan, tag="j1", memory=JobMemory(), shared=draft.shared, prefs=prefs)
    ).accepted
    xml = draft.document(version="13.0", new_message_set_id="set1")
    assert_valid_qbxml(xml)
    return etree.fromstring(xml.split("?>", 2)[2].encode()).find("QBXMLMsgsRq")  # type: ignore[return-value]


def tags(element: etree._Element) -> list[str]:
    return [str(child.tag) for child in element]


def in_order(element: etree._Element, *names: str) -> bool:
    """Those of ``names`` the element has come in this order (repeated ones side by side)."""
    found: list[str] = []
    for tag in tags(element):
        if tag in names and (not found or found[-1] != tag):
            found.append(tag)
    return found == [n for n in names if n in found]


def test_a_canadian_invoice_puts_the_hst_code_on_each_taxed_line_and_no_sales_tax_item() -> None:
    company, prefs = read(CompanyFile(edition="ca", seed_demo=True))
    h, e = company.tax_code("H"), company.tax_code("E")
    assert h is not None and e is not None
    msgs = encode(plan_for(a7102("CAD", "28.41", "13", tax="quickbooks_default"), company), prefs)

    invoice = msgs.find("InvoiceAddRq/InvoiceAdd")
    assert invoice is not None
    assert invoice.find("ItemSalesTaxRef") is None
    assert invoice.findtext("IsTaxIncluded") == "false"
    assert in_order(invoice, "Memo", "IsTaxIncluded", "ExternalGUID", "InvoiceLineAdd")
    lines = invoice.findall("InvoiceLineAdd")
    assert [line.findtext("ItemRef/FullName") for line in lines] == ["A7102", "Subtotal", "Discount"]
    # The product and the discount (before tax, it lowers the HST base) on H; the subtotal has no code.
    assert [line.findtext("SalesTaxCodeRef/ListID") for line in lines] == [h.id, None, h.id]
    assert tags(lines[0])[-1] == "SalesTaxCodeRef"
    # Purchase documents: every line on the no-tax code, amounts without tax.
    for path, line_tag in (
        ("PurchaseOrderAddRq/PurchaseOrderAdd", "PurchaseOrderLineAdd"),
        ("BillAddRq/BillAdd", "ItemLineAdd"),
    ):
        document = msgs.find(path)
        assert document is not None
        assert document.findtext("IsTaxIncluded") == "false"
        assert document.find("SalesTaxCodeRef") is None
        [line] = document.findall(line_tag)
        assert line.findtext("SalesTaxCodeRef/ListID") == e.id
        assert in_order(line, "CustomerRef", "SalesTaxCodeRef", "BillableStatus", "OverrideItemAccountRef")


def test_tax_as_an_item_in_canada_puts_every_line_on_the_no_tax_code() -> None:
    company, prefs = read(CompanyFile(edition="ca", seed_demo=True))
    e = company.tax_code("E")
    assert e is not None
    msgs = encode(plan_for(a7102("CAD", "28.41", "13", tax="item"), company), prefs)

    lines = msgs.findall("InvoiceAddRq/InvoiceAdd/InvoiceLineAdd")
    assert [line.findtext("ItemRef/FullName") for line in lines][-1] == "Total Tax"
    assert {line.findtext("SalesTaxCodeRef/ListID") for line in lines if line.find("Amount") is not None} == {
        e.id
    }


def test_a_uk_invoice_carries_the_standard_rate_code() -> None:
    company, prefs = read(CompanyFile(edition="uk", seed_demo=True))
    s = company.tax_code("S")
    assert s is not None
    msgs = encode(plan_for(a7102("GBP", "43.70", "20", tax="quickbooks_default"), company), prefs)

    line = msgs.find("InvoiceAddRq/InvoiceAdd/InvoiceLineAdd")
    assert line is not None and line.findtext("SalesTaxCodeRef/ListID") == s.id
    assert msgs.find("InvoiceAddRq/InvoiceAdd/ItemSalesTaxRef") is None


def test_a_us_file_gets_the_sales_tax_item_and_tax_non_codes_and_no_edition_foreign_elements() -> None:
    company, prefs = read(CompanyFile(seed_demo=True))
    item = company.tax_code("State Sales Tax")
    assert item is not None
    request = a7102("USD", "18.03", "8.25", tax={"code": "State Sales Tax"})
    msgs = encode(plan_for(request, company), prefs)

    invoice = msgs.find("InvoiceAddRq/InvoiceAdd")
    assert invoice is not None
    assert invoice.findtext("ItemSalesTaxRef/ListID") == item.id
    assert in_order(invoice, "ShipAddress", "ItemSalesTaxRef", "Memo")
    assert invoice.find("IsTaxIncluded") is None and invoice.find("ExchangeRate") is None
    assert [line.findtext("SalesTaxCodeRef/FullName") for line in invoice.findall("InvoiceLineAdd")] == [
        "Tax",
        None,
        "Tax",
    ]
    xml = etree.tostring(msgs, encoding="unicode")
    for path in ("PurchaseOrderAddRq/PurchaseOrderAdd", "BillAddRq/BillAdd"):
        document = msgs.find(path)
        assert document is not None and "SalesTaxCodeRef" not in etree.tostring(document, encoding="unicode")
        assert document.find("IsTaxIncluded") is None
    for us_foreign in ("SalesTaxCountry", "TaxRegistrationNumber", "IsSalesTaxAgency", "CurrencyRef"):
        assert us_foreign not in xml


def test_quickbooks_default_in_a_us_file_leaves_the_sales_tax_item_to_quickbooks() -> None:
    company, prefs = read(CompanyFile(seed_demo=True))
    msgs = encode(plan_for(a7102("USD", "18.03", "8.25", tax="quickbooks_default"), company), prefs)

    assert msgs.find("InvoiceAddRq/InvoiceAdd/ItemSalesTaxRef") is None


def test_names_in_a_canadian_file_carry_no_us_only_elements() -> None:
    company, prefs = read(CompanyFile(edition="ca", seed_demo=True))
    msgs = encode(plan_for(a7102("CAD"), company), prefs)

    customer = msgs.find("CustomerAddRq/CustomerAdd")
    vendor = msgs.find("VendorAddRq/VendorAdd")
    assert customer is not None and vendor is not None
    assert customer.find("ItemSalesTaxRef") is None and vendor.find("IsVendorEligibleFor1099") is None
    assert customer.find("CurrencyRef") is None and vendor.find("CurrencyRef") is None  # home currency


def test_a_foreign_currency_order_creates_names_in_its_currency_and_sends_the_exchange_rate() -> None:
    company, prefs = read(CompanyFile(edition="ca", multi_currency=True, seed_demo=True))
    msgs = encode(plan_for(a7102("USD", exchange_rate="1.3612"), company), prefs)

    for path in ("CustomerAddRq/CustomerAdd", "VendorAddRq/VendorAdd"):
        name = msgs.find(path)
        assert name is not None
        assert name.findtext("CurrencyRef/FullName") == "US Dollar"
        assert tags(name)[-1] == "CurrencyRef"
    for path in (
        "InvoiceAddRq/InvoiceAdd",
        "ReceivePaymentAddRq/ReceivePaymentAdd",
        "PurchaseOrderAddRq/PurchaseOrderAdd",
        "BillAddRq/BillAdd",
    ):
        document = msgs.find(path)
        assert document is not None and document.findtext("ExchangeRate") == "1.3612", path
        assert document.find("CurrencyRef") is None  # a transaction follows its name's currency
    payment = msgs.find("ReceivePaymentAddRq/ReceivePaymentAdd")
    assert payment is not None and in_order(payment, "TotalAmount", "ExchangeRate", "PaymentMethodRef")
    invoice = msgs.find("InvoiceAddRq/InvoiceAdd")
    assert invoice is not None and in_order(invoice, "IsTaxIncluded", "ExchangeRate", "ExternalGUID")


def test_the_home_currency_sends_no_currency_and_no_exchange_rate() -> None:
    company, prefs = read(CompanyFile(edition="ca", multi_currency=True, seed_demo=True))
    xml = etree.tostring(
        encode(plan_for(a7102("CAD", exchange_rate="1.3612"), company), prefs), encoding="unicode"
    )

    assert "ExchangeRate" not in xml and "CurrencyRef" not in xml


def test_updates_in_a_canadian_multi_currency_file_keep_codes_and_rate_and_validate() -> None:
    company, prefs = read(CompanyFile(edition="ca", multi_currency=True, seed_demo=True))
    mapped = KnownMappings(
        customers={"C1001": MappedRecord(quickbooks_id="80000001-1", name="Lakeside Dental Group")},
        vendors={"S61125": MappedRecord(quickbooks_id="80000002-1", name="Hit Promotional Products")},
        items={
            "S61125/A7102": MappedRecord(quickbooks_id="80000003-1", name="A7102"),
            "special:subtotal": MappedRecord(quickbooks_id="80000004-1", name="Subtotal"),
            "special:discount": MappedRecord(quickbooks_id="80000005-1", name="Discount"),
        },
        invoice=MappedRecord(quickbooks_id="1A-1", version="1"),
        payments={"P1": MappedRecord(quickbooks_id="1B-1", version="2")},
        bills={"S61125": MappedRecord(quickbooks_id="1C-1", version="3")},
        purchase_orders={"S61125": MappedRecord(quickbooks_id="1D-1", version="4")},
    )
    request = a7102("USD", exchange_rate="1.3612")
    msgs = encode(plan_for(request, company, mapped), prefs)

    assert tags(msgs) == ["InvoiceModRq", "PurchaseOrderModRq", "BillModRq"]
    invoice = msgs.find("InvoiceModRq/InvoiceMod")
    assert invoice is not None and invoice.findtext("ExchangeRate") == "1.3612"
    assert invoice.findtext("IsTaxIncluded") == "false"
    for path, line_tag in (
        ("PurchaseOrderModRq/PurchaseOrderMod", "PurchaseOrderLineMod"),
        ("BillModRq/BillMod", "ItemLineMod"),
    ):
        document = msgs.find(path)
        assert document is not None and document.findtext("ExchangeRate") == "1.3612"
        assert in_order(document, "Memo", "IsTaxIncluded", "ExchangeRate", line_tag)
        line = document.find(line_tag)
        assert line is not None and line.find("SalesTaxCodeRef/ListID") is not None


@pytest.mark.parametrize("edition", ["us", "ca", "uk"])
def test_items_name_the_files_own_default_codes(edition: str) -> None:
    file = CompanyFile(edition=edition, seed_demo=True)
    company, prefs = read(file)
    currency = company.home_currency
    msgs = encode(plan_for(a7102(currency), company), prefs)

    item = msgs.find("ItemNonInventoryAddRq/ItemNonInventoryAdd")
    assert item is not None
    assert item.findtext("SalesTaxCodeRef/FullName") == company.default_taxable_code
    assert item.find("IsTaxIncluded") is None  # never sent: items carry no tax-inclusive prices
