"""Each QuickBooks Online edition the sandbox models: what a client reads about the company, and the
rules a write meets — automated sales tax, a tax code on every line outside the US, currencies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from qb_sandbox.intuit import IntuitSandbox
from tests.sandbox.intuit.intuit_helpers import CLIENT_ID, QboApi, decimal_json, fault_codes

INCOME = {"value": "1"}


async def _company(http: httpx.AsyncClient, sandbox: IntuitSandbox, edition: str, **options: Any) -> QboApi:
    realm = sandbox.add_company(f"Promo {edition}", edition=edition, sample_names=False, **options)
    return QboApi(http, realm, sandbox.connect(CLIENT_ID, realm)["access_token"])


async def _one(qbo: QboApi, kind: str) -> dict[str, Any]:
    found = decimal_json(await qbo.query(f"select * from {kind}"))["QueryResponse"][kind]
    assert len(found) == 1
    return dict(found[0])


async def _codes(qbo: QboApi) -> dict[str, str]:
    codes = decimal_json(await qbo.query("select * from TaxCode"))["QueryResponse"]["TaxCode"]
    return {code["Name"]: code["Id"] for code in codes}


async def _parties(qbo: QboApi, **currency: Any) -> tuple[str, str, str]:
    customer = await qbo.created("customer", {"DisplayName": "Lakeshore Dental", **currency}, "Customer")
    vendor = await qbo.created("vendor", {"DisplayName": "Great Lakes Drinkware", **currency}, "Vendor")
    item = await qbo.created(
        "item",
        {
            "Name": "Bottle",
            "Type": "NonInventory",
            "IncomeAccountRef": INCOME,
            "ExpenseAccountRef": {"value": "3"},
        },
        "Item",
    )
    return customer["Id"], vendor["Id"], item["Id"]


def _line(item: str, amount: str, code: str | None = None, qty: str = "1") -> dict[str, Any]:
    detail: dict[str, Any] = {
        "ItemRef": {"value": item},
        "Qty": qty,
        "UnitPrice": str(Decimal(amount) / Decimal(qty)),
    }
    if code is not None:
        detail["TaxCodeRef"] = {"value": code}
    return {"DetailType": "SalesItemLineDetail", "Amount": amount, "SalesItemLineDetail": detail}


@pytest.mark.parametrize(
    ("edition", "country", "currency", "partner_tax"),
    [
        ("us", "US", "USD", None),
        ("us_ast", "US", "USD", True),
        ("ca", "CA", "CAD", None),
        ("uk", "GB", "GBP", None),
        ("au", "AU", "AUD", None),
    ],
)
async def test_a_client_reads_the_country_currency_and_tax_model(
    http: httpx.AsyncClient,
    sandbox: IntuitSandbox,
    edition: str,
    country: str,
    currency: str,
    partner_tax: bool | None,
) -> None:
    qbo = await _company(http, sandbox, edition)
    info = await _one(qbo, "CompanyInfo")
    prefs = await _one(qbo, "Preferences")
    direct = decimal_json(
        await qbo.http.get(f"{qbo.base}/preferences", headers=qbo.headers(), params=qbo.params())
    )
    assert (
        info["Country"] == country
        and info["CompanyAddr"]["Country"] == {"US": "USA", "CA": "CAN", "GB": "GBR", "AU": "AUS"}[country]
    )
    assert prefs["CurrencyPrefs"] == {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": currency}}
    # PartnerTaxEnabled present and true only with automated sales tax (docs/quickbooks-online.md §6.3).
    assert prefs["TaxPrefs"].get("PartnerTaxEnabled") is partner_tax
    assert direct["Preferences"]["Id"] == prefs["Id"]


async def test_canadian_codes_carry_their_rates_and_there_is_no_tax_or_non(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    qbo = await _company(http, sandbox, "ca")
    codes = await _codes(qbo)
    assert {"HST ON", "GST", "GST/PST BC", "Zero-rated", "Exempt"} <= set(codes)
    assert "TAX" not in codes and "NON" not in codes
    bc = decimal_json(await qbo.read("taxcode", codes["GST/PST BC"]))["TaxCode"]
    rates = [d["TaxRateRef"]["value"] for d in bc["SalesTaxRateList"]["TaxRateDetail"]]
    percents = [decimal_json(await qbo.read("taxrate", r))["TaxRate"]["RateValue"] for r in rates]
    assert percents == [Decimal(5), Decimal(7)]


async def test_a_canadian_invoice_is_taxed_from_its_line_codes_each_rate_rounded_once(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    qbo = await _company(http, sandbox, "ca")
    codes = await _codes(qbo)
    customer, _vendor, item = await _parties(qbo)
    invoice = await qbo.created(
        "invoice",
        {
            "CustomerRef": {"value": customer},
            "GlobalTaxCalculation": "TaxExcluded",
            "Line": [
                _line(item, "185.00", codes["HST ON"], "100"),
                _line(item, "33.50", codes["HST ON"]),
                _line(item, "10.00", codes["Zero-rated"]),
            ],
        },
        "Invoice",
    )
    # 13 % of 218.50 = 28.405 → 28.41, once over both HST lines together.
    assert invoice["TxnTaxDetail"]["TotalTax"] == Decimal("28.41")
    assert invoice["TotalAmt"] == Decimal("256.91")
    assert invoice["CurrencyRef"]["value"] == "CAD" and invoice["ExchangeRate"] == Decimal(1)
    (hst,) = [t for t in invoice["TxnTaxDetail"]["TaxLine"] if t["Amount"]]
    assert hst["TaxLineDetail"]["NetAmountTaxable"] == Decimal("218.50")

    bc = await qbo.created(
        "invoice",
        {"CustomerRef": {"value": customer}, "Line": [_line(item, "218.50", codes["GST/PST BC"])]},
        "Invoice",
    )
    # 5 % = 10.925 → 10.93 and 7 % = 15.295 → 15.30: 26.23, where 12 % at once would give 26.22.
    assert bc["TxnTaxDetail"]["TotalTax"] == Decimal("26.23")
    assert bc["GlobalTaxCalculation"] == "TaxExcluded"


@pytest.mark.parametrize(
    ("edition", "message"),
    [
        ("ca", "Make sure all your transactions have a GST/HST rate before you save."),
        ("uk", "Make sure all your transactions have a VAT rate before you save."),
        ("au", "do not have a tax code associated with it"),
    ],
)
async def test_outside_the_us_a_line_without_a_code_or_with_tax_non_is_refused(
    http: httpx.AsyncClient, sandbox: IntuitSandbox, edition: str, message: str
) -> None:
    qbo = await _company(http, sandbox, edition)
    customer, vendor, item = await _parties(qbo)
    no_code = await qbo.post("invoice", {"CustomerRef": {"value": customer}, "Line": [_line(item, "10.00")]})
    us_code = await qbo.post(
        "invoice", {"CustomerRef": {"value": customer}, "Line": [_line(item, "10.00", "TAX")]}
    )
    bill = await qbo.post(
        "bill",
        {
            "VendorRef": {"value": vendor},
            "Line": [
                {
                    "DetailType": "ItemBasedExpenseLineDetail",
                    "Amount": "10.00",
                    "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item}},
                }
            ],
        },
    )
    assert no_code.status_code == 400 and fault_codes(no_code) == ["6000"]
    assert message in no_code.json()["Fault"]["Error"][0]["Message"] + no_code.json()["Fault"]["Error"][
        0
    ].get("Detail", "")
    assert us_code.status_code == 400 and fault_codes(us_code) == ["2500"]
    assert bill.status_code == 400 and fault_codes(bill) == ["6000"]


async def test_a_canadian_bill_adds_the_purchase_tax_of_its_codes(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    qbo = await _company(http, sandbox, "ca")
    codes = await _codes(qbo)
    _customer, vendor, item = await _parties(qbo)

    def line(code: str) -> dict[str, Any]:
        return {
            "DetailType": "ItemBasedExpenseLineDetail",
            "Amount": "120.00",
            "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item}, "TaxCodeRef": {"value": code}},
        }

    taxed = await qbo.created(
        "bill", {"VendorRef": {"value": vendor}, "Line": [line(codes["HST ON"])]}, "Bill"
    )
    zero = await qbo.created(
        "bill", {"VendorRef": {"value": vendor}, "Line": [line(codes["Zero-rated"])]}, "Bill"
    )
    assert (taxed["TxnTaxDetail"]["TotalTax"], taxed["TotalAmt"]) == (Decimal("15.60"), Decimal("135.60"))
    assert zero["TotalAmt"] == Decimal("120.00")


async def test_automated_sales_tax_keeps_a_total_only_with_its_code(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    qbo = await _company(http, sandbox, "us_ast")
    codes = await _codes(qbo)
    customer, _vendor, item = await _parties(qbo)
    lines = [_line(item, "200.00", "TAX"), _line(item, "20.00", "NON")]
    alone = await qbo.created(
        "invoice",
        {"CustomerRef": {"value": customer}, "Line": lines, "TxnTaxDetail": {"TotalTax": "14.50"}},
        "Invoice",
    )
    with_code = await qbo.created(
        "invoice",
        {
            "CustomerRef": {"value": customer},
            "Line": lines,
            "TxnTaxDetail": {"TxnTaxCodeRef": {"value": codes["California"]}, "TotalTax": "14.49"},
        },
        "Invoice",
    )
    # Alone, AST ignores ESP's figure and computes its own: 7.25 % of 200.00 = 14.50.
    assert alone["TxnTaxDetail"]["TotalTax"] == Decimal("14.50") and alone["TotalAmt"] == Decimal("234.50")
    assert with_code["TxnTaxDetail"]["TotalTax"] == Decimal("14.49") and with_code["TotalAmt"] == Decimal(
        "234.49"
    )
    # A line without a code counts as taxable under AST (the 2018 update).
    untagged = await qbo.created(
        "invoice", {"CustomerRef": {"value": customer}, "Line": [_line(item, "100.00")]}, "Invoice"
    )
    assert untagged["TxnTaxDetail"]["TotalTax"] == Decimal("7.25")


async def test_a_company_without_multi_currency_refuses_a_foreign_currency(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    qbo = await _company(http, sandbox, "us")
    customer, _vendor, item = await _parties(qbo)
    eur_customer = await qbo.post("customer", {"DisplayName": "Euro Client", "CurrencyRef": {"value": "EUR"}})
    eur_invoice = await qbo.post(
        "invoice",
        {
            "CustomerRef": {"value": customer},
            "CurrencyRef": {"value": "EUR"},
            "Line": [_line(item, "10.00", "NON")],
        },
    )
    for refused in (eur_customer, eur_invoice):
        assert refused.status_code == 400 and fault_codes(refused) == ["6000"]
        assert "Multicurrency is not turned on" in refused.text and "EUR" in refused.text


async def test_a_multi_currency_company_books_a_cad_customer_in_cad(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    qbo = await _company(http, sandbox, "us", multi_currency=True, currencies=("CAD",))
    currencies = decimal_json(await qbo.query("select * from CompanyCurrency"))["QueryResponse"][
        "CompanyCurrency"
    ]
    assert [(c["Code"], c["Name"]) for c in currencies] == [("CAD", "Canadian Dollar")]
    customer, _vendor, item = await _parties(qbo, CurrencyRef={"value": "CAD"})
    invoice = await qbo.created(
        "invoice",
        {
            "CustomerRef": {"value": customer},
            "ExchangeRate": "0.7312",
            "Line": [_line(item, "218.50", "NON")],
        },
        "Invoice",
    )
    assert invoice["CurrencyRef"] == {"value": "CAD", "name": "Canadian Dollar"}
    assert (invoice["ExchangeRate"], invoice["HomeTotalAmt"]) == (Decimal("0.7312"), Decimal("159.77"))
    usd = await qbo.post(
        "invoice",
        {
            "CustomerRef": {"value": customer},
            "CurrencyRef": {"value": "USD"},
            "Line": [_line(item, "1.00", "NON")],
        },
    )
    eur = await qbo.post("customer", {"DisplayName": "Euro Client", "CurrencyRef": {"value": "EUR"}})
    assert usd.status_code == 400 and "takes the currency of its customer" in usd.text
    assert eur.status_code == 400 and "has not been added" in eur.text
    changed = await qbo.post(
        "customer",
        {"Id": customer, "SyncToken": "0", "sparse": True, "CurrencyRef": {"value": "USD"}},
        operation="update",
    )
    assert changed.status_code == 400 and "cannot be changed" in changed.text
    rate = decimal_json(
        await qbo.http.get(
            f"{qbo.base}/exchangerate", headers=qbo.headers(), params=qbo.params(sourcecurrencycode="CAD")
        )
    )
    assert rate["ExchangeRate"]["TargetCurrencyCode"] == "USD" and rate["ExchangeRate"]["Rate"] == Decimal(
        "0.74"
    )


async def test_the_control_api_creates_a_company_of_each_edition(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    made = await http.post(
        "/_sandbox/realms",
        json={"name": "Harbour Promo", "edition": "au", "multi_currency": True, "currencies": ["USD"]},
    )
    assert made.status_code == 201, made.text
    company = sandbox.company(made.json()["realm_id"])
    assert (company.edition.country, company.home_currency, company.currencies) == ("AU", "AUD", {"USD"})
    unknown = await http.post("/_sandbox/realms", json={"name": "X", "edition": "fr"})
    assert unknown.status_code == 422


async def test_a_foreign_currency_bill_cannot_post_to_a_home_currency_payable_account(
    http: httpx.AsyncClient, sandbox: IntuitSandbox
) -> None:
    qbo = await _company(http, sandbox, "us", multi_currency=True, currencies=("CAD",))
    _customer, vendor, item = await _parties(qbo, CurrencyRef={"value": "CAD"})
    line = {
        "DetailType": "ItemBasedExpenseLineDetail",
        "Amount": "120.00",
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item}},
    }
    ap = sandbox.company(qbo.realm_id).defaults["ap"]
    refused = await qbo.post(
        "bill", {"VendorRef": {"value": vendor}, "APAccountRef": {"value": ap}, "Line": [line]}
    )
    left_out = await qbo.created("bill", {"VendorRef": {"value": vendor}, "Line": [line]}, "Bill")
    assert refused.status_code == 400 and "same currency as the A/R and A/P accounts" in refused.text
    assert left_out["CurrencyRef"]["value"] == "CAD" and "APAccountRef" not in left_out
