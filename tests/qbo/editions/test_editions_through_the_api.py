"""Each QuickBooks Online edition, the whole way: connect a sandbox company of that edition, send the
A7102 order and a taxed order with each tax option through POST /v1/orders/{number}/send, and find
ESP's figures in the sandbox's books to the cent — or the job refused before anything was written,
with the reason a bookkeeper reads. Also: 13 % HST ON in Canada, a CAD order in a multi-currency
company, a EUR order refused with a 409 by a company without multi-currency.

Editions (docs/quickbooks-online.md §6.3–§6.5): ``us_ast`` (automated sales tax: ESP's tax as
TxnTaxCodeRef + TotalTax), ``us`` (manual sales tax), ``ca``/``uk``/``au`` (a tax code on every line,
QuickBooks computes the tax; the plan checks it gives ESP's figure)."""

from __future__ import annotations

import inspect
from decimal import Decimal
from typing import Any

import pytest

from espqb.orders import OrderSnapshot, SendRequest, a7102_request
from qb_sandbox.intuit import IntuitSandbox
from tests.qbo.client.support import new_sandbox
from tests.qbo.editions.through_the_api import Books, connected_books
from tests.support.api import auth

pytestmark = pytest.mark.skipif(
    "edition" not in inspect.signature(IntuitSandbox.add_company).parameters,
    reason="the Intuit sandbox has no editions yet",
)

# edition -> (home currency, the company's tax code for a taxed order, its rate)
EDITIONS: dict[str, tuple[str, str, Decimal]] = {
    "us_ast": ("USD", "California", Decimal("7.25")),
    "us": ("USD", "Demo County", Decimal("8.25")),
    "ca": ("CAD", "HST ON", Decimal(13)),
    "uk": ("GBP", "20.0% S", Decimal(20)),
    "au": ("AUD", "GST", Decimal(10)),
}
# A code of the company other than the order's, for "a tax code" that cannot give ESP's tax.
OTHER_CODE = {"ca": ("GST", Decimal(5)), "uk": ("5.0% R", Decimal(5)), "au": ("GST free", Decimal(0))}
COUNTRY = {"us_ast": "US", "us": "US", "ca": "CA", "uk": "GB", "au": "AU"}
REGIME = {
    "us_ast": "us_automated",
    "us": "us_manual",
    "ca": "per_line_codes",
    "uk": "per_line_codes",
    "au": "per_line_codes",
}
TAXED = Decimal("200.00")  # the taxed order: 100 × 2.00 taxable, plus a 20.00 setup charge without tax


def _new_company(sandbox: IntuitSandbox, edition: str, **options: Any) -> str:
    return sandbox.add_company(f"Promo {edition}", edition=edition, **options)  # type: ignore[call-arg]


def _codes(books: Books) -> dict[str, dict[str, Any]]:
    return {str(code["Name"]): code for code in books.entities("TaxCode")}


def _a7102(currency: str, number: str, tax: Any) -> SendRequest:
    body = a7102_request().model_dump(mode="json")
    body["order"].update(currency=currency, order_number=number)
    body["choices"]["tax"] = tax
    return SendRequest.model_validate(body)


def _taxed(currency: str, number: str, tax: Any, code: str, rate: Decimal, **extra: Any) -> SendRequest:
    amount = (TAXED * rate / 100).quantize(Decimal("0.01"))
    order = OrderSnapshot.model_validate(
        {
            "order_number": number,
            "order_date": "2026-11-30",
            "currency": currency,
            "customer": {
                "esp_id": f"C{number}",
                "company_name": f"Customer {number}",
                "shipping_address": {
                    "line1": "1 Main St",
                    "city": "Sacramento",
                    "state": "CA",
                    "postal_code": "95814",
                },
            },
            "lines": [
                {
                    "product_number": f"P{number}",
                    "product_name": "Mug",
                    "quantity": "100",
                    "unit_price": "2.00",
                    "unit_cost": "1.00",
                    "supplier_id": "S9",
                    "taxable": True,
                }
            ],
            "charges": [
                {
                    "kind": "setup",
                    "description": "Setup",
                    "quantity": "1",
                    "unit_price": "20.00",
                    "taxable": False,
                }
            ],
            "tax": {"amount": str(amount), "rate_percent": str(rate), "name": code},
            "suppliers": [{"esp_id": "S9", "name": "Mugs Inc"}],
            "total": str(Decimal("220.00") + amount),
            **extra,
        }
    )
    choices = {
        "customer": {"create": True},
        "send_invoice": True,
        "tax": tax,
        "suppliers": {"S9": {"vendor": {"create": True}, "send_bill": True, "send_purchase_order": True}},
    }
    return SendRequest.model_validate({"order": order.model_dump(mode="json"), "choices": choices})


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _invoice(books: Books, number: str) -> dict[str, Any]:
    (invoice,) = [i for i in books.entities("Invoice") if i.get("DocNumber") == number]
    return invoice


