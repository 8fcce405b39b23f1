"""Canadian, UK and US company files, and multi-currency, through whole Web Connector updates: the
real qbwc-gateway, the zeep Web Connector and a simulated company file of each edition.

ESP's figures are the truth: a document carries ESP's total to the cent in the company file, or
nothing is written and the job says why, with the figures (docs/web-connector.md §3.10-§3.13).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from espqb.db.models import AuditEntry
from espqb.integration.quickbooks_company import store_quickbooks_company
from espqb.plan.company import QuickBooksCompany
from qb_sandbox.webconnector import SessionOutcome
from tests.qbwc.harness import ACCOUNTS, COMPANY, Office, a7102, office, set_tax_rate


def order(
    currency: str, esp_tax: str | None = None, rate: str | None = None, number: str = "10245", **choices: Any
) -> dict[str, Any]:
    """The A7102 order (218.50 before tax) in ``currency``, with ESP's tax at ``rate`` %."""
    body = a7102(number, **choices)
    body["order"]["currency"] = currency
    if esp_tax is not None:
        body["order"]["tax"] = {"amount": esp_tax, "rate_percent": rate}
        body["order"]["total"] = f"{218.50 + float(esp_tax):.2f}"
    return body


async def warm_up(desk: Office) -> None:
    report = await desk.read_lists()
    assert report.outcome is SessionOutcome.COMPLETED, report.last_error


async def sent(desk: Office, body: dict[str, Any]) -> dict[str, Any]:
    job = await desk.send(body)
    report = await desk.update()
    assert report.outcome is SessionOutcome.COMPLETED, report.last_error
    return await desk.job(job["id"])


def line_codes(document: dict[str, Any], lines: str) -> list[str | None]:
    return [(line.get("SalesTaxCodeRef") or {}).get("FullName") for line in document.get(lines, [])]


async def company_audit(desk: Office) -> list[str]:
    async with desk.app.state.ctx.db.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry.event)
            .where(AuditEntry.event.like("quickbooks_company.%"))
            .order_by(AuditEntry.id)
        )
        return list(rows)


async def test_a_canadian_file_takes_the_a7102_order_and_the_status_shows_the_company(
    database_url: str,
) -> None:
    async with office(database_url, edition="ca") as desk:
        await warm_up(desk)
        status = await desk.status()
        finished = await sent(desk, order("CAD"))

        [invoice] = desk.company.documents("Invoice")
        [bill] = desk.company.documents("Bill")
        [purchase_order] = desk.company.documents("PurchaseOrder")

    company = status["company"]
    assert (company["edition"], company["country"], company["country_name"]) == ("ca", "CA", "Canada")
    assert (company["home_currency"], company["multi_currency"], company["currencies"]) == ("CAD", False, [])
    assert company["tax_regime"] == "per_line_codes" and company["read_at"] is not None
    hst = next(code for code in company["tax_codes"] if code["name"] == "H")
    assert (hst["label"], hst["sales_percent"], hst["purchase_percent"]) == ("H (13 %)", "13", "13")

    assert finished["status"] == "succeeded", finished
    assert finished["flags"] == [] and finished["warnings"] == []
    # "Add Total Tax as an Item" without tax: every line on the no-tax code E, nothing added.
    assert (invoice["TotalAmount"], invoice["SalesTaxTotal"]) == ("218.50", "0.00")
    assert line_codes(invoice, "InvoiceLineRet") == ["E", None, "E"]
    assert invoice["IsTaxIncluded"] == "false"
    assert bill["AmountDue"] == "115.00" and line_codes(bill, "ItemLineRet") == ["E"]
    assert purchase_order["TotalAmount"] == "115.00"
    assert line_codes(purchase_order, "PurchaseOrderLineRet") == ["E"]


async def test_a_canadian_order_with_13_percent_hst_lands_to_the_cent(database_url: str) -> None:
    async with office(database_url, edition="ca") as desk:
        await warm_up(desk)
        # 13 % of 218.50 = 28.405 → 28.41: the HST code H carries it on the product and the discount.
        finished = await sent(desk, order("CAD", "28.41", "13", tax="quickbooks_default"))
        [invoice] = desk.company.documents("Invoice")

    assert finished["status"] == "succeeded", finished
    assert finished["flags"] == []
    assert (invoice["Subtotal"], invoice["SalesTaxTotal"], invoice["TotalAmount"]) == (
        "218.50",
        "28.41",
        "246.91",
    )
    assert invoice["BalanceRemaining"] == "146.91"  # the 100.00 payment applied
    assert line_codes(invoice, "InvoiceLineRet") == ["H", None, "H"]
    assert "ItemSalesTaxRef" not in invoice  # a US-file element: the codes carry the tax


