"""Multi-currency (docs/web-connector.md §3.13): the currency list, names that carry a currency,
transactions in their name's currency with an exchange rate and home-currency amounts; and the
edition reaching the Web Connector's ``qbXMLCountry``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from qb_sandbox.desktop import CompanyFile
from qb_sandbox.webconnector import SessionOutcome, parse_qwc
from qb_sandbox.webconnector.runner import run_sessions
from tests.qbwc.soap.fakes import make_app
from tests.sandbox.desktop.qbd_messages import (
    TickingClock,
    customer_add,
    each,
    invoice_line,
    money,
    non_inventory_add,
    send,
    status_of,
    text,
)
from tests.sandbox.webconnector.fakes import ScriptedHandler, simulator_against


def currency(name: str) -> str:
    return f"<CurrencyRef><FullName>{name}</FullName></CurrencyRef>"


def vendor_add(name: str, extra: str = "") -> str:
    return f"<VendorAddRq><VendorAdd><Name>{name}</Name>{extra}</VendorAdd></VendorAddRq>"


def invoice(customer: str, *lines: str, header: str = "") -> str:
    return (
        f"<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>{customer}</FullName></CustomerRef>"
        f"{header}{''.join(lines)}</InvoiceAdd></InvoiceAddRq>"
    )


def payment(customer: str, txn_id: str, paid: str, header: str = "") -> str:
    return (
        f"<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>{customer}</FullName></CustomerRef>"
        f"<TotalAmount>{paid}</TotalAmount>{header}<AppliedToTxnAdd><TxnID>{txn_id}</TxnID>"
        f"<PaymentAmount>{paid}</PaymentAmount></AppliedToTxnAdd></ReceivePaymentAdd></ReceivePaymentAddRq>"
    )


@pytest.fixture
def multi(clock: TickingClock) -> CompanyFile:
    """A Canadian demo company with multi-currency on (home currency: Canadian Dollar)."""
    company = CompanyFile(clock=clock, edition="ca", multi_currency=True, seed_demo=True)
    responses = send(
        company,
        customer_add("Denver Promo", extra=currency("US Dollar")),
        customer_add("Maple Promo", request_id="c2"),
        non_inventory_add("A7102", "2.30"),
    )
    assert [status_of(r) for r in responses] == [0, 0, 0]
    return company


def test_preferences_name_the_home_currency(multi: CompanyFile) -> None:
    (rs,) = send(multi, "<PreferencesQueryRq/>")
    assert text(rs, "PreferencesRet/MultiCurrencyPreferences/IsMultiCurrencyOn") == "true"
    assert text(rs, "PreferencesRet/MultiCurrencyPreferences/HomeCurrencyRef/FullName") == "Canadian Dollar"
    assert rs.find("PreferencesRet/MultiCurrencyPreferences/HomeCurrencyRef/ListID") is not None
    assert multi.home_currency == "Canadian Dollar" and multi.multi_currency


def test_currency_query_lists_the_common_currencies(multi: CompanyFile) -> None:
    (rs,) = send(multi, "<CurrencyQueryRq/>")
    rows = {
        text(ret, "CurrencyCode"): (
            text(ret, "Name"),
            text(ret, "IsActive"),
            Decimal(text(ret, "ExchangeRate")),
        )
        for ret in each(rs, "CurrencyRet")
    }
    assert rows == {
        "AUD": ("Australian Dollar", "true", Decimal("0.8919")),
        "CAD": ("Canadian Dollar", "true", Decimal("1")),
        "EUR": ("Euro", "true", Decimal("1.4730")),
        "GBP": ("British Pound Sterling", "true", Decimal("1.7162")),
        "USD": ("US Dollar", "true", Decimal("1.3514")),
    }
    assert {text(ret, "AsOfDate") for ret in each(rs, "CurrencyRet")} == {"2024-03-01"}
    (one,) = send(multi, "<CurrencyQueryRq><FullName>Euro</FullName></CurrencyQueryRq>")
    assert text(one, "CurrencyRet/CurrencyCode") == "EUR"


def test_names_carry_their_currency(multi: CompanyFile) -> None:
    (usd,) = multi.find("Customer", Name="Denver Promo")
    (home,) = multi.find("Customer", Name="Maple Promo")
    assert usd["CurrencyRef"]["FullName"] == "US Dollar"
    assert home["CurrencyRef"]["FullName"] == "Canadian Dollar"
    (rs,) = send(multi, vendor_add("Leeds UK", currency("British Pound Sterling")))
    assert text(rs, "VendorRet/CurrencyRef/FullName") == "British Pound Sterling"
    (rs,) = send(multi, vendor_add("Nowhere", currency("Klingon Darsek")))
    assert status_of(rs) == 3140


def test_a_foreign_invoice_keeps_its_exchange_rate(multi: CompanyFile) -> None:
    (rs,) = send(
        multi,
        invoice(
            "Denver Promo",
            invoice_line(
                "A7102", "<Amount>200.00</Amount><SalesTaxCodeRef><FullName>G</FullName></SalesTaxCodeRef>"
            ),
            header="<ExchangeRate>1.35</ExchangeRate>",
        ),
    )
    assert status_of(rs) == 0
    ret = rs.find("InvoiceRet")
    assert ret is not None
    assert text(ret, "CurrencyRef/FullName") == "US Dollar"
    assert text(ret, "ExchangeRate") == "1.35"
    assert money(ret, "BalanceRemaining") == Decimal("210.00")
    assert money(ret, "BalanceRemainingInHomeCurrency") == Decimal("283.50")

    (paid,) = send(
        multi, payment("Denver Promo", text(ret, "TxnID"), "110.00", "<ExchangeRate>1.40</ExchangeRate>")
    )
    assert status_of(paid) == 0
    assert text(paid, "ReceivePaymentRet/CurrencyRef/FullName") == "US Dollar"
    assert money(paid, "ReceivePaymentRet/TotalAmountInHomeCurrency") == Decimal("154.00")
    (stored,) = multi.documents("Invoice")
    assert stored["BalanceRemaining"] == "100.00"
    assert stored["BalanceRemainingInHomeCurrency"] == "135.00"


def test_the_exchange_rate_defaults_to_the_currency_list(multi: CompanyFile) -> None:
    (rs,) = send(multi, invoice("Denver Promo", invoice_line("A7102", "<Amount>100.00</Amount>")))
    assert text(rs, "InvoiceRet/ExchangeRate") == "1.3514"
    assert money(rs, "InvoiceRet/BalanceRemainingInHomeCurrency") == Decimal("152.71")  # 113.00 × 1.3514


def test_a_home_currency_invoice_has_rate_one(multi: CompanyFile) -> None:
    (rs,) = send(multi, invoice("Maple Promo", invoice_line("A7102", "<Amount>100.00</Amount>")))
    assert text(rs, "InvoiceRet/CurrencyRef/FullName") == "Canadian Dollar"
    assert text(rs, "InvoiceRet/ExchangeRate") == "1"
    assert money(rs, "InvoiceRet/BalanceRemainingInHomeCurrency") == Decimal("113.00")


def test_a_foreign_bill_and_purchase_order(multi: CompanyFile) -> None:
    send(multi, vendor_add("Gemline US", currency("US Dollar")))
    po_rs, bill_rs = send(
        multi,
        "<PurchaseOrderAddRq><PurchaseOrderAdd><VendorRef><FullName>Gemline US</FullName></VendorRef>"
        "<ExchangeRate>1.30</ExchangeRate><PurchaseOrderLineAdd><ItemRef><FullName>A7102</FullName></ItemRef>"
        "<Amount>100.00</Amount></PurchaseOrderLineAdd></PurchaseOrderAdd></PurchaseOrderAddRq>",
        "<BillAddRq><BillAdd><VendorRef><FullName>Gemline US</FullName></VendorRef>"
        "<ExchangeRate>1.30</ExchangeRate><ExpenseLineAdd><AccountRef><FullName>Cost of Goods Sold</FullName>"
        "</AccountRef><Amount>100.00</Amount></ExpenseLineAdd></BillAdd></BillAddRq>",
    )
    assert text(po_rs, "PurchaseOrderRet/CurrencyRef/FullName") == "US Dollar"
    assert money(po_rs, "PurchaseOrderRet/TotalAmountInHomeCurrency") == Decimal("130.00")
    assert text(bill_rs, "BillRet/ExchangeRate") == "1.30"
    assert money(bill_rs, "BillRet/AmountDueInHomeCurrency") == Decimal("130.00")


def test_a_payment_in_another_currency_than_the_invoice_is_refused(multi: CompanyFile) -> None:
    (rs,) = send(multi, invoice("Denver Promo", invoice_line("A7102", "<Amount>100.00</Amount>")))
    txn_id = text(rs, "InvoiceRet/TxnID")
    (customer,) = multi.find("Customer", Name="Denver Promo")
    send(
        multi,
        f"<CustomerModRq><CustomerMod><ListID>{customer['ListID']}</ListID>"
        f"<EditSequence>{customer['EditSequence']}</EditSequence>{currency('Euro')}</CustomerMod></CustomerModRq>",
    )
    (paid,) = send(multi, payment("Denver Promo", txn_id, "10.00"))
    assert status_of(paid) == 3210
    assert multi.documents("ReceivePayment") == []


# -- multi-currency off ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "request_xml",
    [
        pytest.param(customer_add("Denver Promo", extra=currency("US Dollar")), id="CustomerAdd"),
        pytest.param(vendor_add("Gemline US", currency("US Dollar")), id="VendorAdd"),
        pytest.param(
            "<CurrencyAddRq><CurrencyAdd><Name>Bitcoin</Name><CurrencyCode>XBT</CurrencyCode></CurrencyAdd></CurrencyAddRq>",
            id="CurrencyAdd",
        ),
    ],
)
def test_currencies_are_refused_while_multi_currency_is_off(company: CompanyFile, request_xml: str) -> None:
    (rs,) = send(company, request_xml)
    assert (status_of(rs), rs.get("statusSeverity")) == (3250, "Error")
    assert "multicurrency is not turned on" in str(rs.get("statusMessage"))
    assert company.documents("Customer") == [] and company.documents("Currency") == []
    assert [v["Name"] for v in company.documents("Vendor")] == []


def test_without_multi_currency_names_and_documents_carry_no_currency(company: CompanyFile) -> None:
    send(company, customer_add("Acme"), non_inventory_add("Pens", "10.00"))
    (rs,) = send(
        company,
        invoice(
            "Acme", invoice_line("Pens", "<Amount>10.00</Amount>"), header="<ExchangeRate>1.2</ExchangeRate>"
        ),
    )
    assert (status_of(rs), rs.get("statusMessage")) == (
        530,
        'The field "ExchangeRate" is not supported by this implementation.',
    )
    for path in ("CurrencyRef", "ExchangeRate", "BalanceRemainingInHomeCurrency"):
        assert rs.find(f"InvoiceRet/{path}") is None
    (customer,) = company.find("Customer", Name="Acme")
    assert "CurrencyRef" not in customer
    (none,) = send(company, "<CurrencyQueryRq/>")
    assert status_of(none) == 1


def test_home_currency_may_be_chosen(clock: TickingClock) -> None:
    company = CompanyFile(clock=clock, edition="uk", multi_currency=True, home_currency="EUR")
    assert company.home_currency == "Euro"
    (rs,) = send(company, "<CurrencyQueryRq><FullName>Euro</FullName></CurrencyQueryRq>")
    assert Decimal(text(rs, "CurrencyRet/ExchangeRate")) == 1
    with pytest.raises(ValueError, match="home currency"):
        CompanyFile(multi_currency=True, home_currency="Zorkmid")


def test_edition_and_currencies_survive_json(multi: CompanyFile, clock: TickingClock) -> None:
    copy = CompanyFile.from_json(multi.to_json(), clock)
    assert (copy.edition, copy.country, copy.multi_currency, copy.home_currency) == (
        "ca",
        "CA",
        True,
        "Canadian Dollar",
    )
    assert copy.hcp_response() == multi.hcp_response()
    (rs,) = send(copy, invoice("Denver Promo", invoice_line("A7102", "<Amount>100.00</Amount>")))
    assert money(rs, "InvoiceRet/SalesTaxTotal") == Decimal("13.00")


# -- the Web Connector ---------------------------------------------------------------------------
class CountryRecordingHandler(ScriptedHandler):
    countries: list[str]

    async def send_request_xml(
        self,
        ticket: str,
        str_hcp_response: str,
        str_company_file_name: str,
        qbxml_country: str,
        qbxml_major_vers: int,
        qbxml_minor_vers: int,
    ) -> str:
        self.countries = [*getattr(self, "countries", []), qbxml_country]
        return await super().send_request_xml(
            ticket, str_hcp_response, str_company_file_name, qbxml_country, qbxml_major_vers, qbxml_minor_vers
        )


@pytest.mark.parametrize(("edition", "country"), [("us", "US"), ("ca", "CA"), ("uk", "UK")])
async def test_the_web_connector_sends_the_company_files_country(edition: str, country: str) -> None:
    handler = CountryRecordingHandler()
    async with simulator_against(handler, CompanyFile(edition=edition)) as wc:  # type: ignore[arg-type]
        report = await wc.run_once()
    assert report.outcome is SessionOutcome.COMPLETED
    assert handler.countries == [country]
    hcp = str(next(args[1] for name, args in handler.calls if name == "send_request_xml"))
    assert f"<Country>{country}</Country>" in hcp


QWC = """<?xml version="1.0"?>
<QBWCXML>
  <AppName>ESP Orders (Maple Promo)</AppName>
  <AppURL>https://qb.example.test/qbwc</AppURL>
  <AppSupport>https://qb.example.test/support</AppSupport>
  <UserName>esp-maple</UserName>
  <OwnerID>{6C1D8E2A-4B6F-4C55-9E1B-7A0C2F3D4E5F}</OwnerID>
  <FileID>{0F1E2D3C-4B5A-4697-8877-665544332211}</FileID>
  <QBType>QBFS</QBType>
</QBWCXML>
"""


async def test_the_runner_creates_a_company_file_of_the_chosen_edition(tmp_path: Path) -> None:
    handler = CountryRecordingHandler()
    books = tmp_path / "qbd-company.json"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(make_app(handler)), base_url="http://t"
    ) as http:
        report = await run_sessions(
            parse_qwc(QWC),
            password="pw",
            company_file=books,
            http_client=http,
            out=lambda _: None,
            new_company={"edition": "uk", "multi_currency": True},
        )
    assert report.outcome is SessionOutcome.COMPLETED
    assert handler.countries == ["UK"]
    reopened = CompanyFile.load_or_create(books)
    assert (reopened.edition, reopened.multi_currency, reopened.home_currency) == (
        "uk",
        True,
        "British Pound Sterling",
    )