CAD_ACCOUNTS_NOTE = (
    "The order is in CAD: QuickBooks posts it to its own CAD receivable and payable accounts, not to the "
    "accounts chosen in the dialog or the settings (those are in USD)."
)


async def _succeeded(books: Books, request: SendRequest, *, warnings: tuple[str, ...] = ()) -> dict[str, Any]:
    sent = await books.send(request)
    assert sent.status_code == 202, sent.text
    job = await books.job(sent)
    assert job["status"] == "succeeded", (job["status"], job["last_error"], job["steps"])
    assert job["warnings"] == list(warnings), job["warnings"]
    return job


async def _refused(books: Books, request: SendRequest) -> str:
    before = books.written()
    sent = await books.send(request)
    assert sent.status_code == 202, sent.text
    job = await books.job(sent)
    assert job["status"] == "failed", job
    assert books.written() == before  # nothing was written
    return str(job["last_error"])


@pytest.mark.parametrize("edition", sorted(EDITIONS))
@pytest.mark.parametrize("tax", ["item", "quickbooks_default", "code"])
async def test_the_a7102_order_reaches_every_edition_with_esps_figures(
    database_url: str, edition: str, tax: str
) -> None:
    sandbox = new_sandbox()
    realm = _new_company(sandbox, edition)
    currency, code, _rate = EDITIONS[edition]
    choice: Any = {"code": code} if tax == "code" else tax
    async with connected_books(database_url, sandbox, realm) as books:
        await _succeeded(books, _a7102(currency, "10245", choice))
        invoice = _invoice(books, "10245")
        assert (invoice["TotalAmt"], invoice["Balance"]) == (Decimal("218.50"), Decimal("118.50"))
        assert invoice["CurrencyRef"]["value"] == currency
        (bill,) = books.entities("Bill")
        (po,) = books.entities("PurchaseOrder")
        assert bill["TotalAmt"] == po["TotalAmt"] == Decimal("115.00")
        if edition in OTHER_CODE:
            # Every line names one of the company's codes; the order has no tax, so the no-tax code.
            ids = {c["Id"]: name for name, c in _codes(books).items()}
            for line in invoice["Line"]:
                if line["DetailType"] == "SalesItemLineDetail":
                    assert line["SalesItemLineDetail"]["TaxCodeRef"]["value"] in ids


@pytest.mark.parametrize("edition", sorted(EDITIONS))
@pytest.mark.parametrize("tax", ["item", "quickbooks_default", "code"])
async def test_a_taxed_order_reaches_every_edition_with_esps_tax(
    database_url: str, edition: str, tax: str
) -> None:
    sandbox = new_sandbox()
    realm = _new_company(sandbox, edition)
    currency, code, rate = EDITIONS[edition]
    choice: Any = {"code": code} if tax == "code" else tax
    request = _taxed(currency, "7001", choice, code, rate)
    esp_tax = request.order.tax.amount if request.order.tax else Decimal(0)
    async with connected_books(database_url, sandbox, realm) as books:
        await _succeeded(books, request)
        invoice = _invoice(books, "7001")
        assert invoice["TotalAmt"] == request.order.total == Decimal("220.00") + esp_tax
        if tax == "item":
            assert not (invoice.get("TxnTaxDetail") or {}).get("TotalTax")
            assert esp_tax in [line["Amount"] for line in invoice["Line"]]
        else:
            assert _money(invoice["TxnTaxDetail"]["TotalTax"]) == esp_tax
        (bill,) = books.entities("Bill")
        assert bill["TotalAmt"] == Decimal("100.00")  # ESP's cost: purchase lines carry no tax