async def test_a_uk_order_at_20_percent_vat_lands_to_the_cent(database_url: str) -> None:
    async with office(database_url, edition="uk") as desk:
        await warm_up(desk)
        finished = await sent(desk, order("GBP", "43.70", "20", tax="quickbooks_default"))
        [invoice] = desk.company.documents("Invoice")
        status = await desk.status()

    assert finished["status"] == "succeeded", finished
    assert finished["flags"] == []
    assert (invoice["SalesTaxTotal"], invoice["TotalAmount"]) == ("43.70", "262.20")
    assert line_codes(invoice, "InvoiceLineRet") == ["S", None, "S"]
    assert (status["company"]["edition"], status["company"]["country"]) == ("uk", "GB")
    assert status["company"]["home_currency"] == "GBP"


async def test_a_us_tax_the_sales_tax_item_would_compute_otherwise_is_refused_before_writing(
    desk: Office,
) -> None:
    await warm_up(desk)
    # "State Sales Tax" is 8.25 %: 18.03 on 218.50, not ESP's 17.00.
    finished = await sent(desk, order("USD", "17.00", "7.78", tax="quickbooks_default"))

    assert finished["status"] == "failed"
    reason = finished["last_error"]
    assert "QuickBooks Desktop computes 8.25 % State Sales Tax on 218.50 = 18.03" in reason
    assert "the order's tax is 17.00" in reason and "nothing was written" in reason
    for kind in ("Customer", "Invoice", "Bill", "PurchaseOrder", "ItemNonInventory"):
        assert desk.company.documents(kind) == [], kind


async def test_a_us_tax_the_sales_tax_item_gives_is_written_with_it(desk: Office) -> None:
    await warm_up(desk)
    finished = await sent(desk, order("USD", "18.03", "8.25", tax={"code": "State Sales Tax"}))
    [invoice] = desk.company.documents("Invoice")

    assert finished["status"] == "succeeded", finished
    assert finished["flags"] == []
    assert (invoice["SalesTaxTotal"], invoice["TotalAmount"]) == ("18.03", "236.53")
    assert invoice["ItemSalesTaxRef"]["FullName"] == "State Sales Tax"
    assert line_codes(invoice, "InvoiceLineRet") == ["Tax", None, "Tax"]


async def test_a_multi_currency_canadian_file_takes_a_usd_order_at_esps_rate(database_url: str) -> None:
    async with office(database_url, edition="ca", multi_currency=True) as desk:
        await warm_up(desk)
        status = await desk.status()
        body = order("USD")
        body["order"]["exchange_rate"] = "1.3612"
        finished = await sent(desk, body)
        [customer] = desk.company.documents("Customer")
        vendors = {v["Name"]: v for v in desk.company.documents("Vendor")}
        [invoice] = desk.company.documents("Invoice")
        [bill] = desk.company.documents("Bill")
        [payment] = desk.company.documents("ReceivePayment")

    assert status["company"]["multi_currency"] is True
    assert status["company"]["currencies"] == ["AUD", "EUR", "GBP", "USD"]
    assert finished["status"] == "succeeded", finished
    assert customer["CurrencyRef"]["FullName"] == "US Dollar"
    assert vendors["Hit Promotional Products"]["CurrencyRef"]["FullName"] == "US Dollar"
    assert (invoice["CurrencyRef"]["FullName"], invoice["ExchangeRate"]) == ("US Dollar", "1.3612")
    assert invoice["TotalAmount"] == "218.50" and invoice["BalanceRemaining"] == "118.50"
    assert invoice["BalanceRemainingInHomeCurrency"] == "161.30"  # 118.50 × 1.3612
    assert (bill["ExchangeRate"], bill["AmountDue"]) == ("1.3612", "115.00")
    assert payment["ExchangeRate"] == "1.3612"


async def test_a_file_without_multi_currency_refuses_a_euro_order(database_url: str) -> None:
    async with office(database_url, edition="ca") as desk:
        # Before the company file was ever read, the send is taken; the session refuses it.
        job = await desk.send(order("EUR"))
        report = await desk.update()
        failed = await desk.job(job["id"])
        written = {kind: desk.company.documents(kind) for kind in ("Customer", "Invoice", "Bill")}
        # Once read, the send itself answers 409 and no job is made.
        refused = await desk.http.post(
            "/v1/orders/10246/send", headers=desk.headers(), json=order("EUR", number="10246")
        )
        jobs = (await desk.http.get("/v1/jobs", headers=desk.headers())).json()["items"]

    # (The Web Connector then reports "Nothing to send": the only order failed before any write.)
    assert not any("AddRq" in e.request_xml for e in report.exchanges)  # the lists only
    assert failed["status"] == "failed"
    assert "The order is in EUR" in failed["last_error"]
    assert "keeps its books in CAD without multi-currency" in failed["last_error"]
    assert written == {"Customer": [], "Invoice": [], "Bill": []}
    assert refused.status_code == 409, refused.text
    assert [e["path"] for e in refused.json()["errors"]] == ["order.currency"]
    assert "keeps its books in CAD without multi-currency" in refused.json()["detail"]
    assert [j["id"] for j in jobs] == [job["id"]]