@pytest.mark.parametrize("edition", sorted(OTHER_CODE))
async def test_a_code_that_cannot_give_esps_tax_is_refused_before_anything_is_written(
    database_url: str, edition: str
) -> None:
    sandbox = new_sandbox()
    realm = _new_company(sandbox, edition)
    currency, code, rate = EDITIONS[edition]
    other, other_rate = OTHER_CODE[edition]
    request = _taxed(currency, "7002", {"code": other}, code, rate)
    async with connected_books(database_url, sandbox, realm) as books:
        reason = await _refused(books, request)
    esp_tax = (TAXED * rate / 100).quantize(Decimal("0.01"))
    computed = (TAXED * other_rate / 100).quantize(Decimal("0.01"))
    assert "QuickBooks Online computes" in reason
    assert (
        f"on 200.00 = {computed:,.2f}, but the order's tax is {esp_tax:,.2f}: nothing was written" in reason
    )


async def test_a_canadian_order_with_13_percent_hst_on(database_url: str) -> None:
    sandbox = new_sandbox()
    realm = _new_company(sandbox, "ca")
    request = _taxed("CAD", "7003", "quickbooks_default", "HST ON", Decimal(13))
    async with connected_books(database_url, sandbox, realm) as books:
        await _succeeded(books, request)
        invoice = _invoice(books, "7003")
        hst = _codes(books)["HST ON"]["Id"]
    sales = [line for line in invoice["Line"] if line["DetailType"] == "SalesItemLineDetail"]
    assert [line["SalesItemLineDetail"]["TaxCodeRef"]["value"] == hst for line in sales] == [True, False]
    assert invoice["GlobalTaxCalculation"] == "TaxExcluded"
    assert (_money(invoice["TxnTaxDetail"]["TotalTax"]), _money(invoice["TotalAmt"])) == (
        Decimal("26.00"),
        Decimal("246.00"),
    )


@pytest.mark.parametrize("edition", sorted(EDITIONS))
async def test_the_connection_shows_each_editions_company(database_url: str, edition: str) -> None:
    sandbox = new_sandbox()
    realm = _new_company(sandbox, edition)
    async with connected_books(database_url, sandbox, realm) as books:
        company = (await books.connection())["company"]
    assert (company["country"], company["home_currency"], company["tax_regime"]) == (
        COUNTRY[edition],
        EDITIONS[edition][0],
        REGIME[edition],
    )
    assert company["automated_sales_tax"] is (edition == "us_ast")
    assert company["name"] == f"Promo {edition}"


async def test_a_multi_currency_company_takes_a_cad_order_in_cad(database_url: str) -> None:
    sandbox = new_sandbox()
    realm = _new_company(sandbox, "us", multi_currency=True, currencies=("CAD",))
    request = _a7102("CAD", "10250", "item")
    async with connected_books(database_url, sandbox, realm) as books:
        company = (await books.connection())["company"]
        assert (company["multi_currency"], company["currencies"]) == (True, ["CAD"])
        await _succeeded(books, request, warnings=(CAD_ACCOUNTS_NOTE,))
        customer = next(c for c in books.entities("Customer") if c["DisplayName"] == "Lakeside Dental Group")
        invoice = _invoice(books, "10250")
        (bill,) = books.entities("Bill")
    assert customer["CurrencyRef"]["value"] == "CAD"
    assert invoice["CurrencyRef"]["value"] == "CAD"
    assert invoice["TotalAmt"] == Decimal("218.50")
    assert bill["CurrencyRef"]["value"] == "CAD"


async def test_a_company_without_multi_currency_refuses_a_eur_order_at_send_time(database_url: str) -> None:
    sandbox = new_sandbox()
    realm = _new_company(sandbox, "us")
    async with connected_books(database_url, sandbox, realm) as books:
        before = books.written()
        sent = await books.send(_a7102("EUR", "10251", "item"))
        jobs = (await books.api.get("/v1/jobs", headers=auth())).json()["items"]
        after = books.written()
    assert sent.status_code == 409, sent.text
    problem = sent.json()
    assert problem["type"].endswith("/send-refused")
    assert "The order is in EUR" in problem["detail"] and "without multi-currency" in problem["detail"]
    assert "Nothing was written." in problem["detail"]
    assert jobs == [] and after == before


def _one_line(number: str, price: str, tax: str, rate: str, code: str, **extra: Any) -> SendRequest:
    """One taxed line of 1 × ``price`` in CAD, no supplier documents."""
    total = Decimal(price) + Decimal(tax) - Decimal(extra.get("discount", {}).get("amount", "0"))
    order = {
        "order_number": number,
        "order_date": "2026-11-30",
        "currency": "CAD",
        "customer": {"esp_id": f"C{number}", "company_name": f"Customer {number}"},
        "lines": [
            {
                "product_number": f"P{number}",
                "product_name": "Pen",
                "quantity": "1",
                "unit_price": price,
                "unit_cost": "0",
                "supplier_id": "S9",
                "taxable": True,
            }
        ],
        "tax": {"amount": tax, "rate_percent": rate, "name": code},
        "suppliers": [{"esp_id": "S9", "name": "Pens Inc"}],
        "total": str(total),
        **extra,
    }
    choices = {"customer": {"create": True}, "send_invoice": True, "tax": {"code": code}, "suppliers": {}}
    return SendRequest.model_validate({"order": order, "choices": choices})


async def test_british_columbia_is_taxed_once_per_rate_and_a_combined_rounding_is_refused(
    database_url: str,
) -> None:
    # GST 5 % of 10.10 = 0.505 → 0.51 and PST 7 % = 0.707 → 0.71: 1.22, where 12 % at once gives 1.21.
    sandbox = new_sandbox()
    realm = _new_company(sandbox, "ca")
    async with connected_books(database_url, sandbox, realm) as books:
        await _succeeded(books, _one_line("7101", "10.10", "1.22", "12", "GST/PST BC"))
        invoice = _invoice(books, "7101")
        assert (_money(invoice["TxnTaxDetail"]["TotalTax"]), _money(invoice["TotalAmt"])) == (
            Decimal("1.22"),
            Decimal("11.32"),
        )
        reason = await _refused(books, _one_line("7102", "10.10", "1.21", "12", "GST/PST BC"))
    assert "QuickBooks Online computes 5 % GST (sales) + 7 % PST BC (sales) on 10.10 = 1.22" in reason
    assert "but the order's tax is 1.21: nothing was written" in reason


async def test_a_canadian_discount_before_tax_lowers_the_hst_as_quickbooks_does(database_url: str) -> None:
    # 200.00 taxed + 20.00 not; 22.00 off before tax: the taxed lines carry 20.00 of it, HST 13 % of 180.00.
    sandbox = new_sandbox()
    realm = _new_company(sandbox, "ca")
    request = _taxed("CAD", "7004", "quickbooks_default", "HST ON", Decimal(13))
    body = request.model_dump(mode="json")
    body["order"].update(
        discount={"amount": "22.00"}, tax={"amount": "23.40", "rate_percent": "13", "name": "HST ON"}
    )
    body["order"]["total"] = "221.40"
    async with connected_books(database_url, sandbox, realm) as books:
        await _succeeded(books, SendRequest.model_validate(body))
        invoice = _invoice(books, "7004")
    assert (_money(invoice["TxnTaxDetail"]["TotalTax"]), _money(invoice["TotalAmt"])) == (
        Decimal("23.40"),
        Decimal("221.40"),
    )