async def test_the_company_is_stored_once_per_session_and_audited_only_when_it_changes(desk: Office) -> None:
    await warm_up(desk)
    await sent(desk, order("USD", "18.03", "8.25", tax="quickbooks_default"))
    unchanged = await company_audit(desk)
    set_tax_rate(desk.company, "State Sales Tax", "9.25")
    second = await sent(desk, order("USD", number="10246"))
    changed = await company_audit(desk)
    status = await desk.status()

    assert unchanged == ["quickbooks_company.read"]
    assert second["status"] == "succeeded", second
    assert changed == ["quickbooks_company.read", "quickbooks_company.changed"]
    [item] = status["company"]["tax_codes"]
    assert (item["name"], item["sales_percent"]) == ("State Sales Tax", "9.25")


async def purchase_code(desk: Office, code: str) -> None:
    settings = {"default_accounts": ACCOUNTS, "tax_default": {"option": "item", "purchase_code": code}}
    response = await desk.http.put("/v1/settings", headers=desk.headers(), json=settings)
    assert response.status_code == 200, response.text


async def test_canadian_purchase_tax_is_in_the_bill_and_po_totals_quickbooks_shows(database_url: str) -> None:
    async with office(database_url, edition="ca") as desk:
        await warm_up(desk)
        await purchase_code(desk, "H")
        finished = await sent(desk, order("CAD"))
        [bill] = desk.company.documents("Bill")
        [purchase_order] = desk.company.documents("PurchaseOrder")

    assert finished["status"] == "succeeded", finished
    assert finished["flags"] == []
    # 100 × 1.15 = 115.00, plus 13 % HST on purchases = 14.95: what the plan expected.
    assert bill["AmountDue"] == "129.95" and purchase_order["TotalAmount"] == "129.95"
    assert line_codes(bill, "ItemLineRet") == ["H"]
    steps = {s["key"]: s["summary"] for s in finished["steps"]}
    assert "129.95" in steps["bill:S61125"] and "129.95" in steps["purchase_order:S61125"]


async def test_a_purchase_tax_quickbooks_computes_otherwise_flags_the_bill(database_url: str) -> None:
    async with office(database_url, edition="ca") as desk:
        await warm_up(desk)
        await purchase_code(desk, "H")
        job = await desk.send(order("CAD"))
        set_tax_rate(desk.company, "HST ON on Purchases", "15")  # after the lists were read
        await desk.update()
        finished = await desk.job(job["id"])

    assert finished["status"] == "succeeded", finished
    assert finished["flags"] == ["drift"]
    assert (
        "QuickBooks shows bill 10245 at 132.25; ESP planned 129.95 (with 14.95 of purchase tax)."
        in finished["warnings"]
    )
    steps = {s["key"]: s["summary"] for s in finished["steps"]}
    assert "QuickBooks Desktop shows 132.25 where ESP planned 129.95" in steps["bill:S61125"]


async def test_the_tax_code_lookup_of_a_canadian_file_gives_each_codes_rates(database_url: str) -> None:
    async with office(database_url, edition="ca") as desk:
        await warm_up(desk)
        response = await desk.http.get("/v1/quickbooks/tax-codes", headers=desk.headers())

    assert response.status_code == 200, response.text
    by_name = {item["name"]: item for item in response.json()["items"]}
    hst = by_name["H"]["details"]
    assert (hst["sales_percent"], hst["purchase_percent"]) == ("13", "13")
    assert [r["name"] for r in hst["sales_rates"]] == ["HST ON on Sales"]
    assert (by_name["H"]["type"], hst["taxable"]) == ("Code", True)
    assert by_name["E"]["details"]["sales_rates"] == []
    assert "sales_rates" not in by_name["HST ON on Sales"]["details"]  # a tax item, not a code here


async def test_a_session_plans_with_the_company_file_it_reads_not_the_one_stored_before(desk: Office) -> None:
    # Stored earlier: multi-currency with euros. The company file open now has no multi-currency.
    async with desk.app.state.ctx.db.transaction() as session:
        earlier = QuickBooksCompany(product="qbd", multi_currency=True, currencies=("EUR",))
        await store_quickbooks_company(session, COMPANY, earlier)
    job = await desk.send(order("EUR"))  # the send-time check still sees the stored company

    await desk.update()
    failed = await desk.job(job["id"])
    status = await desk.status()

    assert failed["status"] == "failed"
    assert "keeps its books in USD without multi-currency" in failed["last_error"]
    assert status["company"]["multi_currency"] is False and status["company"]["currencies"] == []
    assert desk.company.documents("Invoice") == []