async def test_automated_sales_tax_keeps_esps_tax_with_the_code_it_was_sent_with(database_url: str) -> None:
    sandbox = new_sandbox()
    realm = _new_company(sandbox, "us_ast")
    # ESP charged 6.00 (its own rate), not the 7.25 % automated sales tax would compute.
    request = _taxed("USD", "7005", "quickbooks_default", "California", Decimal(3))
    async with connected_books(database_url, sandbox, realm) as books:
        await _succeeded(books, request)
        invoice = _invoice(books, "7005")
        california = _codes(books)["California"]["Id"]
    assert invoice["TxnTaxDetail"]["TxnTaxCodeRef"]["value"] == california
    assert (_money(invoice["TxnTaxDetail"]["TotalTax"]), _money(invoice["TotalAmt"])) == (
        Decimal("6.00"),
        Decimal("226.00"),
    )


async def test_a_cad_order_with_esps_exchange_rate_carries_it(database_url: str) -> None:
    sandbox = new_sandbox()
    realm = _new_company(sandbox, "us", multi_currency=True, currencies=("CAD",))
    body = _a7102("CAD", "10252", "item").model_dump(mode="json")
    body["order"]["exchange_rate"] = "0.7315"
    async with connected_books(database_url, sandbox, realm) as books:
        await _succeeded(books, SendRequest.model_validate(body), warnings=(CAD_ACCOUNTS_NOTE,))
        invoice = _invoice(books, "10252")
        (payment,) = books.entities("Payment")
    assert (invoice["CurrencyRef"]["value"], Decimal(str(invoice["ExchangeRate"]))) == (
        "CAD",
        Decimal("0.7315"),
    )
    assert (payment["CurrencyRef"]["value"], payment["TotalAmt"]) == ("CAD", Decimal("100.00"))


@pytest.mark.parametrize(
    ("edition", "code", "rate"), [("uk", "20.0% S", Decimal(20)), ("au", "GST", Decimal(10))]
)
async def test_a_chosen_purchase_code_puts_its_tax_on_the_bill_and_purchase_order(
    database_url: str, edition: str, code: str, rate: Decimal
) -> None:
    sandbox = new_sandbox()
    realm = _new_company(sandbox, edition)
    currency, sales_code, sales_rate = EDITIONS[edition]
    async with connected_books(database_url, sandbox, realm) as books:
        current = (await books.api.get("/v1/settings", headers=auth())).json()
        for shown_only in ("updated_at", "updated_by"):
            current.pop(shown_only, None)
        current["tax_default"] = {**current["tax_default"], "purchase_code": code}
        saved = await books.api.put("/v1/settings", json=current, headers=auth())
        assert saved.status_code == 200, saved.text
        await _succeeded(books, _taxed(currency, "7006", "quickbooks_default", sales_code, sales_rate))
        (bill,) = books.entities("Bill")
        (po,) = books.entities("PurchaseOrder")
    expected = Decimal("100.00") * (100 + rate) / 100  # ESP's cost of 100.00 plus the purchase tax
    assert _money(bill["TotalAmt"]) == _money(po["TotalAmt"]) == _money(expected)
    assert {line["ItemBasedExpenseLineDetail"]["TaxCodeRef"]["value"] for line in bill["Line"]} == {
        _codes_of(sandbox, realm)[code]
    }


def _codes_of(sandbox: IntuitSandbox, realm: str) -> dict[str, str]:
    return {str(c["Name"]): str(c["Id"]) for c in sandbox.entities(realm, "TaxCode")}


async def test_a_tax_code_the_us_company_does_not_have_is_refused_with_its_name(database_url: str) -> None:
    sandbox = new_sandbox()
    realm = _new_company(sandbox, "us_ast")
    async with connected_books(database_url, sandbox, realm) as books:
        reason = await _refused(books, _taxed("USD", "7007", {"code": "Nevada"}, "Nevada", Decimal("6.85")))
    assert "QuickBooks Online has no tax code “Nevada”" in reason


async def test_an_order_tax_no_code_of_the_company_matches_asks_for_a_choice(database_url: str) -> None:
    sandbox = new_sandbox()
    realm = _new_company(sandbox, "au")
    async with connected_books(database_url, sandbox, realm) as books:
        reason = await _refused(books, _taxed("AUD", "7008", "quickbooks_default", "VAT", Decimal(15)))
    assert "Choose which of the company's tax codes carries this order's tax of 30.00" in reason
    assert "none of its codes matches the order's tax VAT (15 %)" in reason
